#include "analysis/noise_ceiling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include "analysis/cka.hpp"
#include "analysis/rank_correlation.hpp"

namespace gaitsim::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

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

// NaN entries of m replaced by those of `full`.
MatrixXd filled(MatrixXd m, const MatrixXd& full) {
  for (Index k = 0; k < m.size(); ++k) {
    if (std::isnan(m.data()[k])) m.data()[k] = full.data()[k];
  }
  return m;
}

MatrixXd centred(const MatrixXd& X) { return X.rowwise() - X.colwise().mean(); }

// Per stimulus i: t_i = sum over neurons of the sample variance over repetitions (n - 1 in the
// denominator, the k repetitions that are not NaN; 0 where fewer than 2 are): an unbiased
// estimate of tr(Sigma_i), the noise variance of one repetition of row i summed over neurons.
// And t2_i, an unbiased estimate of tr(Sigma_i)^2 (t_i^2 is biased: for Gaussian noise a sample
// variance v has E v^2 = sigma^4 (k + 1) / (k - 1), so t2_i = t_i^2 - sum_j 2 v_ij^2 / (k + 1)).
struct RowNoise {
  VectorXd t, t2;
};

RowNoise row_noise_variance(const Repetitions& reps) {
  const Index n = reps[0].rows(), m = reps[0].cols();
  RowNoise out{VectorXd::Zero(n), VectorXd::Zero(n)};
  for (Index i = 0; i < n; ++i) {
    double squares = 0;  // sum_j 2 v_ij^2 / (k + 1)
    for (Index j = 0; j < m; ++j) {
      double sum = 0, sum2 = 0, k = 0;
      for (const auto& r : reps) {
        if (std::isnan(r(i, j))) continue;
        sum += r(i, j);
        sum2 += r(i, j) * r(i, j);
        ++k;
      }
      if (k < 2) continue;
      const double v = std::max(0.0, (sum2 - sum * sum / k) / (k - 1));
      out.t(i) += v;
      squares += 2.0 * v * v / (k + 1);
    }
    out.t2(i) = out.t(i) * out.t(i) - squares;
  }
  return out;
}

}  // namespace

double spearman_brown(double r, double factor) { return factor * r / (1.0 + (factor - 1.0) * r); }

double reliability_of_mean(double r, int a, int b, int R, double exponent) {
  if (!(r > 0)) return std::isnan(r) ? kNaN : 0.0;
  if (r >= 1) return 1.0;
  const double A = std::pow(a, -exponent), B = std::pow(b, -exponent);
  // A B q^2 + (A + B) q + 1 - 1/r^2 = 0, the positive root.
  const double c = 1.0 - 1.0 / (r * r);
  const double q = (-(A + B) + std::sqrt((A + B) * (A + B) - 4.0 * A * B * c)) / (2.0 * A * B);
  return 1.0 / (1.0 + q * std::pow(R, -exponent));
}

MatrixXd nan_mean(const Repetitions& reps, const std::vector<int>& which) {
  if (which.empty()) throw std::invalid_argument("nan_mean: no repetitions");
  const auto& first = reps[static_cast<std::size_t>(which[0])];
  MatrixXd sum = MatrixXd::Zero(first.rows(), first.cols());
  MatrixXd count = MatrixXd::Zero(first.rows(), first.cols());
  for (int r : which) {
    const auto& m = reps[static_cast<std::size_t>(r)];
    for (Index j = 0; j < m.cols(); ++j) {
      for (Index i = 0; i < m.rows(); ++i) {
        if (!std::isnan(m(i, j))) {
          sum(i, j) += m(i, j);
          count(i, j) += 1;
        }
      }
    }
  }
  return sum.binaryExpr(count, [](double s, double c) { return c > 0 ? s / c : kNaN; });
}

