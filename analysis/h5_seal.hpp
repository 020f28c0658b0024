#pragma once
// A seal on an HDF5 file that gaitsim writes and later trusts (run files and checkpoints): the
// file's first kSealBytes bytes, an HDF5 user block that HDF5 and h5py skip, hold the length and
// two checksums (CRC-32 and Adler-32) of every byte after it. verify_seal reads the whole file
// and checks them before HDF5 parses anything, so a damaged, truncated or edited file is refused
// with a clear message instead of reaching libhdf5 1.10's readers, which trust what they read
// (a damaged global heap index or object header crashes or hangs them; see docs/fuzzing.md).
// The seal detects damage, not forgery: anyone can reseal a file on purpose.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "analysis/h5_error.hpp"

namespace gaitsim::h5 {

inline constexpr std::uint64_t kSealBytes = 512;  // user block holding the seal [bytes]

// A file whose seal is missing or does not match its content: "FILE: what differs", like the
// run file's schema errors.
class SealError : public std::runtime_error {
 public:
  SealError(const std::string& what, const std::filesystem::path& file)
      : std::runtime_error(file.string() + ": " + what), file_(file) {}
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

// Writes the seal of `file`, an HDF5 file created with a kSealBytes user block and closed.
// Throws H5Error when the file has no such user block or cannot be read or written.
void seal_file(const std::filesystem::path& file);

// Throws SealError unless `file` carries a seal matching its current bytes.
void verify_seal(const std::filesystem::path& file);

// Whether `file` begins with a seal's magic (whether or not the seal matches): for readers that
// accept sealed and unsealed formats and check the seal of those that carry one.
bool starts_with_seal(const std::filesystem::path& file);

}  // namespace gaitsim::h5
