#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace gaitsim::datasets {

// An 8-bit RGB image, pixels interleaved row by row: rgb[(y * width + x) * 3 + c].
struct RgbImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
};

// Decodes a JPEG (libjpeg-turbo) or PNG (libpng), recognised by its first bytes rather than its
// name, since ImageNet holds PNG and CMYK files named .JPEG. Grey-scale, palette, 16-bit and CMYK
// images become 8-bit RGB; transparent pixels are composited onto black. With
// shorter_at_least > 0 a JPEG may be reduced by 1/2, 1/4 or 1/8 while decoding (in the DCT
// domain, several times faster) as long as its shorter side keeps at least that many pixels.
// Throws DataError naming `source` when the bytes are not a decodable JPEG or PNG.
RgbImage decode_image(std::span<const std::uint8_t> bytes, const std::filesystem::path& source,
                      int shorter_at_least = 0);

// Reads and decodes one image file; DataError names the file.
RgbImage read_image(const std::filesystem::path& file, int shorter_at_least = 0);

}  // namespace gaitsim::datasets