MatrixXd nan_mean(const Repetitions& reps) {
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

double split_half_mean(const Repetitions& reps,
                       const std::function<double(const MatrixXd&, const MatrixXd&)>& metric,
                       int splits, std::uint64_t seed) {
  check(reps);
  const MatrixXd full = nan_mean(reps);
  double sum = 0;
  for (const auto& [a, b] : split_halves(static_cast<int>(reps.size()), splits, seed)) {
    sum += metric(filled(nan_mean(reps, a), full), filled(nan_mean(reps, b), full));
  }
  return sum / splits;
}

Ceiling rsa_ceiling(const Repetitions& reps, RdmComparison how, int splits, std::uint64_t seed) {
  const auto metric = [how](const MatrixXd& a, const MatrixXd& b) { return rsa(a, b, how).score; };
  const int R = static_cast<int>(reps.size()), a = R / 2, b = R - a;
  Ceiling c;
  c.split_half = split_half_mean(reps, metric, splits, seed);
  c.lower = std::sqrt(reliability_of_mean(c.split_half, a, b, R, 1.0));
  c.upper = std::sqrt(reliability_of_mean(c.split_half, a, b, R, 2.0));
  c.ceiling = c.upper;
  return c;
}

// With Y = S + N (N: the noise of the mean of R repetitions, rows independent, E N N^T = D =
// diag(d), d_i = t_i / R), K_X = H X X^T H:
//   E <K_S, K_Y> = ||K_S||^2 + <K_S, H D H> = ||K_S||^2 + sum_i d_i (K_S)_ii,
//   E (K_Y)_ii   = (K_S)_ii + (H D H)_ii,  (H D H)_ii = (1 - 2/n) d_i + sum(d) / n^2,
//   E <K_A, K_B> = ||K_S||^2 + sum_i (dA_i + dB_i)(K_S)_ii + tr(D_A H D_B H) for half means A, B
// with independent noise, dA = t / |A|, tr(D_A H D_B H) = (1 - 2/n) sum dA_i dB_i +
// sum(dA) sum(dB) / n^2. Solving for ||K_S||^2 and (K_S)_ii, with the products of noise
// variances taken from unbiased estimates (t2 for t_i^2; t is independent of the mean Y for
// Gaussian noise), gives the expected score
//   E CKA(S, Y) ~ (||K_S||^2 + sum_i d_i (K_S)_ii) / (||K_S|| ||K_Y||).
Ceiling cka_ceiling(const Repetitions& reps, int splits, std::uint64_t seed) {
  check(reps);
  const auto R = static_cast<double>(reps.size());
  const MatrixXd full = nan_mean(reps), Yc = centred(full);
  const auto n = static_cast<double>(full.rows());
  const RowNoise noise = row_noise_variance(reps);
  const VectorXd& t = noise.t;
  const double S1 = t.dot(Yc.rowwise().squaredNorm());                  // sum_i t_i (K_Y)_ii
  const double S2 = noise.t2.sum();                                     // sum_i t_i^2
  const double S3 = t.sum() * t.sum() - t.squaredNorm() + S2;           // (sum_i t_i)^2
  const double tKS = S1 - (1.0 - 2.0 / n) * S2 / R - S3 / (R * n * n);  // sum_i t_i (K_S)_ii
  const double trace_DHDH = (1.0 - 2.0 / n) * S2 + S3 / (n * n);        // times |A| |B|
  Ceiling c;
  double P = 0, half = 0;
  for (const auto& [a, b] : split_halves(static_cast<int>(reps.size()), splits, seed)) {
    const MatrixXd A = centred(filled(nan_mean(reps, a), full));
    const MatrixXd B = centred(filled(nan_mean(reps, b), full));
    const auto na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
    P += (A.transpose() * B).squaredNorm() - (1.0 / na + 1.0 / nb) * tKS - trace_DHDH / (na * nb);
    half += linear_cka(A, B);
  }
  P /= static_cast<double>(splits);
  c.split_half = half / static_cast<double>(splits);
  const double KY = (Yc.transpose() * Yc).norm();
  c.ceiling = P > 0 && KY > 0 ? std::clamp((P + tKS / R) / (std::sqrt(P) * KY), 0.0, 1.0) : 0.0;
  return c;
}

Ceiling cka_debiased_ceiling(const Repetitions& reps, int splits, std::uint64_t seed) {
  check(reps);
  Ceiling c;
  const double hSS = split_half_mean(reps, hsic_unbiased, splits, seed);
  c.split_half = split_half_mean(reps, linear_cka_debiased, splits, seed);
  const MatrixXd full = nan_mean(reps);
  const double hYY = hsic_unbiased(full, full);
  c.ceiling = hSS > 0 && hYY > 0 ? std::min(1.0, std::sqrt(hSS / hYY)) : 0.0;
  return c;
}

VectorXd neuron_reliability(const Repetitions& reps, int splits, std::uint64_t seed) {
  check(reps);
  const Index n = reps[0].rows(), m = reps[0].cols();
  VectorXd sum = VectorXd::Zero(m);
  for (const auto& [a, b] : split_halves(static_cast<int>(reps.size()), splits, seed)) {
    const MatrixXd A = nan_mean(reps, a), B = nan_mean(reps, b);
    for (Index j = 0; j < m; ++j) {
      VectorXd x(n), y(n);
      Index k = 0;
      for (Index i = 0; i < n; ++i) {
        if (std::isfinite(A(i, j)) && std::isfinite(B(i, j))) {
          x(k) = A(i, j);
          y(k) = B(i, j);
          ++k;
        }
      }
      sum(j) += k >= 2 ? pearson(x.head(k), y.head(k)) : kNaN;
    }
  }
  const int R = static_cast<int>(reps.size());
  VectorXd out = sum / splits;
  for (Index j = 0; j < m; ++j) out(j) = reliability_of_mean(out(j), R / 2, R - R / 2, R);
  return out;
}

double median_neuron_ceiling(const VectorXd& reliability) {
  std::vector<double> v;
  for (Index j = 0; j < reliability.size(); ++j) {
    if (std::isfinite(reliability(j))) v.push_back(std::sqrt(std::max(0.0, reliability(j))));
  }
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace gaitsim::analysis
