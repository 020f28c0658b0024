// A zip / .npz of any bytes: every member's npy header and, for integer arrays, its values, or a
// DataError; nothing is allocated beyond what the file can hold.
#include <cstdint>
#include <vector>

#include "datasets/data_error.hpp"
#include "datasets/npy_array.hpp"
#include "datasets/zip_archive.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gaitsim::datasets;
  const auto file = gaitsim::fuzz::input_file(data, size, ".npz");
  try {
    const ZipArchive zip(file);
    for (const ZipEntry& entry : zip.entries()) {
      try {
        ZipEntryReader in(zip, entry);
        const NpyHeader header = read_npy_header(in);
        if (header.descr == "|u1") {
          std::vector<std::uint8_t> rest(static_cast<std::size_t>(in.remaining()));
          in.read(rest.data(), rest.size(), "array data");
        } else {
          read_npy_integers(in, header);
        }
      } catch (const DataError&) {
      }
    }
  } catch (const DataError&) {
  }
  return 0;
}
