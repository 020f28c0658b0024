#pragma once

#include <cstdint>
#include <vector>

#include "datasets/rgb_image.hpp"

namespace gaitsim::datasets {

// The usual ImageNet input: scale the image by s = size / min(width, height), so that its
// shorter side becomes `size` and the aspect ratio is kept, then cut out the central
// size x size square. Output pixel (i, j) covers the source interval
//   [(j + ox) / s, (j + 1 + ox) / s) x [(i + oy) / s, (i + 1 + oy) / s),
//   ox = (width s - size) / 2, oy = (height s - size) / 2,
// and is the area-weighted mean of the source pixels under it (box filter, exact for any
// ratio) when shrinking. When enlarging (s > 1) it is the bilinear interpolation at the centre
// of that interval, (j + ox + 1/2) / s - 1/2, clamped to the image. Values are rounded to the
// nearest integer. Returns the square channel-planar: C x H x W, all red, then green, then blue.
std::vector<std::uint8_t> centre_square(const RgbImage& image, int size);

}  // namespace gaitsim::datasets
