// Rate noise and averaging (biology.md 4; docs/biology.md, "Noise in the rates") against closed
// forms: the stationary variance of the Euler-Maruyama Ornstein-Uhlenbeck state, the variance of
// its trailing average, the delta-coordinate scaling of the target phase's noise, reproducible
// counter-based draws, noise 0 bitwise noiseless, the angle to BP rising with sigma / gamma, and
// bad keys refused by name.
//
// Statistics. Each variance is estimated from n = (batch x units) independent states (the draws of
// different units and samples are independent). For zero-mean normal values the estimate
// (1/n) sum x^2 has relative standard deviation sqrt(2/n): 1% at n = 20000, 1.25% at 12800. The
// tolerances below are 6% (about five standard deviations), far below the 33% by which
// Euler-Maruyama's variance at dt = tau / 2 differs from the continuous sigma^2, which the tests
// also tell apart.
#include <gtest/gtest.h>

#include <cmath>

#include "../sim/test_nets.hpp"
#include "neurons/trailing_average.hpp"
#include "sim/alignment.hpp"
#include "sim/settling_phases.hpp"

namespace gaitsim {
namespace {

using testing::NetSpec;

// Euler-Maruyama's OU recursion x' = rho x + sigma sqrt(2 dt / tau) xi, rho = 1 - dt / tau, has
// the stationary variance sigma^2 (2 dt / tau) / (1 - rho^2) = sigma^2 2 / (2 - dt / tau).
double euler_maruyama_variance(double sigma, double dt, double tau) {
  return sigma * sigma * 2.0 / (2.0 - dt / tau);
}

// Variance of the mean of m consecutive stationary AR(1) values of variance v and coefficient
// rho: v / m^2 (m + 2 sum_{k=1}^{m-1} (m - k) rho^k).
double ar1_mean_variance(double v, double rho, int m) {
  double s = m;
  for (int k = 1; k < m; ++k) s += 2.0 * (m - k) * std::pow(rho, k);
  return v * s / (double(m) * m);
}

double mean_square(const Mat<double>& x) { return x.squaredNorm() / double(x.size()); }

// One population of `width` units with no input (W = 0, b = 0): its state is pure OU noise.
Network<double> silent_population(int width) {
  NetSpec s;
  s.kind = "dense";
  s.widths = {4, width};
  s.activation = "leaky_relu";
  Network<double> net = testing::orthogonal_net(s);
  net.layer(1).in.W.setZero();
  net.layer(1).in.b.setZero();
  return net;
}

DynamicsConfig settle(double dt, double tau, double max_time, double average = 0) {
  DynamicsConfig d;
  d.mode = "settle";
  d.dt_ms = dt;
  d.tau_ms = tau;
  d.max_time_ms = max_time;
  d.average_ms = average;
  return d;
}

Mat<double> free_state(const DynamicsConfig& d, double sigma, int rows = 200, int width = 100) {
  const Network<double> net = silent_population(width);
  SettlingPhases<double> phases(d);
  RateNoise noise({sigma, 1, 0, 0});
  phases.set_noise(&noise);
  Activity<double> act;
  phases.free(net, Mat<double>::Ones(rows, 4), act);
  EXPECT_TRUE(phases.last_free().converged) << "a noisy phase ends after its fixed time";
  EXPECT_NEAR(phases.last_free().time_ms, d.max_time_ms, 1e-9);
  return act.a[1];
}

TEST(RateNoise, StationaryVarianceIsEulerMaruyamasClosedForm) {
  const double sigma = 0.3;
  for (const double dt : {5.0, 1.0}) {  // dt = tau / 2 and tau / 10
    const Mat<double> a = free_state(settle(dt, 10.0, 200.0), sigma);
    const double v = euler_maruyama_variance(sigma, dt, 10.0);
    EXPECT_NEAR(mean_square(a) / v, 1.0, 0.06) << "dt " << dt;
    EXPECT_NEAR(a.mean(), 0.0, 5 * std::sqrt(v / double(a.size())));
  }
  // at dt = tau / 2 the discrete variance is 4/3 sigma^2, not the continuous sigma^2
  const Mat<double> coarse = free_state(settle(5.0, 10.0, 200.0), sigma);
  EXPECT_GT(mean_square(coarse) / (sigma * sigma), 1.2);
}

TEST(RateNoise, AveragedStateHasTheVarianceOfTheMeanOfItsSamples) {
  const double sigma = 0.3, dt = 1.0, tau = 10.0, T = 100.0;
  const Mat<double> a = free_state(settle(dt, tau, T + 100.0, T), sigma);
  const int m = static_cast<int>(T / dt);
  const double exact = ar1_mean_variance(euler_maruyama_variance(sigma, dt, tau), 1 - dt / tau, m);
  EXPECT_NEAR(mean_square(a) / exact, 1.0, 0.06);
  // the continuous OU's 2 sigma^2 tau / T (1 - tau / T (1 - e^{-T/tau})) within its O(dt / tau)
  const double continuous = 2 * sigma * sigma * tau / T * (1 - tau / T * (1 - std::exp(-T / tau)));
  EXPECT_NEAR(mean_square(a) / continuous, 1.0, 0.15);
  EXPECT_LT(mean_square(a), 0.25 * sigma * sigma);
}

TEST(RateNoise, TrailingAverageKeepsTheLastWindow) {
  TrailingAverage<double> avg(20.0);
  for (int k = 1; k <= 10; ++k) avg.push(5.0, {double(k)});
  std::vector<double> out;
  avg.mean(out);
  EXPECT_EQ(avg.samples(), 4u);
  EXPECT_DOUBLE_EQ(out[0], (7 + 8 + 9 + 10) / 4.0);
  TrailingAverage<double> shorter(2.0);  // a window below one step: the last state
  shorter.push(5.0, {1.0});
  shorter.push(5.0, {3.0});
  shorter.mean(out);
  EXPECT_DOUBLE_EQ(out[0], 3.0);
}

// The target state v_l = h_l - u_l / mult_l carries OU noise of std sigma in rate units, so in
// delta coordinates u_{L-1} fluctuates by mult_{L-1} sigma = sigma / gamma about its noiseless
// fixed point (its drive r_L W_L^-1 comes from the clamped u_L alone).
TEST(RateNoise, TargetNoiseIsSigmaInRateUnitsSoSigmaOverGammaInDeltas) {
  NetSpec s;
  s.kind = "tower";
  s.widths = {16, 64, 64, 10};
  const Network<double> net = testing::orthogonal_net(s);
  const testing::Batch b = testing::random_batch(200, 16, 10);
  const double sigma = 1e-5, gamma = 1e-3, dt = 5.0, tau = 10.0;
  DynamicsConfig d = settle(dt, tau, 300.0);
  d.tol = 1e-12;
  auto rule = make_learning_rule<double>({"gait", gamma, false, 5});
  rule->prepare(net);
  SettlingPhases<double> clean(d), noisy(d);
  RateNoise noise({sigma, 1, 0, 0});
  noisy.set_noise(&noise);
  Activity<double> act;
  clean.free(net, b.x, act);
  const int L = net.depth();
  ErrorSignals<double> s0;
  s0.resize(L);
  s0.D[L] = Mat<double>::Random(200, 10) * 0.1;
  s0.mult[L] = ColVec<double>::Ones(200);
  ErrorSignals<double> s1 = s0;
  clean.target(net, *rule, act, s0);
  noisy.target(net, *rule, act, s1);
  const Mat<double> rate_noise = (s1.D[L - 1] - s0.D[L - 1]) * gamma;  // / mult_{L-1}
  EXPECT_NEAR(mean_square(rate_noise) / euler_maruyama_variance(sigma, dt, tau), 1.0, 0.06);
}

// ------------------------------------------------------------------ the engine
template <class T>
Network<double> trained(const std::string& mode, const RateNoiseParams* noise, int steps = 3) {
  NetSpec s;
  s.kind = "tower";
  s.widths = {16, 24, 20, 10};
  const Network<double> net = testing::orthogonal_net(s);
  DynamicsConfig d = settle(5.0, 10.0, 60.0, mode == "settle" ? 20.0 : 0.0);
  d.mode = mode;
  d.tol = 0.05;  // the noiseless runs converge within the 60 ms too
  Engine<T> e(net.template cast<T>(), testing::config_of(s).learning, 5, d);
  if (noise != nullptr) e.set_noise(*noise);
  const testing::Batch b = testing::random_batch(30, 16, 10);
  for (int k = 0; k < steps; ++k) {
    e.set_noise_step(k);
    e.step(b.x.cast<T>(), b.y);
  }
  return e.network().template cast<double>();
}

bool same_weights(const Network<double>& a, const Network<double>& b) {
  for (int l = 1; l <= a.depth(); ++l) {
    if (a.layer(l).in.W != b.layer(l).in.W || a.layer(l).in.b != b.layer(l).in.b) return false;
  }
  return true;
}

template <class T>
void expect_reproducible(const std::string& mode) {
  const RateNoiseParams one{1e-4, 1, 0, 0}, other{1e-4, 1, 7, 0}, off{0, 1, 0, 0};
  EXPECT_TRUE(same_weights(trained<T>(mode, &one), trained<T>(mode, &one))) << mode;
  EXPECT_FALSE(same_weights(trained<T>(mode, &one), trained<T>(mode, &other))) << mode;
  EXPECT_FALSE(same_weights(trained<T>(mode, &one), trained<T>(mode, nullptr))) << mode;
  EXPECT_TRUE(same_weights(trained<T>(mode, &off), trained<T>(mode, nullptr))) << mode;
}

TEST(RateNoise, SameSeedSameRunOtherSeedOtherRunZeroNoiseBitwiseNoiseless) {
  for (const char* mode : {"algebraic", "settle"}) {
    expect_reproducible<double>(mode);
    expect_reproducible<float>(mode);
  }
}

// A draw depends on (seeds, step, layer, phase, tick) only: a step's draws are the same whether or
// not other steps were drawn before it (what makes a resumed run bitwise the uninterrupted one).
TEST(RateNoise, DrawsAreCounterBased) {
  RateNoise a({1.0, 1, 0, 0}), b({1.0, 1, 0, 0}), other_stream({1.0, 1, 0, 1});
  std::vector<double> x, y, z;
  a.standard_normal({5, 2, NoisePhase::kTarget, 3}, 7, 9, x);
  b.standard_normal({4, 2, NoisePhase::kTarget, 3}, 7, 9, y);
  b.standard_normal({5, 2, NoisePhase::kTarget, 3}, 7, 9, y);
  EXPECT_EQ(x, y);
  for (const NoiseKey k :
       {NoiseKey{6, 2, NoisePhase::kTarget, 3}, NoiseKey{5, 1, NoisePhase::kTarget, 3},
        NoiseKey{5, 2, NoisePhase::kFree, 3}, NoiseKey{5, 2, NoisePhase::kTarget, 4}}) {
    a.standard_normal(k, 7, 9, z);
    EXPECT_NE(x, z);
  }
  other_stream.standard_normal({5, 2, NoisePhase::kTarget, 3}, 7, 9, z);
  EXPECT_NE(x, z);
  EXPECT_THROW(RateNoise({-1.0, 1, 0, 0}), std::invalid_argument);
}

// The angle of GAIT's update to BP's (on the same noisy free phase) rises with sigma / gamma:
// the target states' noise sigma becomes sigma / gamma^(L-l) in D_l (biology.md 4).
TEST(RateNoise, AngleToBpRisesWithSigmaOverGamma) {
  for (const bool adaptive : {false, true}) {
    NetSpec s;
    s.input = 32;
    s.hidden = 2;
    s.adaptive = adaptive;
    const Network<double> net = testing::orthogonal_net(s);
    const testing::Batch b = testing::random_batch(60, 32, 10);
    std::vector<double> angles;
    for (const double ratio : {0.0, 1e-3, 1e-1, 10.0}) {
      Engine<double> e(net, testing::config_of(s).learning, 5);
      e.set_noise({ratio * s.gamma, 1, 0, 0});
      angles.push_back(measure_alignment(e, b.x, b.y).layers[0].angle_deg);
    }
    EXPECT_LT(angles[0], adaptive ? 1.0 : 1e-3) << adaptive;
    EXPECT_LT(angles[1], angles[2]) << adaptive;
    EXPECT_LT(angles[2], angles[3]) << adaptive;
    EXPECT_GT(angles[3], 45.0) << adaptive;
  }
}

// bp and fa carry errors, not activities: their target phase is the noiseless sweep on the noisy
// free phase; gait and tp get the target noise too. Every rule steps finitely in both modes.
TEST(RateNoise, BpAndFaGetNoiseInTheFreePhaseOnly) {
  NetSpec s;
  s.input = 24;
  s.hidden = 2;
  const Network<double> net = testing::orthogonal_net(s);
  const testing::Batch b = testing::random_batch(20, 24, 10);
  RateNoise noise({1e-4, 1, 0, 0});
  for (const char* algorithm : {"bp", "fa", "gait", "tp"}) {
    auto rule = make_learning_rule<double>({algorithm, 1e-2, false, 5});
    rule->prepare(net);
    AlgebraicPhases<double> phases, clean;
    phases.set_noise(&noise);
    Activity<double> noisy, plain;
    phases.free(net, b.x, noisy);
    clean.free(net, b.x, plain);
    EXPECT_NE(noisy.h[1], plain.h[1]) << algorithm;
    ErrorSignals<double> with, without;
    for (auto* sig : {&with, &without}) {
      sig->resize(net.depth());
      sig->D[net.depth()] = noisy.h[net.depth()] * 0.1;
      sig->mult[net.depth()] = ColVec<double>::Ones(20);
    }
    phases.target(net, *rule, noisy, with);
    rule->propagate(net, noisy, without);
    const bool activity = rule->inverts_layers();
    EXPECT_EQ(with.D[1] != without.D[1], activity) << algorithm;
    for (const char* mode : {"algebraic", "settle"}) {
      NetSpec r = s;
      r.algorithm = algorithm;
      DynamicsConfig d = settle(5.0, 10.0, 60.0);
      d.mode = mode;
      Engine<double> e(net, testing::config_of(r).learning, 5, d);
      e.set_noise({1e-4, 1, 0, 0});
      EXPECT_NO_THROW(e.step(b.x, b.y)) << algorithm << " " << mode;
      EXPECT_TRUE(e.network().layer(1).in.W.allFinite());
    }
  }
}

// ------------------------------------------------------------------ keys
std::string refusal(const std::vector<std::string>& sets) {
  try {
    parse_config("data: {dataset: mnist}\n", "noise.yaml", sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RateNoise, BadKeysAreRefusedNamingTheKey) {
  EXPECT_NE(refusal({"noise.rate_std=-0.1"}).find("noise.rate_std"), std::string::npos);
  EXPECT_NE(refusal({"noise.rate_std=.inf"}).find("noise.rate_std"), std::string::npos);
  EXPECT_NE(refusal({"noise.seed=-1"}).find("noise.seed"), std::string::npos);
  EXPECT_NE(refusal({"dynamics.average_ms=-1"}).find("dynamics.average_ms"), std::string::npos);
  const std::string dopri5 =
      refusal({"noise.rate_std=0.1", "dynamics.mode=settle", "dynamics.stepper=dopri5"});
  EXPECT_NE(dopri5.find("dynamics.stepper"), std::string::npos) << dopri5;
  const std::string algebraic = refusal({"dynamics.average_ms=10"});
  EXPECT_NE(algebraic.find("dynamics.average_ms"), std::string::npos) << algebraic;
  const std::string longer =
      refusal({"dynamics.mode=settle", "dynamics.average_ms=50", "dynamics.max_time_ms=40"});
  EXPECT_NE(longer.find("dynamics.average_ms"), std::string::npos) << longer;
  EXPECT_EQ(refusal({"noise.rate_std=0.1", "dynamics.mode=settle", "dynamics.average_ms=20"}), "");
  // the library refuses it too, naming the key
  DynamicsConfig d = settle(5.0, 10.0, 100.0);
  d.stepper = "dopri5";
  SettlingPhases<double> phases(d);
  RateNoise noise({0.1, 1, 0, 0});
  try {
    phases.set_noise(&noise);
    ADD_FAILURE() << "dopri5 with noise accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dynamics.stepper"), std::string::npos);
  }
}

// Keys at their defaults stay out of the config text (run files of older builds unchanged).
TEST(RateNoise, DefaultKeysAreLeftOutOfTheConfigText) {
  const Config c = parse_config("data: {dataset: mnist}\n", "n.yaml", {});
  EXPECT_EQ(c.to_yaml().find("noise"), std::string::npos);
  EXPECT_EQ(c.to_yaml().find("average_ms"), std::string::npos);
  const Config n = parse_config("data: {dataset: mnist}\n", "n.yaml", {"noise.rate_std=0.5"});
  EXPECT_NE(n.to_yaml().find("rate_std: 0.5"), std::string::npos);
}

}  // namespace
}  // namespace gaitsim
