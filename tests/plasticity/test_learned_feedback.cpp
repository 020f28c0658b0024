// Learned feedback pathways (issue 15): learned mode with Q_l = W_l^-1 and no feedback learning
// against exact mode, the feedback update against central differences of the reconstruction
// loss, ||Q W - I|| on a fixed random orthogonal W against the contraction bound derived below,
// and the config keys.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include "../sim/test_nets.hpp"
#include "plasticity/feedback_plasticity.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

// ------------------------------------------------ learned (init inverse, eta = 0) == exact
struct EqCase {
  std::string precision, dynamics, algorithm, kind;
};

std::string name_of(const EqCase& c) {
  return c.precision + "_" + c.dynamics + "_" + c.algorithm + "_" + c.kind;
}
void PrintTo(const EqCase& c, std::ostream* os) { *os << name_of(c); }

class LearnedEqualsExact : public ::testing::TestWithParam<EqCase> {};

template <class T>
void expect_same_step(const EqCase& c) {
  NetSpec s;
  s.kind = c.kind;
  s.widths = {24, 24, 16, 12, 10};
  s.input = 24;
  s.hidden = 3;
  s.algorithm = c.algorithm;
  // not orthogonal, so that W^-1 differs from W^T
  const Network<double> net = testing::gaussian_net(s);
  const Batch b = testing::random_batch(9, testing::input_width(s), s.classes);
  Config cfg = testing::config_of(s);
  cfg.learning.optimizer = "sgd";  // the update itself, not Adam's sign-like first step
  cfg.learning.learning_rate = 1.0;
  cfg.dynamics.mode = c.dynamics;
  cfg.dynamics.tol = std::is_same_v<T, double> ? 1e-11 : 1e-6;
  cfg.dynamics.max_time_ms = 5000;
  FeedbackConfig learned;
  learned.mode = "learned";
  learned.init = "inverse";
  learned.learning_rate = 0.0;
  Engine<T> exact(net.template cast<T>(), cfg.learning, 5, cfg.dynamics);
  Engine<T> fb(net.template cast<T>(), cfg.learning, 5, cfg.dynamics, learned);
  const Mat<T> x = b.x.template cast<T>();
  exact.step(x, b.y);
  fb.step(x, b.y);
  // float64: the explicit inverse and the LU solve differ by rounding; float32: by eps_32 times
  // the depth; settling: by the convergence tolerance on both sides
  const double rel = std::is_same_v<T, double> ? (c.dynamics == "settle" ? 1e-6 : 1e-9) : 2e-3;
  for (int l = 1; l <= net.depth(); ++l) {
    const Mat<double> W0 = net.layer(l).in.W;
    const Mat<double> de = exact.network().layer(l).in.W.template cast<double>() - W0;
    const Mat<double> dl = fb.network().layer(l).in.W.template cast<double>() - W0;
    ASSERT_GT(de.norm(), 0.0) << "layer " << l << " did not learn";
    EXPECT_LE((dl - de).norm(), rel * de.norm()) << "layer " << l << ": " << (dl - de).norm();
  }
  // eta = 0 leaves Q_l at the exact inverse of the initial weights
  const Network<T> initial = net.template cast<T>();
  const double floor = std::is_same_v<T, double> ? 1e-12 : 1e-5;
  for (int l = 2; l <= net.depth(); ++l) {
    EXPECT_LT(fb.learned_feedback()->inverse_error(initial, l), floor) << "layer " << l;
  }
}

TEST_P(LearnedEqualsExact, OneStepAppliesTheSameUpdate) {
  if (GetParam().precision == "float64") {
    expect_same_step<double>(GetParam());
  } else {
    expect_same_step<float>(GetParam());
  }
}

