// The comparison metrics against independent computations: brute-force definitions, closed
// forms and invariances, on small cases.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <random>

#include "analysis/cka.hpp"
#include "analysis/noise_ceiling.hpp"
#include "analysis/rank_correlation.hpp"
#include "analysis/rdm.hpp"
#include "analysis/ridge_predictivity.hpp"

namespace gaitsim::analysis {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd randn(Eigen::Index r, Eigen::Index c, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  MatrixXd m(r, c);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = g(rng);
  return m;
}

MatrixXd random_orthogonal(Eigen::Index n, unsigned seed) {
  Eigen::HouseholderQR<MatrixXd> qr(randn(n, n, seed));
  return qr.householderQ();
}

// ---- rank correlations -------------------------------------------------------------------

TEST(RankCorrelation, PearsonOfKnownSamples) {
  VectorXd a(4), b(4);
  a << 1, 2, 3, 4;
  b << 2, 4, 6, 8.5;
  // numpy.corrcoef([1,2,3,4],[2,4,6,8.5])[0,1]
  EXPECT_NEAR(pearson(a, b), 0.9983814394570298, 1e-12);
  EXPECT_DOUBLE_EQ(pearson(a, -a), -1.0);
  EXPECT_TRUE(std::isnan(pearson(a, VectorXd::Constant(4, 3.0))));
  EXPECT_THROW(pearson(a, VectorXd::Zero(3)), std::invalid_argument);
}

TEST(RankCorrelation, AverageRanksShareTies) {
  VectorXd v(6);
  v << 10, 20, 20, 5, 30, 20;
  VectorXd expected(6);
  expected << 2, 4, 4, 1, 6, 4;
  EXPECT_EQ(average_ranks(v), expected);
}

TEST(RankCorrelation, SpearmanIsPearsonOfRanksAndMonotoneInvariant) {
  const VectorXd a = randn(50, 1, 1);
  const VectorXd b = a.array().exp() * 3 + 1;  // strictly increasing transform
  EXPECT_NEAR(spearman(a, b), 1.0, 1e-12);
  VectorXd x(5), y(5);
  x << 1, 2, 3, 4, 5;
  y << 5, 6, 7, 8, 7;
  // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]) = 0.8207826816681233
  EXPECT_NEAR(spearman(x, y), 0.8207826816681233, 1e-12);
}

double brute_tau_a(const VectorXd& a, const VectorXd& b) {
  double s = 0;
  const auto n = a.size();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double da = a(i) - a(j), db = b(i) - b(j);
      s += (da > 0) - (da < 0) == 0 || (db > 0) - (db < 0) == 0 ? 0
                                                                : ((da > 0) == (db > 0) ? 1 : -1);
    }
  }
  return s / (n * (n - 1) / 2.0);
}

TEST(RankCorrelation, KendallTauAMatchesTheDefinitionWithTies) {
  for (unsigned seed = 0; seed < 5; ++seed) {
    VectorXd a = randn(200, 1, seed), b = randn(200, 1, seed + 10) + a;
    a = a.array().round();  // many ties
    b = (b.array() * 2).round();
    EXPECT_NEAR(kendall_tau_a(a, b), brute_tau_a(a, b), 1e-12) << seed;
  }
  VectorXd x(4), y(4);
  x << 1, 2, 3, 4;
  y << 1, 3, 2, 4;  // 5 concordant, 1 discordant
  EXPECT_NEAR(kendall_tau_a(x, y), 4.0 / 6.0, 1e-15);
}

// ---- RDMs and RSA --------------------------------------------------------------------------

TEST(Rsa, RdmIsOneMinusPearsonBetweenStimulusPatterns) {
  const MatrixXd X = randn(7, 5, 3);
  const MatrixXd rdm = correlation_rdm(X);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(rdm(i, i), 0.0);
    for (int j = 0; j < 7; ++j) {
      if (i == j) continue;
      EXPECT_NEAR(rdm(i, j), 1.0 - pearson(X.row(i).transpose(), X.row(j).transpose()), 1e-12);
    }
  }
}

