// IDX images and labels files of any bytes: data as declared, or a DataError.
#include <cstdint>

#include "datasets/idx_reader.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = gaitsim::fuzz::input_file(data, size, ".idx");
  try {
    const auto images = gaitsim::datasets::read_idx_images(file, 64);
    if (images.pixels.size() != images.count * images.rows * images.cols) std::abort();
  } catch (const gaitsim::datasets::DataError&) {
  }
  try {
    gaitsim::datasets::read_idx_labels(file, 64);
  } catch (const gaitsim::datasets::DataError&) {
  }
  return 0;
}
