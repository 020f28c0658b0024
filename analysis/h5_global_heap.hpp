#pragma once
// HDF5 1.10 keeps variable-length strings in global heap collections and trusts their layout:
// a free-space object of size 0 makes its reader (H5HG_read, through the collection's
// deserializer) loop forever, and objects claiming more than their collection holds are read
// past its end. Every collection of a file is checked here before HDF5 reads any of them.
#include <cstdint>
#include <filesystem>

namespace gaitsim::h5 {

// Throws H5Error naming the file and the collection's byte offset when a global heap collection
// (signature "GCOL", version 1, reserved bytes 0, at least 4096 bytes, anywhere in the file) ends
// past the end of the file or holds an object of size 0 or one that runs past the collection's end.
// A file without a superblock is left to HDF5 ("not an HDF5 file"). Files larger than
// kMaxScannedBytes are not scanned: the scan reads every byte, which for the image caches of large
// datasets (tens of GB) would cost minutes at each open; the hostile inputs this guards against
// (run files, responses, recordings) are far smaller.
inline constexpr std::uintmax_t kMaxScannedBytes = std::uintmax_t{1} << 30;  // [bytes]
void check_global_heaps(const std::filesystem::path& file);

}  // namespace gaitsim::h5
