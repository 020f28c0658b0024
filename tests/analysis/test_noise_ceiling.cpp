// Noise ceilings by simulation: recordings generated from a known model plus noise, at several
// noise levels and repetition counts. The ceiling is the score the true model (the noise-free
// signal) is expected to reach, so the true model's normalised score must be 1 within its
// sampling error, and never systematically above 1; RSA's bounds must bracket it.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <ostream>
#include <random>
#include <string>

#include "analysis/cka.hpp"
#include "analysis/noise_ceiling.hpp"
#include "analysis/rank_correlation.hpp"
#include "analysis/rdm.hpp"
#include "analysis/ridge_predictivity.hpp"

namespace gaitsim::analysis {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

struct Draw {
  MatrixXd layer, signal;  // the model layer and the true signal S = f(layer W)
  Repetitions reps;        // S + noise, heteroscedastic over stimuli
};

// 200 stimuli, a 60-unit layer, 40 neurons: S = tanh(layer W) scaled per neuron, each
// repetition S + sigma c_i e with c_i in [0.5, 1.5) per stimulus and e standard normal.
Draw simulate(int R, double sigma, bool linear, std::uint64_t seed) {
  const Index n = 200, u = 60, m = 40;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  std::uniform_real_distribution<double> unif;
  const auto randn = [&](Index r, Index c) {
    MatrixXd x(r, c);
    for (Index k = 0; k < x.size(); ++k) x.data()[k] = g(rng);
    return x;
  };
  Draw d;
  d.layer = randn(n, u);
  const MatrixXd drive = d.layer * randn(u, m) / std::sqrt(double(u));
  d.signal = linear ? drive : MatrixXd(drive.array().tanh());
  for (Index j = 0; j < m; ++j) d.signal.col(j) *= 1.0 + unif(rng);
  VectorXd c(n);
  for (Index i = 0; i < n; ++i) c(i) = 0.5 + unif(rng);
  for (int r = 0; r < R; ++r) d.reps.push_back(d.signal + sigma * c.asDiagonal() * randn(n, m));
  return d;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

// Mean and standard error over draws.
struct Stat {
  std::vector<double> x;
  double mean() const { return std::accumulate(x.begin(), x.end(), 0.0) / double(x.size()); }
  double se() const {
    double s = 0;
    for (double v : x) s += (v - mean()) * (v - mean());
    return std::sqrt(s / double(x.size() - 1) / double(x.size()));
  }
};

constexpr int kDraws = 8, kSplits = 2;

struct Condition {
  int R;
  double sigma;
};

// ctest names the parameter by this, not by a hex dump of its bytes.
void PrintTo(const Condition& c, std::ostream* os) { *os << "R=" << c.R << " sigma=" << c.sigma; }

class TrueModel : public ::testing::TestWithParam<Condition> {};

// Tolerance: 3 standard errors of the mean over the draws, plus 0.01 for the ratio estimators'
// own bias (second order in the sampling error of the estimated terms).
void expect_one(const Stat& s, const char* what, const Condition& c) {
  const double tol = 3 * s.se() + 0.01;
  std::printf("R=%d sigma=%.2f %-14s normalised %.4f +- %.4f (se)\n", c.R, c.sigma, what, s.mean(),
              s.se());
  EXPECT_NEAR(s.mean(), 1.0, tol) << what << " R=" << c.R << " sigma=" << c.sigma;
}

TEST_P(TrueModel, ScoresItsCeiling) {
  const Condition c = GetParam();
  Stat rsa_lo, rsa_hi, cka, dcka, neuron_r;
  for (int k = 0; k < kDraws; ++k) {
    const Draw d = simulate(c.R, c.sigma, false, 1000 * c.R + 100 * c.sigma + k);
    const MatrixXd Y = nan_mean(d.reps);
    const double score = rsa(d.signal, Y).score;
    const Ceiling rc = rsa_ceiling(d.reps, RdmComparison::kSpearman, kSplits, k);
    EXPECT_LE(rc.lower, rc.upper);
    rsa_lo.x.push_back(score / rc.lower);
    rsa_hi.x.push_back(score / rc.upper);
    cka.x.push_back(linear_cka(d.signal, Y) / cka_ceiling(d.reps, kSplits, k).ceiling);
    dcka.x.push_back(linear_cka_debiased(d.signal, Y) /
                     cka_debiased_ceiling(d.reps, kSplits, k).ceiling);
    // Ridge's score is a median Pearson r per neuron; the true model predicts S exactly.
    std::vector<double> r;
    for (Index j = 0; j < Y.cols(); ++j) r.push_back(pearson(d.signal.col(j), Y.col(j)));
    neuron_r.x.push_back(median(r) / median_neuron_ceiling(neuron_reliability(d.reps, kSplits, k)));
  }
  expect_one(cka, "cka", c);
  expect_one(dcka, "cka_debiased", c);
  expect_one(neuron_r, "neuron r", c);
  // RSA: the true score lies between the bounds (normalised by the upper bound <= 1).
  std::printf("R=%d sigma=%.2f rsa / lower %.4f +- %.4f, rsa / upper %.4f +- %.4f\n", c.R, c.sigma,
              rsa_lo.mean(), rsa_lo.se(), rsa_hi.mean(), rsa_hi.se());
  EXPECT_GE(rsa_lo.mean(), 1.0 - 3 * rsa_lo.se());
  EXPECT_LE(rsa_hi.mean(), 1.0 + 3 * rsa_hi.se());
}

INSTANTIATE_TEST_SUITE_P(NoiseLevelsAndRepetitions, TrueModel,
                         ::testing::Values(Condition{2, 0.5}, Condition{2, 1.0}, Condition{2, 1.5},
                                           Condition{3, 1.0}, Condition{4, 0.5}, Condition{4, 1.0},
                                           Condition{4, 2.0}),
                         [](const ::testing::TestParamInfo<Condition>& info) {
                           // e.g. R2_sigma150: 2 repetitions, noise sd 1.50
                           return "R" + std::to_string(info.param.R) + "_sigma" +
                                  std::to_string(std::lround(100 * info.param.sigma));
                         });

// The issue's case: recordings a linear map of a model layer plus noise, 4 repetitions. Ridge
// from the generating layer has to estimate the map, so it reaches at most the ceiling.
TEST(TrueModel, RidgeFromTheGeneratingLayerDoesNotExceedTheCeiling) {
  Stat s;
  for (int k = 0; k < 4; ++k) {
    const Draw d = simulate(4, 1.0, true, 77 + k);
    const double score = ridge_predictivity(d.layer, nan_mean(d.reps)).median_r;
    s.x.push_back(score / median_neuron_ceiling(neuron_reliability(d.reps, kSplits, k)));
  }
  std::printf("ridge normalised %.4f +- %.4f\n", s.mean(), s.se());
  EXPECT_LE(s.mean(), 1.0 + 3 * s.se());
  EXPECT_GT(s.mean(), 0.9);
}

// Odd R: unequal halves are solved exactly; with noiseless data every ceiling is 1.
TEST(NoiseCeiling, ReliabilityOfMeanClosedForms) {
  EXPECT_NEAR(reliability_of_mean(0.5, 2, 2, 4), spearman_brown(0.5), 1e-15);
  // a = 1, b = 2, R = 3, q = 1: r^2 = 1 / (2 * 1.5), reliability 1 / (1 + 1/3).
  EXPECT_NEAR(reliability_of_mean(std::sqrt(1.0 / 3.0), 1, 2, 3), 0.75, 1e-12);
  // p = 2, a = b = 1, R = 2, q = 1: r = 1/2, reliability 1 / (1 + 1/4).
  EXPECT_NEAR(reliability_of_mean(0.5, 1, 1, 2, 2.0), 0.8, 1e-12);
  EXPECT_EQ(reliability_of_mean(-0.1, 1, 1, 2), 0.0);
  EXPECT_EQ(reliability_of_mean(1.0, 1, 1, 2), 1.0);
  const Draw d = simulate(3, 0.0, false, 5);
  EXPECT_NEAR(cka_ceiling(d.reps, 3, 1).ceiling, 1.0, 1e-9);
  EXPECT_NEAR(cka_debiased_ceiling(d.reps, 3, 1).ceiling, 1.0, 1e-9);
  EXPECT_NEAR(rsa_ceiling(d.reps, RdmComparison::kSpearman, 3, 1).lower, 1.0, 1e-9);
  EXPECT_NEAR(median_neuron_ceiling(neuron_reliability(d.reps, 3, 1)), 1.0, 1e-9);
}

}  // namespace
}  // namespace gaitsim::analysis