TEST(Rsa, IdenticalRepresentationsScoreOneAndScalingDoesNotMatter) {
  const MatrixXd X = randn(30, 12, 4);
  EXPECT_NEAR(rsa(X, X).score, 1.0, 1e-12);
  EXPECT_NEAR(rsa(X, X, RdmComparison::kKendallTauA).score, 1.0, 1e-12);
  // A pattern's correlation ignores its offset and scale, so per-stimulus affine maps keep RSA 1.
  MatrixXd Y = 3.0 * X;
  Y.array() += 7.0;
  EXPECT_NEAR(rsa(X, Y).score, 1.0, 1e-12);
  EXPECT_LT(rsa(X, randn(30, 12, 5)).score, 0.3);
}

TEST(Rsa, ComparesUpperTrianglesByRank) {
  const MatrixXd X = randn(9, 4, 6), Y = randn(9, 6, 7);
  const VectorXd a = upper_triangle(correlation_rdm(X)), b = upper_triangle(correlation_rdm(Y));
  ASSERT_EQ(a.size(), 36);
  EXPECT_NEAR(rsa(X, Y).score, spearman(a, b), 1e-14);
  EXPECT_NEAR(rsa(X, Y, RdmComparison::kKendallTauA).score, brute_tau_a(a, b), 1e-14);
}

TEST(Rsa, ConstantPatternsAreSkippedAndCounted) {
  MatrixXd X = randn(6, 4, 8);
  X.row(2).setConstant(1.5);
  const RsaResult r = rsa(X, X);
  EXPECT_EQ(r.pairs_skipped, 5);
  EXPECT_EQ(r.pairs_used, 10);
  EXPECT_NEAR(r.score, 1.0, 1e-12);
}

// ---- CKA -----------------------------------------------------------------------------------

MatrixXd centring(Eigen::Index n) {
  return MatrixXd::Identity(n, n) - MatrixXd::Constant(n, n, 1.0 / n);
}

// Kornblith et al. (2019) via Gram matrices: HSIC(K, L) = tr(K H L H) / (n-1)^2.
double gram_cka(const MatrixXd& X, const MatrixXd& Y) {
  const MatrixXd H = centring(X.rows());
  const MatrixXd K = H * X * X.transpose() * H, L = H * Y * Y.transpose() * H;
  return (K * L).trace() / std::sqrt((K * K).trace() * (L * L).trace());
}

// Song et al. (2012) unbiased HSIC, literally: zero the diagonals and sum.
double brute_hsic_u(const MatrixXd& X, const MatrixXd& Y) {
  const double n = X.rows();
  const MatrixXd Xc = X.rowwise() - X.colwise().mean(), Yc = Y.rowwise() - Y.colwise().mean();
  MatrixXd K = Xc * Xc.transpose(), L = Yc * Yc.transpose();
  K.diagonal().setZero();
  L.diagonal().setZero();
  const VectorXd one = VectorXd::Ones(X.rows());
  const double t = (K * L).trace() + one.dot(K * one) * one.dot(L * one) / ((n - 1) * (n - 2)) -
                   2.0 / (n - 2) * one.dot(K * L * one);
  return t / (n * (n - 3));
}

TEST(Cka, MatchesTheGramMatrixFormula) {
  const MatrixXd X = randn(20, 6, 11), Y = randn(20, 9, 12) + MatrixXd::Ones(20, 9);
  EXPECT_NEAR(linear_cka(X, Y), gram_cka(X, Y), 1e-12);
  const MatrixXd Z = X * randn(6, 9, 13) + 0.5 * Y;
  EXPECT_NEAR(linear_cka(X, Z), gram_cka(X, Z), 1e-12);
}