std::vector<EqCase> eq_cases() {
  std::vector<EqCase> cases;
  for (const char* p : {"float64", "float32"}) {
    for (const char* d : {"algebraic", "settle"}) {
      cases.push_back({p, d, "gait", "tower"});
      cases.push_back({p, d, "tp", "square"});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Nets, LearnedEqualsExact, ::testing::ValuesIn(eq_cases()),
                         [](const auto& info) { return name_of(info.param); });

// ------------------------------------------------ gradient == central differences
TEST(FeedbackGradient, EqualsCentralDifferencesOfTheReconstructionLoss) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  const auto gauss = [&](Eigen::Index r, Eigen::Index c) {
    return Mat<double>(Mat<double>::NullaryExpr(r, c, [&] { return normal(rng); }));
  };
  const Eigen::Index k = 6, n = 6, N = 5;
  Projection<double> in;
  in.W = gauss(k, n);
  in.b = gauss(1, n);
  const Mat<double> h = gauss(N, k);
  Mat<double> Q = gauss(n, k);
  RowVec<double> c = gauss(1, k);
  Mat<double> dQ;
  RowVec<double> dc;
  reconstruction_loss(in, h, Q, c, &dQ, &dc);
  const double eps = 1e-6;
  const auto derivative = [&](double& p) {
    const double p0 = p;
    p = p0 + eps;
    const double up = reconstruction_loss(in, h, Q, c);
    p = p0 - eps;
    const double down = reconstruction_loss(in, h, Q, c);
    p = p0;
    return (up - down) / (2 * eps);
  };
  for (Eigen::Index i = 0; i < Q.rows(); ++i) {
    for (Eigen::Index j = 0; j < Q.cols(); ++j) {
      EXPECT_NEAR(dQ(i, j), derivative(Q(i, j)), 1e-6 * std::max(1.0, std::abs(dQ(i, j))));
    }
  }
  for (Eigen::Index j = 0; j < c.size(); ++j) {
    EXPECT_NEAR(dc(j), derivative(c(j)), 1e-6 * std::max(1.0, std::abs(dc(j))));
  }
}

// ------------------------------------------------ ||Q W - I|| falls to the derived bound
// With z = [h~, 1] and P = [Q; c], the reconstruction error is e = z Wa (P - P*), where
// Wa = diag(W, 1) and P* = [W^-1; 0] (the exact reconstruction: the loss's minimum for any
// noise). One SGD step is then Delta <- (I - eta A_t) Delta, A_t = Wa^T (z^T z / N) Wa, so
//     ||Delta_T||_F <= prod_t rho_t ||Delta_0||_F,   rho_t = ||I - eta A_t||_2,
// and ||Q W - I||_F <= ||Q - W^-1||_F ||W||_2 <= ||Delta||_F (W orthogonal). Rates confined to
// an r-dimensional subspace leave A_t singular without noise (rho_t = 1: the other directions
// never learn); noise of std sigma lifts its smallest eigenvalue to about sigma^2 (1 -
// sqrt(k / N))^2 for zero-mean data, hence rho ~ 1 - eta sigma^2 in those directions.
struct FeedbackRun {
  double error = 0;  // ||Q W - I||_F / sqrt(n) at the end
  double bound = 0;  // prod_t rho_t ||Delta_0||_F / sqrt(n)
  double start = 0;  // ||Q W - I||_F / sqrt(n) at the start
};

FeedbackRun learn_on_subspace(double sigma, int steps) {
  NetSpec s;
  s.input = 16;
  s.hidden = 1;  // L = 2: one inverted layer
  const Network<double> net = testing::orthogonal_net(s);
  const Mat<double>& W = net.layer(2).in.W;
  const Eigen::Index n = W.rows(), N = 64, r = 4;
  std::mt19937_64 rng(21);
  std::normal_distribution<double> normal(0.0, 1.0);
  const Mat<double> basis = random_orthogonal(r, n, rng);
  Activity<double> act;
  act.h.assign(3, Mat<double>());
  act.h[1] = Mat<double>::NullaryExpr(N, r, [&] { return normal(rng); }) * basis;
  LearnedFeedback<double> fb;
  fb.initialize(net, "random", 9);
  const FeedbackParams params{sigma, 0.5, 1, 13};
  FeedbackPlasticity<double> plasticity(params);
  Mat<double> Wa = Mat<double>::Identity(n + 1, n + 1);
  Wa.topLeftCorner(n, n) = W;
  Mat<double> delta(n + 1, n);
  delta << fb.Q[2] - W.inverse(), fb.c[2];
  FeedbackRun run{0, delta.norm() / std::sqrt(double(n)), fb.inverse_error(net, 2)};
  for (int t = 0; t < steps; ++t) {
    Mat<double> z = Mat<double>::Ones(N, n + 1);
    z.leftCols(n) = act.h[1] + (sigma > 0 ? plasticity.noise(t, 2, N, n) : Mat<double>::Zero(N, n));
    const Mat<double> A = Wa.transpose() * (z.transpose() * z / double(N)) * Wa;
    const Eigen::SelfAdjointEigenSolver<Mat<double>> eig(A);
    const double eta = params.learning_rate;
    run.bound *= std::max(std::abs(1 - eta * eig.eigenvalues().minCoeff()),
                          std::abs(1 - eta * eig.eigenvalues().maxCoeff()));
    plasticity.learn(net, act, fb);
  }
  EXPECT_EQ(plasticity.steps(), steps);
  run.error = fb.inverse_error(net, 2);
  return run;
}

TEST(FeedbackLearning, InverseErrorFallsBelowTheNoiseBound) {
  const FeedbackRun noisy = learn_on_subspace(0.3, 600);
  EXPECT_GT(noisy.start, 0.5);  // a random Q is far from the inverse
  EXPECT_LE(noisy.error, noisy.bound * (1 + 1e-9));
  EXPECT_LT(noisy.bound, 1e-3);  // sigma = 0.3 lifts every direction: about (1 - 0.5 * 0.09)^600
  EXPECT_LT(noisy.error, 1e-3);
}

TEST(FeedbackLearning, WithoutNoiseTheUnvisitedDirectionsNeverLearn) {
  const FeedbackRun clean = learn_on_subspace(0.0, 600);
  EXPECT_LE(clean.error, clean.bound * (1 + 1e-9));
  EXPECT_GT(clean.error, 0.25 * clean.start);  // 12 of 16 directions unseen
}

// ------------------------------------------------ the normalised step
// Regression: in the tower study (docs/learned-feedback.md) Q_2 went non-finite 100-450 steps
// after the forward weights began to learn, for every feedback step tried: the rates grew, and
// with them lambda_max of z^T z / N, past 2 / eta. The normalised step divides by the trace
// 1 + mean_n ||u_n||^2 >= lambda_max, so mu < 2 keeps every step a contraction at any scale.
struct ScaledRun {
  double start = 0;  // ||Q W - I||_F / sqrt(n) at the start
  double error = 0;  // the same after the steps
};

// Rates of layer 1 for an L = 2 net: `scale` times an n x k standard Gaussian batch from `seed`.
Activity<double> gaussian_rates(Eigen::Index n, Eigen::Index k, double scale, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Activity<double> act;
  act.h.assign(3, Mat<double>());
  act.h[1] = scale * Mat<double>::NullaryExpr(n, k, [&] { return normal(rng); });
  return act;
}

// Feedback learning of layer 2 of an orthogonal net on `scale` times a standard Gaussian batch
// (what growing rates do to A_t: its eigenvalues scale with scale^2).
ScaledRun learn_at_scale(double scale, bool normalized, double rate, int steps) {
  NetSpec s;
  s.input = 16;
  s.hidden = 1;
  const Network<double> net = testing::orthogonal_net(s);
  const Activity<double> act = gaussian_rates(64, 16, scale, 5);
  LearnedFeedback<double> fb;
  fb.initialize(net, "random", 9);
  FeedbackPlasticity<double> plasticity(FeedbackParams{0.1, rate, 1, 13, normalized});
  ScaledRun run{fb.inverse_error(net, 2), 0};
  for (int t = 0; t < steps; ++t) plasticity.learn(net, act, fb);
  run.error = fb.inverse_error(net, 2);
  return run;
}

TEST(FeedbackLearning, AFixedStepThatConvergesDivergesOnceTheRatesGrowTenfold) {
  // scale 1: eigenvalues of A_t in about [0.25, 2.25] (N = 64, k = 16), eta = 0.03 contracts;
  // scale 10: lambda_max ~ 225, |1 - eta lambda_max| ~ 5.8 per step
  const ScaledRun calm = learn_at_scale(1, false, 0.03, 300);
  EXPECT_LT(calm.error, 0.5 * calm.start);
  const ScaledRun grown = learn_at_scale(10, false, 0.03, 50);
  EXPECT_GT(grown.error, 1e6 * grown.start);
}

TEST(FeedbackLearning, TheNormalisedStepConvergesAtEveryScaleOfTheRates) {
  // eta_t lambda_min ~ mu 0.25 / 17 per step at every scale (the trace grows with lambda_min)
  for (double scale : {0.1, 1.0, 10.0, 100.0}) {
    const ScaledRun run = learn_at_scale(scale, true, 1.0, 400);
    EXPECT_LT(run.error, 0.05 * run.start) << "scale " << scale;
  }
}

TEST(FeedbackLearning, TheNormalisedStepIsMuOverOnePlusTheDrivePower) {
  NetSpec s;
  s.input = 12;
  s.hidden = 1;
  const Network<double> net = testing::gaussian_net(s);
  const Activity<double> act = gaussian_rates(10, 12, 3.0, 8);
  LearnedFeedback<double> fb;
  fb.initialize(net, "random", 4);
  const Mat<double> Q0 = fb.Q[2];
  const RowVec<double> c0 = fb.c[2];
  const double mu = 0.7;
  FeedbackPlasticity<double>(FeedbackParams{0.0, mu, 1, 13, true}).learn(net, act, fb);
  // independently: u = h W_2, e = u Q + c - h, eta_t = mu / (1 + mean_n ||u_n||^2)
  const Mat<double>& h = act.h[1];
  const Mat<double> u = h * net.layer(2).in.W;
  const Mat<double> e = (u * Q0).rowwise() + c0 - h;
  const double n = double(h.rows()), eta = mu / (1 + u.squaredNorm() / n);
  const Mat<double> Q1 = Q0 - eta * u.transpose() * e / n;
  const RowVec<double> c1 = c0 - eta * e.colwise().sum() / n;
  EXPECT_LT((fb.Q[2] - Q1).norm(), 1e-12 * Q1.norm());
  EXPECT_LT((fb.c[2] - c1).norm(), 1e-12 * std::max(1.0, c1.norm()));
}

// ------------------------------------------------ config keys
void expect_refused(const std::vector<std::string>& sets, const std::string& key) {
  try {
    parse_config("learning:\n  epochs: 2\n", "<test>", sets);
    ADD_FAILURE() << "accepted: " << sets.back();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

TEST(FeedbackConfig, DefaultsKeepTheExactInverse) {
  const Config c = parse_config("learning:\n  epochs: 1\n", "<test>", {});
  EXPECT_EQ(c.feedback.mode, "exact");
  const Config l = parse_config("feedback:\n  mode: learned\n  init: transpose\n", "<test>", {});
  EXPECT_EQ(l.feedback.mode, "learned");
  EXPECT_EQ(l.feedback.init, "transpose");
}

TEST(FeedbackConfig, BadKeysAreRefusedByName) {
  expect_refused({"feedback.mode=approx"}, "feedback.mode");
  expect_refused({"feedback.init=zeros"}, "feedback.init");
  expect_refused({"feedback.noise_std=-0.1"}, "feedback.noise_std");
  expect_refused({"feedback.noise_std=.nan"}, "feedback.noise_std");
  expect_refused({"feedback.learning_rate=-1"}, "feedback.learning_rate");
  expect_refused({"feedback.steps_per_batch=0"}, "feedback.steps_per_batch");
  expect_refused({"feedback.warmup_epochs=-1"}, "feedback.warmup_epochs");
  expect_refused({"feedback.noise=0.1"}, "feedback.noise");
  expect_refused({"feedback.step=adaptive"}, "feedback.step");
  expect_refused({"feedback.mode=learned", "feedback.step=normalized", "feedback.learning_rate=2"},
                 "feedback.learning_rate");
  expect_refused({"feedback.mode=learned", "feedback.warmup_epochs=2"}, "feedback.warmup_epochs");
  expect_refused({"feedback.mode=learned", "learning.algorithm=bp"}, "learning.algorithm");
  expect_refused({"feedback.mode=learned", "learning.algorithm=fa"}, "learning.algorithm");
  expect_refused({"feedback.mode=learned", "dynamics.mode=settle", "dynamics.feedback=transpose"},
                 "dynamics.feedback");
}

TEST(FeedbackConfig, ConvLayersAreRefused) {
  NetSpec s;
  s.kind = "cnn";
  s.image = {2, 7, 6};
  LayerSpec conv, dense;
  conv.filters = 3;
  dense.kind = "dense";
  dense.units = 4;
  s.layers = {conv, conv, dense};
  s.classes = 4;
  const Network<double> net = build_network(testing::config_of(s), testing::input_width(s), 4);
  FeedbackConfig fb;
  fb.mode = "learned";
  try {
    Engine<double> e(net, testing::config_of(s).learning, 5, {}, fb);
    ADD_FAILURE() << "a conv layer was given learned feedback";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dense square"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gaitsim
