#include "analysis/noise_ceiling.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "analysis/rank_correlation.hpp"

namespace gaitsim::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check(const Repetitions& reps) {
  if (reps.size() < 2) {
    throw std::invalid_argument("a split-half noise ceiling needs at least 2 repetitions (" +
                                std::to_string(reps.size()) + " given)");
  }
  for (const auto& r : reps) {
    if (r.rows() != reps[0].rows() || r.cols() != reps[0].cols()) {
      throw std::invalid_argument("repetitions differ in shape");
    }
  }
}
}  // namespace

double spearman_brown(double r, double factor) { return factor * r / (1.0 + (factor - 1.0) * r); }

Eigen::MatrixXd nan_mean(const Repetitions& reps, const std::vector<int>& which) {
  if (which.empty()) throw std::invalid_argument("nan_mean: no repetitions");
  const auto& first = reps[static_cast<std::size_t>(which[0])];
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(first.rows(), first.cols());
  Eigen::MatrixXd count = Eigen::MatrixXd::Zero(first.rows(), first.cols());
  for (int r : which) {
    const auto& m = reps[static_cast<std::size_t>(r)];
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      for (Eigen::Index i = 0; i < m.rows(); ++i) {
        if (!std::isnan(m(i, j))) {
          sum(i, j) += m(i, j);
          count(i, j) += 1;
        }
      }
    }
  }
  return sum.binaryExpr(count, [](double s, double c) { return c > 0 ? s / c : kNaN; });
}

Eigen::MatrixXd nan_mean(const Repetitions& reps) {
  std::vector<int> all(reps.size());
  std::iota(all.begin(), all.end(), 0);
  return nan_mean(reps, all);
}

std::vector<std::pair<std::vector<int>, std::vector<int>>> split_halves(int repetitions, int splits,
                                                                        std::uint64_t seed) {
  if (repetitions < 2) throw std::invalid_argument("split halves need at least 2 repetitions");
  std::vector<std::pair<std::vector<int>, std::vector<int>>> out;
  for (int s = 0; s < splits; ++s) {
    std::vector<int> p(static_cast<std::size_t>(repetitions));
    std::iota(p.begin(), p.end(), 0);
    std::mt19937_64 rng(seed * 7919 + static_cast<std::uint64_t>(s));
    for (int i = repetitions - 1; i > 0; --i) {
      std::swap(p[i], p[rng() % static_cast<std::uint64_t>(i + 1)]);
    }
    const auto half = static_cast<std::ptrdiff_t>(repetitions / 2);
    out.emplace_back(std::vector<int>(p.begin(), p.begin() + half),
                     std::vector<int>(p.begin() + half, p.end()));
  }
  return out;
}

Ceiling split_half_ceiling(
    const Repetitions& reps,
    const std::function<double(const Eigen::MatrixXd&, const Eigen::MatrixXd&)>& metric, int splits,
    std::uint64_t seed) {
  check(reps);
  const Eigen::MatrixXd full = nan_mean(reps);
  const auto fill = [&](Eigen::MatrixXd m) {
    for (Eigen::Index k = 0; k < m.size(); ++k) {
      if (std::isnan(m.data()[k])) m.data()[k] = full.data()[k];
    }
    return m;
  };
  double sum = 0;
  for (const auto& [a, b] : split_halves(static_cast<int>(reps.size()), splits, seed)) {
    sum += metric(fill(nan_mean(reps, a)), fill(nan_mean(reps, b)));
  }
  Ceiling c;
  c.split_half = sum / splits;
  c.corrected = spearman_brown(c.split_half);
  return c;
}

Eigen::VectorXd neuron_reliability(const Repetitions& reps, int splits, std::uint64_t seed) {
  check(reps);
  const Eigen::Index n = reps[0].rows(), m = reps[0].cols();
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(m);
  for (const auto& [a, b] : split_halves(static_cast<int>(reps.size()), splits, seed)) {
    const Eigen::MatrixXd A = nan_mean(reps, a), B = nan_mean(reps, b);
    for (Eigen::Index j = 0; j < m; ++j) {
      Eigen::VectorXd x(n), y(n);
      Eigen::Index k = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (std::isfinite(A(i, j)) && std::isfinite(B(i, j))) {
          x(k) = A(i, j);
          y(k) = B(i, j);
          ++k;
        }
      }
      sum(j) += k >= 2 ? pearson(x.head(k), y.head(k)) : kNaN;
    }
  }
  Eigen::VectorXd out = sum / splits;
  for (Eigen::Index j = 0; j < m; ++j) out(j) = spearman_brown(out(j));
  return out;
}

}  // namespace gaitsim::analysis
