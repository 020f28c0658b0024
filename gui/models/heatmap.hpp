#pragma once
// Heat maps: folding a layer into a grid, colour maps, images. (part of the viewer's models,
// gui/models.hpp).
#include <QImage>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim::gui {

namespace fs = std::filesystem;

// ---- heatmaps ----
struct Grid {
  int rows = 0, cols = 0;
};
Grid fold(int n);                  // near-square: cols = ceil(sqrt n), rows = ceil(n / cols)
QRgb sequential_colour(double t);  // t in [0, 1], viridis-like
QRgb diverging_colour(double t);   // t in [-1, 1], blue - white - red
// One pixel per unit (row-major in the grid); cells past n are grey.
QImage heatmap_image(const std::vector<double>& v, Grid g, double lo, double hi, bool diverging);
// An image (pixels in [0, 1]) of shape C x H x W, as stored in a dataset row.
QImage input_image(const std::vector<double>& v, int h, int w, int c);
// Value range for a map: [min, max], or symmetric [-m, m] for a diverging one.
std::pair<double, double> value_range(const std::vector<double>& v, bool diverging);

}  // namespace gaitsim::gui
