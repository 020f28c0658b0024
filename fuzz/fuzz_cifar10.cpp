// A CIFAR-10 binary batch of any bytes: its records, or a DataError.
#include <cstdint>

#include "datasets/cifar10_reader.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = gaitsim::fuzz::input_file(data, size, ".bin");
  try {
    const auto set = gaitsim::datasets::read_cifar10_batches({file}, 0);
    if (set.x.rows() != set.y.size() || set.x.cols() != 3072) std::abort();
  } catch (const gaitsim::datasets::DataError&) {
  }
  return 0;
}
