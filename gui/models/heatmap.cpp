#include "gui/models/heatmap.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

Grid fold(int n) {
  Grid g;
  if (n <= 0) return g;
  g.cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  g.rows = (n + g.cols - 1) / g.cols;
  return g;
}

namespace {
QRgb lerp_stops(const std::vector<std::array<double, 3>>& stops, double t) {
  t = std::clamp(t, 0.0, 1.0);
  const double pos = t * static_cast<double>(stops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(pos), stops.size() - 2);
  const double u = pos - static_cast<double>(i);
  const auto c = [&](int k) {
    return static_cast<int>(std::lround(255.0 * (stops[i][k] * (1 - u) + stops[i + 1][k] * u)));
  };
  return qRgb(c(0), c(1), c(2));
}
}  // namespace

QRgb sequential_colour(double t) {
  static const std::vector<std::array<double, 3>> viridis = {
      {0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530}, {0.207, 0.372, 0.553},
      {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551}, {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441},
      {0.478, 0.821, 0.318}, {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
  return lerp_stops(viridis, std::isfinite(t) ? t : 0.0);
}

QRgb diverging_colour(double t) {
  static const std::vector<std::array<double, 3>> rdbu = {
      {0.020, 0.188, 0.380}, {0.129, 0.400, 0.675}, {0.573, 0.773, 0.871}, {0.969, 0.969, 0.969},
      {0.957, 0.647, 0.510}, {0.698, 0.094, 0.169}, {0.404, 0.000, 0.122}};
  return lerp_stops(rdbu, std::isfinite(t) ? (t + 1.0) / 2.0 : 0.5);
}

std::pair<double, double> value_range(const std::vector<double>& v, bool diverging) {
  double lo = 0, hi = 0;
  bool any = false;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    lo = any ? std::min(lo, x) : x;
    hi = any ? std::max(hi, x) : x;
    any = true;
  }
  if (diverging) {
    const double m = std::max({std::abs(lo), std::abs(hi), 1e-12});
    return {-m, m};
  }
  if (hi <= lo) hi = lo + 1e-12;
  return {lo, hi};
}

QImage heatmap_image(const std::vector<double>& v, Grid g, double lo, double hi, bool diverging) {
  QImage img(std::max(g.cols, 1), std::max(g.rows, 1), QImage::Format_RGB32);
  img.fill(qRgb(200, 200, 200));
  const double span = hi > lo ? hi - lo : 1.0;
  for (std::size_t k = 0; k < v.size() && g.cols > 0; ++k) {
    const int r = static_cast<int>(k) / g.cols, c = static_cast<int>(k) % g.cols;
    if (r >= g.rows) break;
    const double t = (v[k] - lo) / span;
    img.setPixel(c, r, diverging ? diverging_colour(2.0 * t - 1.0) : sequential_colour(t));
  }
  return img;
}

QImage input_image(const std::vector<double>& v, int h, int w, int c) {
  if (h <= 0 || w <= 0 || static_cast<std::size_t>(h) * w * c > v.size()) return {};
  QImage img(w, h, QImage::Format_RGB32);
  const auto px = [&](int ch, int y, int x) {
    return std::clamp(static_cast<int>(std::lround(255.0 * v[(ch * h + y) * w + x])), 0, 255);
  };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      img.setPixel(x, y,
                   c >= 3 ? qRgb(px(0, y, x), px(1, y, x), px(2, y, x))
                          : qRgb(px(0, y, x), px(0, y, x), px(0, y, x)));
    }
  }
  return img;
}

}  // namespace gaitsim::gui