TEST(Cka, IdenticalIsOneAndInvariantToOrthogonalMapsAndIsotropicScaling) {
  const MatrixXd X = randn(40, 8, 14);
  EXPECT_NEAR(linear_cka(X, X), 1.0, 1e-12);
  EXPECT_NEAR(linear_cka_debiased(X, X), 1.0, 1e-12);
  const MatrixXd Q = random_orthogonal(8, 15);
  const MatrixXd Y = 4.2 * X * Q;
  EXPECT_NEAR(linear_cka(X, Y), 1.0, 1e-12);
  EXPECT_NEAR(linear_cka_debiased(X, Y), 1.0, 1e-12);
  const MatrixXd Z = randn(40, 5, 16);
  EXPECT_NEAR(linear_cka(X * Q * 0.3, Z), linear_cka(X, Z), 1e-12);
  EXPECT_NEAR(linear_cka_debiased(X * Q * 0.3, Z), linear_cka_debiased(X, Z), 1e-12);
  // ...but not to anisotropic scaling.
  VectorXd s = VectorXd::Ones(8);
  s(0) = 10;
  EXPECT_GT(std::abs(linear_cka(X * s.asDiagonal(), Z) - linear_cka(X, Z)), 1e-3);
}

TEST(Cka, DebiasedMatchesTheUnbiasedHsicDefinition) {
  const MatrixXd X = randn(15, 30, 17), Y = randn(15, 25, 18);
  EXPECT_NEAR(hsic_unbiased(X, Y), brute_hsic_u(X, Y), 1e-10 * std::abs(brute_hsic_u(X, X)));
  const double expected = brute_hsic_u(X, Y) / std::sqrt(brute_hsic_u(X, X) * brute_hsic_u(Y, Y));
  EXPECT_NEAR(linear_cka_debiased(X, Y), expected, 1e-10);
  // Few stimuli, many features: plain CKA of independent data is far from 0, debiased is near 0.
  const MatrixXd A = randn(12, 500, 19), B = randn(12, 500, 20);
  EXPECT_GT(linear_cka(A, B), 0.5);
  EXPECT_LT(std::abs(linear_cka_debiased(A, B)), 0.2);
  EXPECT_THROW(linear_cka_debiased(randn(3, 2, 1), randn(3, 2, 2)), std::invalid_argument);
}

// ---- ridge ---------------------------------------------------------------------------------

TEST(Ridge, FoldsAreBalancedAndDeterministic) {
  const auto a = fold_assignment(103, 10, 5), b = fold_assignment(103, 10, 5);
  EXPECT_EQ(a, b);
  std::vector<int> size(10, 0);
  for (int f : a) ++size[f];
  for (int s : size) EXPECT_TRUE(s == 10 || s == 11);
  EXPECT_NE(a, fold_assignment(103, 10, 6));
  EXPECT_EQ(default_alpha_grid().size(), 10u);
  EXPECT_DOUBLE_EQ(default_alpha_grid().front(), 1e-2);
  EXPECT_NEAR(default_alpha_grid().back(), 1e7, 1e-3);
}

TEST(Ridge, RecoversAKnownLinearMapAndFallsToChanceOnShuffledStimuli) {
  const MatrixXd X = randn(300, 20, 21);
  const MatrixXd W = randn(20, 8, 22);
  MatrixXd Y = X * W + 0.05 * randn(300, 8, 23);
  Y.rowwise() += Eigen::RowVectorXd::LinSpaced(8, -3, 3);  // offsets are fitted
  const RidgeResult r = ridge_predictivity(X, Y);
  EXPECT_GT(r.median_r, 0.99);
  EXPECT_EQ(r.neurons_used, 8);
  EXPECT_GT(r.r.minCoeff(), 0.99);
  EXPECT_EQ(r.alpha.rows(), 10);

  // Stimuli shuffled: the rows of Y no longer belong to those of X.
  std::vector<int> perm(300);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(24));
  MatrixXd Ys(300, 8);
  for (int i = 0; i < 300; ++i) Ys.row(i) = Y.row(perm[i]);
  const RidgeResult chance = ridge_predictivity(X, Ys);
  EXPECT_LT(std::abs(chance.median_r), 0.15);
}

