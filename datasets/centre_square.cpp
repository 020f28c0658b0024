#include "datasets/centre_square.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace gaitsim::datasets {
namespace {

// The source pixels and weights that make up one output pixel along one axis.
struct Taps {
  int first = 0;
  std::vector<float> weights;  // for source pixels first, first + 1, ...
};

// Box filter over [a, b): each source pixel k weighs |[k, k+1) n [a, b)| / (b - a).
Taps area_taps(double a, double b, int length) {
  Taps t;
  const int lo = std::clamp(static_cast<int>(std::floor(a)), 0, length - 1);
  const int hi = std::clamp(static_cast<int>(std::ceil(b)) - 1, lo, length - 1);
  t.first = lo;
  double total = 0.0;
  std::vector<double> w;
  for (int k = lo; k <= hi; ++k) {
    w.push_back(std::max(0.0, std::min(b, k + 1.0) - std::max(a, double(k))));
    total += w.back();
  }
  // Dividing by the sum rather than by b - a keeps weights summing to 1 where rounding or the
  // clamp to the image cut a sliver off the interval.
  for (double v : w) t.weights.push_back(static_cast<float>(v / total));
  return t;
}

// Linear interpolation at source coordinate c (pixel centres at integers), clamped to the image.
Taps bilinear_taps(double c, int length) {
  c = std::clamp(c, 0.0, double(length - 1));
  Taps t;
  t.first = static_cast<int>(std::floor(c));
  const double frac = c - t.first;
  t.weights = {static_cast<float>(1.0 - frac)};
  if (t.first + 1 < length) t.weights.push_back(static_cast<float>(frac));
  return t;
}

// Taps of every output pixel along an axis of `length` source pixels scaled by `scale`.
std::vector<Taps> axis_taps(int length, double scale, int size) {
  const double offset = (length * scale - size) / 2.0;
  std::vector<Taps> taps;
  for (int o = 0; o < size; ++o) {
    taps.push_back(scale <= 1.0 ? area_taps((o + offset) / scale, (o + 1 + offset) / scale, length)
                                : bilinear_taps((o + offset + 0.5) / scale - 0.5, length));
  }
  return taps;
}

std::uint8_t to_byte(float v) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

}  // namespace

std::vector<std::uint8_t> centre_square(const RgbImage& image, int size) {
  assert(size > 0 && image.width > 0 && image.height > 0);
  const double scale = double(size) / std::min(image.width, image.height);
  const std::vector<Taps> across = axis_taps(image.width, scale, size);
  const std::vector<Taps> down = axis_taps(image.height, scale, size);
  // Separable: first along each source row (height x size x 3), then down the columns.
  std::vector<float> rows(static_cast<std::size_t>(image.height) * size * 3, 0.0f);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* src = image.rgb.data() + std::size_t(y) * image.width * 3;
    float* dst = rows.data() + std::size_t(y) * size * 3;
    for (int o = 0; o < size; ++o) {
      const Taps& t = across[o];
      for (std::size_t k = 0; k < t.weights.size(); ++k) {
        const std::uint8_t* p = src + (t.first + k) * 3;
        for (int c = 0; c < 3; ++c) dst[o * 3 + c] += t.weights[k] * p[c];
      }
    }
  }
  const std::size_t plane = std::size_t(size) * size;
  std::vector<std::uint8_t> out(3 * plane);
  std::vector<float> sum(std::size_t(size) * 3);
  for (int i = 0; i < size; ++i) {
    std::fill(sum.begin(), sum.end(), 0.0f);
    const Taps& t = down[i];
    for (std::size_t k = 0; k < t.weights.size(); ++k) {
      const float* row = rows.data() + (t.first + k) * size * 3;
      for (std::size_t v = 0; v < sum.size(); ++v) sum[v] += t.weights[k] * row[v];
    }
    for (int j = 0; j < size; ++j) {
      for (int c = 0; c < 3; ++c)
        out[c * plane + std::size_t(i) * size + j] = to_byte(sum[j * 3 + c]);
    }
  }
  return out;
}

}  // namespace gaitsim::datasets
