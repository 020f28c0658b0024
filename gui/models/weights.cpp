#include "gui/models/weights.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "gui/models/file_helpers.hpp"
#include "gui/models/heatmap.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

namespace {

// Row-major copy of a matrix.
std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> flat(m.size());
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) flat[i * m.cols() + j] = m(i, j);
  }
  return flat;
}

// Q_l of a learned-feedback run (n_l x k, the transpose of W_l's shape), else an empty entry.
void read_feedback(const h5::File& f, int l, const Eigen::MatrixXd& W, WeightsData& w) {
  const std::string q = "/state/feedback/Q/" + std::to_string(l);
  Eigen::MatrixXd Q;
  if (l >= 2 && f.exists(q)) {
    Q = f.read_matrix<double>(q);
    if (Q.rows() != W.cols() || Q.cols() != W.rows()) throw std::runtime_error(q + ": shape");
  }
  w.Q.push_back(row_major(Q));
  w.q_rows.push_back(static_cast<int>(Q.rows()));
  w.q_cols.push_back(static_cast<int>(Q.cols()));
}

// The dann components of layer group g (W is k x n), else an empty entry; shapes validated.
DannComponents read_dann(const h5::File& f, const std::string& g, const Eigen::MatrixXd& W) {
  DannComponents d;
  if (!f.exists(g + "/W_EE")) return d;
  const Eigen::MatrixXd EE = f.read_matrix<double>(g + "/W_EE");
  const Eigen::MatrixXd IE = f.read_matrix<double>(g + "/W_IE");
  const Eigen::MatrixXd EI = f.read_matrix<double>(g + "/W_EI");
  if (EE.rows() != W.rows() || EE.cols() != W.cols()) throw std::runtime_error(g + "/W_EE: shape");
  if (IE.rows() != W.rows()) throw std::runtime_error(g + "/W_IE: shape");
  if (EI.rows() != IE.cols() || EI.cols() != W.cols())
    throw std::runtime_error(g + "/W_EI: shape");
  d.EE = row_major(EE);
  d.IE = row_major(IE);
  d.EI = row_major(EI);
  d.k = static_cast<int>(W.rows());
  d.n = static_cast<int>(W.cols());
  d.n_inhibitory = static_cast<int>(IE.cols());
  return d;
}

}  // namespace

WeightsData read_weights(const fs::path& run_file) {
  const h5::File f = h5::File::open_read(run_file);
  WeightsData w;
  const int depth = static_cast<int>(f.attr_int("/weights", "depth"));
  for (int l = 1; l <= depth; ++l) {
    const std::string g = "/weights/" + std::to_string(l);
    const Eigen::MatrixXd m = f.read_matrix<double>(g + "/W");
    w.W.push_back(row_major(m));
    w.rows.push_back(static_cast<int>(m.rows()));
    w.cols.push_back(static_cast<int>(m.cols()));
    w.layer_names.push_back(QString::fromStdString(attr_or(f, g, "name")));
    std::vector<char> mask;
    if (f.exists(g + "/mask")) {
      const Eigen::MatrixXd M = f.read_matrix<double>(g + "/mask");
      if (M.rows() != m.rows() || M.cols() != m.cols())
        throw std::runtime_error(g + "/mask: shape");
      mask.resize(M.size());
      for (Eigen::Index i = 0; i < M.rows(); ++i) {
        for (Eigen::Index j = 0; j < M.cols(); ++j) mask[i * M.cols() + j] = M(i, j) != 0.0;
      }
    }
    w.mask.push_back(std::move(mask));
    std::vector<int> sign;
    if (f.exists(g + "/sign")) {
      sign = f.read_vector<int>(g + "/sign");
      if (sign.size() != std::size_t(m.rows())) throw std::runtime_error(g + "/sign: length");
    }
    w.sign.push_back(std::move(sign));
    w.dann.push_back(read_dann(f, g, m));
    read_feedback(f, l, m, w);
  }
  image_shape(static_cast<int>(f.attr_int("/weights", "input_width")), w.image_h, w.image_w,
              w.image_c);
  return w;
}

