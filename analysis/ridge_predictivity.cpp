#include "analysis/ridge_predictivity.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "analysis/rank_correlation.hpp"

namespace gaitsim::analysis {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd take_rows(const MatrixXd& M, const std::vector<Index>& rows) {
  MatrixXd out(static_cast<Index>(rows.size()), M.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Index>(i)) = M.row(rows[i]);
  return out;
}

// A ridge fit on one training set, ready to predict evaluation rows for every alpha:
// prediction(alpha) = A diag(1 / (lambda + alpha)) B + y_mean.
struct RidgeFit {
  MatrixXd A;       // evaluation rows in the eigenbasis
  VectorXd lambda;  // eigenvalues of the Gram matrix (clamped at 0)
  MatrixXd B;       // eigenbasis^T X^T Y (feature form) or U^T Y (kernel form)
  Eigen::RowVectorXd y_mean;

  MatrixXd predict(double alpha) const {
    const VectorXd d = (lambda.array() + alpha).inverse();
    MatrixXd p = A * d.asDiagonal() * B;
    p.rowwise() += y_mean;
    return p;
  }
};

RidgeFit fit(const MatrixXd& Xtr_raw, const MatrixXd& Ytr, const MatrixXd& Xev_raw) {
  // Standardise with training statistics only.
  const Eigen::RowVectorXd mean = Xtr_raw.colwise().mean();
  MatrixXd Xtr = Xtr_raw.rowwise() - mean;
  MatrixXd Xev = Xev_raw.rowwise() - mean;
  const Eigen::RowVectorXd sd =
      (Xtr.colwise().squaredNorm() / static_cast<double>(std::max<Index>(1, Xtr.rows() - 1)))
          .cwiseSqrt();
  for (Index j = 0; j < Xtr.cols(); ++j) {
    const double s = sd(j) > 1e-12 ? sd(j) : 1.0;  // a constant feature stays 0 after centring
    Xtr.col(j) /= s;
    Xev.col(j) /= s;
  }
  RidgeFit f;
  f.y_mean = Ytr.colwise().mean();
  const MatrixXd Yc = Ytr.rowwise() - f.y_mean;
  if (Xtr.cols() <= Xtr.rows()) {  // feature form: X^T X = V L V^T
    Eigen::SelfAdjointEigenSolver<MatrixXd> eig(Xtr.transpose() * Xtr);
    f.lambda = eig.eigenvalues().cwiseMax(0.0);
    f.A = Xev * eig.eigenvectors();
    f.B = eig.eigenvectors().transpose() * (Xtr.transpose() * Yc);
  } else {  // kernel form: X X^T = U L U^T, beta = X^T U (L + a)^-1 U^T y
    Eigen::SelfAdjointEigenSolver<MatrixXd> eig(Xtr * Xtr.transpose());
    f.lambda = eig.eigenvalues().cwiseMax(0.0);
    f.A = (Xev * Xtr.transpose()) * eig.eigenvectors();
    f.B = eig.eigenvectors().transpose() * Yc;
  }
  return f;
}

std::vector<Index> members(const std::vector<int>& fold, int k, bool in) {
  std::vector<Index> out;
  for (std::size_t i = 0; i < fold.size(); ++i) {
    if ((fold[i] == k) == in) out.push_back(static_cast<Index>(i));
  }
  return out;
}

}  // namespace

std::vector<double> default_alpha_grid() {
  std::vector<double> grid;
  for (int i = 0; i < 10; ++i) grid.push_back(std::pow(10.0, -2.0 + 9.0 * i / 9.0));
  return grid;
}

std::vector<int> fold_assignment(Index n, int folds, std::uint64_t seed) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  for (Index i = n - 1; i > 0; --i) {
    const auto j = static_cast<Index>(rng() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  std::vector<int> fold(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) fold[order[i]] = static_cast<int>(i % folds);
  return fold;
}

RidgeResult ridge_predictivity(const MatrixXd& X, const MatrixXd& Y, const RidgeOptions& o) {
  const Index n = X.rows(), m = Y.cols();
  if (Y.rows() != n) {
    throw std::invalid_argument("ridge: the layer has " + std::to_string(n) +
                                " stimuli, the responses " + std::to_string(Y.rows()));
  }
  if (o.folds < 2 || o.inner_folds < 2) throw std::invalid_argument("ridge: folds must be >= 2");
  if (o.alphas.empty()) throw std::invalid_argument("ridge: empty alpha grid");
  const Index smallest_train = n - (n + o.folds - 1) / o.folds;
  if (n < o.folds || smallest_train < 2 * o.inner_folds) {
    throw std::invalid_argument("ridge: " + std::to_string(n) + " stimuli are too few for " +
                                std::to_string(o.folds) + " outer and " +
                                std::to_string(o.inner_folds) + " inner folds");
  }
  const auto A = static_cast<Index>(o.alphas.size());
  const std::vector<int> outer = fold_assignment(n, o.folds, o.seed);
  RidgeResult res;
  res.predictions = MatrixXd::Zero(n, m);
  res.alpha = MatrixXd::Zero(o.folds, m);

#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < o.folds; ++k) {
    const std::vector<Index> train = members(outer, k, false), test = members(outer, k, true);
    const MatrixXd Xtr = take_rows(X, train), Ytr = take_rows(Y, train);
    // Inner CV: summed squared error per alpha and neuron.
    const std::vector<int> inner = fold_assignment(static_cast<Index>(train.size()), o.inner_folds,
                                                   o.seed + 1000003 * (k + 1));
    MatrixXd sse = MatrixXd::Zero(A, m);
    for (int j = 0; j < o.inner_folds; ++j) {
      const std::vector<Index> itr = members(inner, j, false), iev = members(inner, j, true);
      const MatrixXd Yev = take_rows(Ytr, iev);
      const RidgeFit f = fit(take_rows(Xtr, itr), take_rows(Ytr, itr), take_rows(Xtr, iev));
      for (Index a = 0; a < A; ++a) {
        sse.row(a) += (f.predict(o.alphas[a]) - Yev).colwise().squaredNorm();
      }
    }
    std::vector<Index> best(static_cast<std::size_t>(m), 0);
    for (Index c = 0; c < m; ++c) sse.col(c).minCoeff(&best[c]);
    const RidgeFit f = fit(Xtr, Ytr, take_rows(X, test));
    for (Index a = 0; a < A; ++a) {
      bool used = false;
      for (Index c = 0; c < m; ++c) used = used || best[c] == a;
      if (!used) continue;
      const MatrixXd p = f.predict(o.alphas[a]);
      for (Index c = 0; c < m; ++c) {
        if (best[c] != a) continue;
        for (std::size_t i = 0; i < test.size(); ++i)
          res.predictions(test[i], c) = p(static_cast<Index>(i), c);
        res.alpha(k, c) = o.alphas[a];
      }
    }
  }

  res.r.resize(m);
  std::vector<double> defined;
  for (Index c = 0; c < m; ++c) {
    res.r(c) = pearson(res.predictions.col(c), Y.col(c));
    if (std::isfinite(res.r(c))) defined.push_back(res.r(c));
  }
  res.neurons_used = static_cast<Index>(defined.size());
  if (defined.empty()) {
    res.median_r = std::numeric_limits<double>::quiet_NaN();
  } else {
    std::sort(defined.begin(), defined.end());
    const std::size_t h = defined.size() / 2;
    res.median_r = defined.size() % 2 ? defined[h] : 0.5 * (defined[h - 1] + defined[h]);
  }
  return res;
}

}  // namespace gaitsim::analysis
