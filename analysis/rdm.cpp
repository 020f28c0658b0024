#include "analysis/rdm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "analysis/rank_correlation.hpp"

namespace gaitsim::analysis {

Eigen::MatrixXd correlation_rdm(const Eigen::MatrixXd& X) {
  const Eigen::Index n = X.rows();
  Eigen::MatrixXd Z = X.colwise() - X.rowwise().mean();
  Eigen::VectorXd norms = Z.rowwise().norm();
  Eigen::Array<bool, Eigen::Dynamic, 1> constant(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    constant(i) = !(norms(i) > 0);
    if (!constant(i)) Z.row(i) /= norms(i);
  }
  Eigen::MatrixXd rdm = Eigen::MatrixXd::Ones(n, n);
  rdm.noalias() -= Z * Z.transpose();
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index i = 0; i < n; ++i) {
    if (constant(i)) {
      rdm.row(i).setConstant(nan);
      rdm.col(i).setConstant(nan);
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) rdm(i, i) = 0.0;
  // Rounding can leave 1 - r a hair outside [0, 2]; NaN stays NaN.
  return rdm.unaryExpr([](double v) { return std::isnan(v) ? v : std::clamp(v, 0.0, 2.0); });
}

Eigen::VectorXd upper_triangle(const Eigen::MatrixXd& m) {
  const Eigen::Index n = m.rows();
  Eigen::VectorXd v(n * (n - 1) / 2);
  Eigen::Index k = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) v(k++) = m(i, j);
  }
  return v;
}

RdmComparison parse_rdm_comparison(const std::string& name) {
  if (name == "spearman") return RdmComparison::kSpearman;
  if (name == "kendall" || name == "kendall_tau_a") return RdmComparison::kKendallTauA;
  throw std::invalid_argument("unknown RDM comparison '" + name +
                              "': expected spearman or kendall");
}

std::string to_string(RdmComparison c) {
  return c == RdmComparison::kSpearman ? "spearman" : "kendall_tau_a";
}

RsaResult compare_rdms(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, RdmComparison how) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.rows() != a.cols()) {
    throw std::invalid_argument("compare_rdms: RDMs must be square and of the same size");
  }
  const Eigen::VectorXd ua = upper_triangle(a), ub = upper_triangle(b);
  RsaResult r;
  Eigen::VectorXd x(ua.size()), y(ua.size());
  for (Eigen::Index k = 0; k < ua.size(); ++k) {
    if (std::isfinite(ua(k)) && std::isfinite(ub(k))) {
      x(r.pairs_used) = ua(k);
      y(r.pairs_used) = ub(k);
      ++r.pairs_used;
    } else {
      ++r.pairs_skipped;
    }
  }
  if (r.pairs_used < 3) {
    throw std::invalid_argument(
        "RSA needs at least 3 stimulus pairs with defined dissimilarities (" +
        std::to_string(r.pairs_used) + " here)");
  }
  x.conservativeResize(r.pairs_used);
  y.conservativeResize(r.pairs_used);
  r.score = how == RdmComparison::kSpearman ? spearman(x, y) : kendall_tau_a(x, y);
  return r;
}

RsaResult rsa(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, RdmComparison how) {
  if (X.rows() != Y.rows())
    throw std::invalid_argument("rsa: X and Y need the same stimuli (rows)");
  return compare_rdms(correlation_rdm(X), correlation_rdm(Y), how);
}

}  // namespace gaitsim::analysis