Histogram histogram(const std::vector<double>& values, int bins) {
  Histogram h;
  h.counts.assign(std::max(bins, 1), 0.0);
  if (values.empty()) return h;
  const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  h.lo = *mn;
  h.hi = *mx > *mn ? *mx : *mn + 1e-12;
  const double width = (h.hi - h.lo) / static_cast<double>(h.counts.size());
  for (double v : values) {
    auto b = static_cast<std::size_t>((v - h.lo) / width);
    h.counts[std::min(b, h.counts.size() - 1)] += 1;
  }
  return h;
}

std::pair<std::vector<double>, std::vector<double>> weights_by_sign(const WeightsData& w, int l) {
  std::pair<std::vector<double>, std::vector<double>> out;
  const auto& mask = w.mask[l];
  const auto& sign = w.sign[l];
  for (int i = 0; i < w.rows[l]; ++i) {
    auto& into = !sign.empty() && sign[i] < 0 ? out.second : out.first;
    for (int j = 0; j < w.cols[l]; ++j) {
      const std::size_t k = static_cast<std::size_t>(i) * w.cols[l] + j;
      if (mask.empty() || mask[k]) into.push_back(w.W[l][k]);
    }
  }
  return out;
}

QImage connectivity_image(const WeightsData& w, int l) {
  QImage img(w.cols[l], w.rows[l], QImage::Format_RGB32);
  const auto& mask = w.mask[l];
  const auto& sign = w.sign[l];
  for (int i = 0; i < w.rows[l]; ++i) {
    const QRgb colour = !sign.empty() && sign[i] < 0 ? qRgb(40, 90, 200) : qRgb(200, 50, 40);
    for (int j = 0; j < w.cols[l]; ++j) {
      const bool present = mask.empty() || mask[static_cast<std::size_t>(i) * w.cols[l] + j];
      img.setPixel(j, i, present ? colour : qRgb(225, 225, 225));
    }
  }
  return img;
}

QImage component_image(const std::vector<double>& X, int rows, int cols) {
  const double hi = std::max(value_range(X, false).second, 1e-300);
  QImage img(cols, rows, QImage::Format_RGB32);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j)
      img.setPixel(j, i, sequential_colour(X[static_cast<std::size_t>(i) * cols + j] / hi));
  }
  return img;
}

double dann_residual(const WeightsData& w, int l) {
  const DannComponents& d = w.dann[l];
  if (d.empty()) return std::nan("");
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> W(w.W[l].data(), w.rows[l], w.cols[l]);
  const Eigen::Map<const RowMajor> EE(d.EE.data(), d.k, d.n);
  const Eigen::Map<const RowMajor> IE(d.IE.data(), d.k, d.n_inhibitory);
  const Eigen::Map<const RowMajor> EI(d.EI.data(), d.n_inhibitory, d.n);
  const double scale = std::max(W.cwiseAbs().maxCoeff(), 1e-300);
  return (W - (EE - IE * EI)).cwiseAbs().maxCoeff() / scale;
}

double inverse_error(const WeightsData& w, int l) {
  if (w.Q[l].empty()) return std::nan("");
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> Q(w.Q[l].data(), w.q_rows[l], w.q_cols[l]);
  const Eigen::Map<const RowMajor> W(w.W[l].data(), w.rows[l], w.cols[l]);
  Eigen::MatrixXd E = Q * W;  // n_l x n_l
  E.diagonal().array() -= 1.0;
  return E.norm() / std::sqrt(double(E.rows()));
}

QImage feedback_image(const WeightsData& w, int l) {
  if (w.Q[l].empty()) return {};
  const double hi = value_range(w.Q[l], true).second;
  QImage img(w.q_cols[l], w.q_rows[l], QImage::Format_RGB32);
  for (int i = 0; i < w.q_rows[l]; ++i) {
    for (int j = 0; j < w.q_cols[l]; ++j) {
      img.setPixel(j, i,
                   diverging_colour(w.Q[l][static_cast<std::size_t>(i) * w.q_cols[l] + j] / hi));
    }
  }
  return img;
}

std::vector<double> receptive_field(const WeightsData& w, int unit) {
  std::vector<double> out;
  if (w.W.empty() || unit < 0 || unit >= w.cols[0]) return out;
  out.resize(w.rows[0]);
  for (int i = 0; i < w.rows[0]; ++i)
    out[i] = w.W[0][static_cast<std::size_t>(i) * w.cols[0] + unit];
  return out;
}

}  // namespace gaitsim::gui
