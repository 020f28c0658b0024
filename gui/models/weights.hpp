#pragma once
// Weights of a run file, their histograms and receptive fields. (part of the viewer's models,
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

// ---- weights (run file) ----
// network.dale dann (docs/biology.md): a layer's non-negative components, W = W_EE - W_IE W_EI,
// row-major; empty for a layer without them.
struct DannComponents {
  std::vector<double> EE, IE, EI;  // (k x n), (k x n_I), (n_I x n)
  int k = 0, n = 0, n_inhibitory = 0;
  bool empty() const { return EE.empty(); }
};
struct WeightsData {
  std::vector<QString> layer_names;    // 1..L
  std::vector<std::vector<double>> W;  // per layer, row-major (k x n)
  std::vector<int> rows, cols;
  // Synaptic constraints (docs/biology.md), per layer; an empty entry: not constrained.
  std::vector<std::vector<char>> mask;        // row-major like W: 1 where the synapse exists
  std::vector<std::vector<int>> sign;         // per row of W (presynaptic unit): +1 or -1
  std::vector<DannComponents> dann;           // /weights/<l>/W_EE, W_IE, W_EI
  int image_h = 0, image_w = 0, image_c = 1;  // shape of one input image (0: not an image)
  // feedback.mode learned (/state/feedback/Q/<l>): the feedback weights Q_l per layer, row-major
  // (n_l x k, D_{l-1}[:, :k] = r_l Q_l); an empty entry: none (layer 1, exact mode)
  std::vector<std::vector<double>> Q;
  std::vector<int> q_rows, q_cols;
};
WeightsData read_weights(const fs::path& run_file);
struct Histogram {
  double lo = 0, hi = 0;
  std::vector<double> counts;
};
Histogram histogram(const std::vector<double>& values, int bins);
// The weights of layer index l (0-based) that exist (all without a mask), split by the sign of
// their presynaptic unit: {excitatory or unsigned, inhibitory}.
std::pair<std::vector<double>, std::vector<double>> weights_by_sign(const WeightsData& w, int l);
// Layer l's connectivity as an image of W's shape (rows: presynaptic units): red where an
// excitatory (or unsigned) synapse exists, blue where an inhibitory one does, grey where none.
QImage connectivity_image(const WeightsData& w, int l);
// A non-negative dann component (rows x cols, row-major) on the sequential map, 0 to its max.
QImage component_image(const std::vector<double>& X, int rows, int cols);
// max |W - (W_EE - W_IE W_EI)| / max |W| of layer index l (0-based; NaN without components):
// how exactly the stored effective W is the components' product (round-off of the dtype).
double dann_residual(const WeightsData& w, int l);
// ||Q_l W_l - I||_F / sqrt(n_l) of layer index l (0-based; NaN without Q_l): 0 for the exact
// inverse, about 1 for a Q_l unrelated to W_l.
double inverse_error(const WeightsData& w, int l);
// Q_l of layer index l as an image of its shape (rows: units of l, columns: the units of l - 1 it
// feeds back to) on the diverging map, symmetric about 0; null without Q_l.
QImage feedback_image(const WeightsData& w, int l);
// Receptive field of unit j of layer 1: column j of W1, length k.
std::vector<double> receptive_field(const WeightsData& w, int unit);

}  // namespace gaitsim::gui