TEST(Ridge, WorksWithMoreFeaturesThanStimuliAndSkipsConstantNeurons) {
  const MatrixXd X = randn(60, 150, 25);
  MatrixXd Y(60, 3);
  Y.col(0) = X.col(0) + X.col(7);
  Y.col(1).setConstant(2.0);  // zero variance: r undefined
  Y.col(2) = X.col(3);
  const RidgeResult r = ridge_predictivity(X, Y);
  EXPECT_TRUE(std::isnan(r.r(1)));
  EXPECT_EQ(r.neurons_used, 2);
  EXPECT_GT(r.r(0), 0.6);
  EXPECT_GT(r.r(2), 0.5);
  EXPECT_THROW(ridge_predictivity(randn(9, 3, 1), randn(9, 1, 2)), std::invalid_argument);
  EXPECT_THROW(ridge_predictivity(randn(20, 3, 1), randn(21, 1, 2)), std::invalid_argument);
}

// ---- noise ceiling -------------------------------------------------------------------------

TEST(NoiseCeiling, SpearmanBrownClosedForm) {
  EXPECT_DOUBLE_EQ(spearman_brown(0.5), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(spearman_brown(1.0), 1.0);
  EXPECT_DOUBLE_EQ(spearman_brown(0.0), 0.0);
  EXPECT_NEAR(spearman_brown(0.25, 4), 4 * 0.25 / (1 + 3 * 0.25), 1e-15);
}

// Responses = signal + noise: the reliability of the mean of R repetitions is
// s2 / (s2 + n2 / R). The split-half estimate, corrected, must recover it.
TEST(NoiseCeiling, RecoversTheKnownReliabilityOfSyntheticData) {
  const int n = 4000, m = 20, R = 4;
  const double noise_sd = std::sqrt(2.0);  // signal variance 1
  const MatrixXd signal = randn(n, m, 30);
  Repetitions reps;
  for (int r = 0; r < R; ++r) reps.push_back(signal + noise_sd * randn(n, m, 31 + r));
  const double expected = 1.0 / (1.0 + 2.0 / R);  // 2/3
  const VectorXd rel = neuron_reliability(reps, 10, 1);
  EXPECT_NEAR(rel.mean(), expected, 0.02);
  // The generic split-half path with a per-neuron Pearson metric gives the same.
  const auto per_neuron_mean_r = [](const MatrixXd& a, const MatrixXd& b) {
    double s = 0;
    for (Eigen::Index j = 0; j < a.cols(); ++j) s += pearson(a.col(j), b.col(j));
    return s / static_cast<double>(a.cols());
  };
  const double half = split_half_mean(reps, per_neuron_mean_r, 10, 1);
  EXPECT_NEAR(half, 0.5, 0.02);  // halves of 2 repetitions: 1 / (1 + 2/2)
  EXPECT_NEAR(reliability_of_mean(half, 2, 2, R), expected, 0.02);
  // Noiseless repetitions: ceiling 1.
  const Repetitions same(3, signal);
  EXPECT_NEAR(neuron_reliability(same, 4, 2).minCoeff(), 1.0, 1e-12);
  EXPECT_THROW(neuron_reliability(Repetitions{signal}, 2, 0), std::invalid_argument);
}

TEST(NoiseCeiling, NanMeanSkipsMissingRepetitions) {
  MatrixXd a(1, 2), b(1, 2);
  a << 1, NAN;
  b << 3, NAN;
  const MatrixXd m = nan_mean({a, b});
  EXPECT_DOUBLE_EQ(m(0, 0), 2.0);
  EXPECT_TRUE(std::isnan(m(0, 1)));
  b(0, 1) = 5;
  EXPECT_DOUBLE_EQ(nan_mean({a, b})(0, 1), 5.0);
}

}  // namespace
}  // namespace gaitsim::analysis
