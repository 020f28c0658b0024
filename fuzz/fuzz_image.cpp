// The JPEG and PNG decoders on any bytes, with and without DCT reduction: an RGB image of the
// size it says, or a DataError.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "datasets/data_error.hpp"
#include "datasets/rgb_image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gaitsim::datasets;
  for (int shorter : {0, 2}) {
    try {
      const RgbImage image = decode_image(std::span(data, size), "<fuzz>", shorter);
      if (image.rgb.size() != std::size_t(image.width) * image.height * 3) std::abort();
    } catch (const DataError&) {
    }
  }
  return 0;
}
