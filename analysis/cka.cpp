#include "analysis/cka.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gaitsim::analysis {
namespace {

void check(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, Eigen::Index min_rows,
           const char* what) {
  if (X.rows() != Y.rows()) {
    throw std::invalid_argument(std::string(what) + ": the representations have " +
                                std::to_string(X.rows()) + " and " + std::to_string(Y.rows()) +
                                " stimuli (rows); they must match");
  }
  if (X.rows() < min_rows) {
    throw std::invalid_argument(std::string(what) + " needs at least " + std::to_string(min_rows) +
                                " stimuli");
  }
}

Eigen::MatrixXd centred(const Eigen::MatrixXd& X) { return X.rowwise() - X.colwise().mean(); }

// ||A^T B||_F^2 = tr(A A^T B B^T), through the smaller of the two products.
double cross_norm2(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  return (A.transpose() * B).squaredNorm();
}

}  // namespace

double linear_cka(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  check(X, Y, 2, "linear CKA");
  const Eigen::MatrixXd Xc = centred(X), Yc = centred(Y);
  const double xy = cross_norm2(Xc, Yc);
  const double xx = std::sqrt(cross_norm2(Xc, Xc)), yy = std::sqrt(cross_norm2(Yc, Yc));
  if (!(xx > 0) || !(yy > 0)) return std::numeric_limits<double>::quiet_NaN();
  return xy / (xx * yy);
}

double hsic_unbiased(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  check(X, Y, 4, "unbiased HSIC");
  const Eigen::MatrixXd Xc = centred(X), Yc = centred(Y);
  const auto n = static_cast<double>(X.rows());
  const Eigen::VectorXd kd = Xc.rowwise().squaredNorm();  // diag K
  const Eigen::VectorXd ld = Yc.rowwise().squaredNorm();  // diag L
  // K~ 1 = Xc (Xc^T 1) - diag K; Xc^T 1 is 0 up to rounding but kept for exactness.
  const Eigen::VectorXd k1 = Xc * Xc.colwise().sum().transpose() - kd;
  const Eigen::VectorXd l1 = Yc * Yc.colwise().sum().transpose() - ld;
  const double tr = cross_norm2(Xc, Yc) - kd.dot(ld);  // tr(K~ L~)
  const double sum_k = k1.sum(), sum_l = l1.sum();
  const double value = tr + sum_k * sum_l / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * k1.dot(l1);
  return value / (n * (n - 3));
}

double linear_cka_debiased(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y) {
  const double xy = hsic_unbiased(X, Y);
  const double xx = hsic_unbiased(X, X), yy = hsic_unbiased(Y, Y);
  if (!(xx > 0) || !(yy > 0)) return std::numeric_limits<double>::quiet_NaN();
  return xy / std::sqrt(xx * yy);
}

}  // namespace gaitsim::analysis
