#include "neurons/dann_weights.hpp"

#include <cassert>
#include <cmath>

namespace gaitsim {

Eigen::Index dann_interneurons(Eigen::Index n, double inhibitory_fraction) {
  assert(n > 0 && inhibitory_fraction > 0.0 && inhibitory_fraction <= 1.0);
  return static_cast<Eigen::Index>(std::ceil(inhibitory_fraction * double(n)));
}

namespace {

// Entries uniform in [0.5, 1.5]: positive, and different, so the interneurons differ.
Mat<double> positive_draws(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> uniform(0.5, 1.5);
  return Mat<double>::NullaryExpr(rows, cols, [&] { return uniform(rng); });
}

// Unmasked: P = W^IE W^EI >= c entrywise with c = max(max(-V), mean |V|) (the second term keeps
// the interneurons' weights away from 0, where their updates would vanish), W^EE = V + P.
DannWeights<double> offset_weights(const Mat<double>& V, Eigen::Index n_I, std::mt19937_64& rng) {
  const double c = std::max(-V.minCoeff(), V.cwiseAbs().mean());
  // P(i, j) = sum_m a^2 u u' >= n_I a^2 / 4 = c
  const double a = std::sqrt(4.0 * c / double(n_I));
  DannWeights<double> w;
  w.IE = a * positive_draws(V.rows(), n_I, rng);
  w.EI = a * positive_draws(n_I, V.cols(), rng);
  w.EE = V;
  w.EE.noalias() += w.IE * w.EI;
  w.EE = w.EE.cwiseMax(0.0);  // >= 0 already up to rounding
  return w;
}

// Masked: W^EE = M * |V|, P(i, j) ~ mean_j W^EE(i, j) (W^IE(i, m) = mean_i u, W^EI = u' / n_I),
// then W^EE and W^IE scaled by s so that ||W^EE - P||_F = ||V||_F.
DannWeights<double> row_mean_weights(const Mat<double>& V, Eigen::Index n_I, std::mt19937_64& rng) {
  DannWeights<double> w;
  w.EE = V.cwiseAbs();
  const ColVec<double> mean = w.EE.rowwise().mean();
  w.IE = mean.asDiagonal() * positive_draws(V.rows(), n_I, rng);
  w.EI = positive_draws(n_I, V.cols(), rng) / double(n_I);
  Mat<double> W;
  w.effective(W);
  const double s = W.norm() > 0.0 ? V.norm() / W.norm() : 1.0;
  w.EE *= s;
  w.IE *= s;
  return w;
}

}  // namespace

DannWeights<double> balanced_dann_weights(const Mat<double>& V, Eigen::Index interneurons,
                                          const ConnectionMask* mask, std::mt19937_64& rng) {
  assert(interneurons > 0);
  return mask ? row_mean_weights(V, interneurons, rng) : offset_weights(V, interneurons, rng);
}

}  // namespace gaitsim
