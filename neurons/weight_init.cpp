#include "neurons/weight_init.hpp"

#include <cmath>
#include <functional>
#include <stdexcept>

#include "neurons/registry.hpp"

namespace gaitsim {

Mat<double> random_orthogonal(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  const Eigen::Index n = std::max(rows, cols), k = std::min(rows, cols);
  std::normal_distribution<double> normal(0.0, 1.0);
  Mat<double> G = Mat<double>::NullaryExpr(n, k, [&] { return normal(rng); });
  Eigen::HouseholderQR<Mat<double>> qr(G);
  Mat<double> Q = qr.householderQ() * Mat<double>::Identity(n, k);
  // Multiplying column j by sign(R_jj) makes the distribution uniform over orthogonal matrices.
  const auto R = qr.matrixQR();
  for (Eigen::Index j = 0; j < k; ++j) {
    if (R(j, j) < 0) Q.col(j) *= -1.0;
  }
  return rows >= cols ? Q : Mat<double>(Q.transpose());
}

Mat<double> xavier_uniform(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  const double limit = std::sqrt(6.0 / double(rows + cols));
  std::uniform_real_distribution<double> uniform(-limit, limit);
  return Mat<double>::NullaryExpr(rows, cols, [&] { return uniform(rng); });
}

namespace {

using Init = std::function<Mat<double>(Eigen::Index, Eigen::Index, std::mt19937_64&)>;

// The one place an initialiser kind is added.
const Registry<Init>& registry() {
  static const Registry<Init> kinds("weight init", {
                                                       {"orthogonal", random_orthogonal},
                                                       {"xavier", xavier_uniform},
                                                   });
  return kinds;
}

}  // namespace

std::vector<std::string> weight_init_names() { return registry().names(); }

Mat<double> initial_weights(const std::string& kind, Eigen::Index rows, Eigen::Index cols,
                            std::mt19937_64& rng) {
  return registry().at(kind)(rows, cols, rng);
}

}  // namespace gaitsim
