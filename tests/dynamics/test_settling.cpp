// Settling dynamics against what they must equal (docs/dynamics.md): a single linear population
// against the exact exponential, Euler's first order as dt halves, the settled free and target
// phases and the weight updates against the algebraic forward pass and one-sweep targets, and
// bad input (config errors, non-convergence, divergence).
//
// Tolerance bound. A phase stops when the residual rho = max|dx/dt| * tau < tol. Near the fixed
// point x*, F(x) - x = -(I - J)(x - x*) with J the Jacobian of the fixed-point map, which is
// block-nilpotent (each layer is driven by one neighbour only), so
//   ||x - x*||_2 <= sum_{k<L} ||J||_2^k ||F(x) - x||_2 <= L * sqrt(#values) * tol
// when ||J||_2 <= 1: orthogonal W (and W^-1, W^T) and |f'| <= 1 (GAIT's r_l ~ d_l u_l, BP, FA).
// TP's top-down map has (f^-1)' up to 1/slope per layer, so its bound has (1/slope)^(L-1). The
// tests check the settled rates and deltas (Frobenius norm over the batch) against that bound, and
// the weight updates dW = mean h^T (D * d) against the same bound scaled by max|h| (rows of h^T are
// rates).
#include <gtest/gtest.h>

#include <cmath>

#include "../sim/test_nets.hpp"
#include "neurons/rate_dynamics.hpp"
#include "sim/settling_phases.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

// --------------------------------------------------------------- a single linear population
Network<double> single_population(double tau_unused = 0) {
  (void)tau_unused;
  Network<double> net;
  net.input = {"input", 2, 2, {"linear", 1.0}};
  TransferParams lin{"linear", 1.0};
  Mat<double> W(2, 3);
  W << 0.5, -1.0, 2.0, 1.5, 0.25, -0.75;
  RowVec<double> b(3);
  b << 0.1, -0.2, 0.3;
  net.layers.push_back({{"output", 3, 3, lin}, make_transfer(lin), {W, b}});
  net.classes = 3;
  return net;
}

struct Sampled {
  std::vector<double> t;
  std::vector<Mat<double>> a;
};

Sampled integrate_single(const RelaxParams& p, const Mat<double>& x) {
  const Network<double> net = single_population();
  FreeDynamics<double> sys(net, x, p.tau_ms);
  std::vector<double> a(sys.layout().size(), 0.0);
  Sampled out;
  relax(sys, a, sys.layout(), p, [&](double t, const std::vector<double>& s) {
    out.t.push_back(t);
    out.a.push_back(sys.layout().view(s, 0));
  });
  return out;
}

TEST(Relaxation, SingleLinearPopulationIsTheExactExponential) {
  const Network<double> net = single_population();
  Mat<double> x(2, 2);
  x << 1.0, -0.5, 0.3, 0.8;
  const Mat<double> a_inf = (x * net.layer(1).in.W).rowwise() + net.layer(1).in.b;
  RelaxParams p;
  p.tau_ms = 7.0;
  p.stepper = "dopri5";
  p.abs_tol = p.rel_tol = 1e-11;
  p.dt_ms = 0.1;
  p.tol = 1e-9;
  p.max_time_ms = 500;
  p.record_every_ms = 2.0;
  const Sampled s = integrate_single(p, x);
  ASSERT_GT(s.t.size(), 10u);
  for (std::size_t k = 0; k < s.t.size(); ++k) {
    // a(t) = a_inf + (a0 - a_inf) exp(-t/tau), a0 = 0
    const Mat<double> exact = a_inf * (1.0 - std::exp(-s.t[k] / p.tau_ms));
    EXPECT_LT((s.a[k] - exact).cwiseAbs().maxCoeff(), 1e-9) << "t = " << s.t[k];
    if (k + 1 < s.t.size()) {
      EXPECT_NEAR(s.t[k], 2.0 * double(k), 1e-9);  // lands on the grid
    }
  }
  // converged: residual below tol, final state at the fixed point to tol
  EXPECT_LT((s.a.back() - a_inf).cwiseAbs().maxCoeff(), 1e-8);
}

// Two linear populations in cascade with their own time constants: the second is driven by the
// first, whose step response is 1 - e^{-t/tau1}, so
//   a_2(t) = c b_2 (1 - e^{-t/tau2}) + c_1 W_2 (1 - (tau1 e^{-t/tau1} - tau2 e^{-t/tau2}) / (tau1 -
//   tau2))
// (c = 1; c_1 W_2 the first population's fixed point carried up).
TEST(Relaxation, PopulationsKeepTheirOwnTimeConstants) {
  Network<double> net = single_population();
  TransferParams lin{"linear", 1.0};
  Mat<double> W2(3, 2);
  W2 << 0.3, -0.6, 1.1, 0.2, -0.4, 0.9;
  RowVec<double> b2(2);
  b2 << 0.05, -0.15;
  net.layers.push_back({{"output", 2, 2, lin}, make_transfer(lin), {W2, b2}});
  net.classes = 2;
  Mat<double> x(2, 2);
  x << 1.0, -0.5, 0.3, 0.8;
  const double tau1 = 3.0, tau2 = 11.0;
  RelaxParams p;
  p.stepper = "dopri5";
  p.abs_tol = p.rel_tol = 1e-11;
  p.dt_ms = 0.1;
  p.tol = 1e-9;
  p.max_time_ms = 800;
  p.record_every_ms = 2.0;
  p.tau_ms = tau1;
  p.block_tau_ms = {tau1, tau2};
  FreeDynamics<double> sys(net, x, std::vector<double>{tau1, tau2});
  std::vector<double> a(sys.layout().size(), 0.0);
  const Mat<double> a1_inf = (x * net.layer(1).in.W).rowwise() + net.layer(1).in.b;
  const Mat<double> carried = a1_inf * W2;
  int samples = 0;
  const RelaxReport rep =
      relax(sys, a, sys.layout(), p, [&](double t, const std::vector<double>& s) {
        ++samples;
        const double e1 = std::exp(-t / tau1), e2 = std::exp(-t / tau2);
        const Mat<double> a1 = a1_inf * (1 - e1);
        const Mat<double> a2 =
            (carried * (1 - (tau1 * e1 - tau2 * e2) / (tau1 - tau2))).rowwise() + b2 * (1 - e2);
        EXPECT_LT((sys.layout().view(s, 0) - a1).cwiseAbs().maxCoeff(), 1e-8) << "t = " << t;
        EXPECT_LT((sys.layout().view(s, 1) - a2).cwiseAbs().maxCoeff(), 1e-8) << "t = " << t;
      });
  EXPECT_TRUE(rep.converged);
  EXPECT_GT(samples, 50);
  // the slow population sets the convergence time: about tau2 ln(|a2| / tol) >> tau1's
  EXPECT_GT(rep.convergence_time_ms, 10 * tau2);
}

TEST(Relaxation, EulerConvergesWithOrderOneAsDtHalves) {
  Mat<double> x(1, 2);
  x << 1.0, -0.5;
  const Network<double> net = single_population();
  const Mat<double> a_inf = (x * net.layer(1).in.W).rowwise() + net.layer(1).in.b;
  const double T = 10.0, tau = 5.0;
  const Mat<double> exact = a_inf * (1.0 - std::exp(-T / tau));
  std::vector<double> errors;
  for (double dt : {0.5, 0.25, 0.125, 0.0625}) {
    RelaxParams p;
    p.tau_ms = tau;
    p.dt_ms = dt;
    p.tol = 1e-300;  // run to T
    p.max_time_ms = T;
    const Sampled s = integrate_single(p, x);
    ASSERT_NEAR(s.t.back(), T, 1e-12);
    errors.push_back((s.a.back() - exact).cwiseAbs().maxCoeff());
  }
  for (std::size_t i = 1; i < errors.size(); ++i) {
    const double ratio = errors[i - 1] / errors[i];
    EXPECT_GT(ratio, 1.9) << "dt step " << i;
    EXPECT_LT(ratio, 2.1) << "dt step " << i;
  }
}

TEST(Relaxation, Dopri5ConvergesWithItsToleranceToTheFixedPoint) {
  Mat<double> x(1, 2);
  x << 0.2, 0.9;
  RelaxParams p;
  p.stepper = "dopri5";
  p.tol = 1e-10;
  p.max_time_ms = 1000;
  const Sampled s = integrate_single(p, x);
  const Network<double> net = single_population();
  const Mat<double> a_inf = (x * net.layer(1).in.W).rowwise() + net.layer(1).in.b;
  EXPECT_LT((s.a.back() - a_inf).cwiseAbs().maxCoeff(), 1e-9);
}

// --------------------------------------------- a rule known only to this test binary
// A linearised nudge with a fixed gamma_l = 1/2: r_l = gamma_l d_l * D_l, carried down by
// W_l^-1, mult_{l-1} = mult_l / gamma_l. It is registered here and nowhere else, so that it runs
// in both dynamics modes shows that the engine and the settling dynamics need nothing of a rule
// beyond its top_down step.
constexpr double kHalf = 0.5;

template <class T>
class HalfNudgeRule : public LearningRule<T> {
 public:
  std::string name() const override { return "test_half_nudge"; }
  bool inverts_layers() const override { return true; }
  void top_down(const Network<T>& /*net*/, const Activity<T>& act, int l, const Mat<T>& D,
                const ColVec<T>& mult, TopDownStep<T>& step) const override {
    step.gamma = ColVec<T>::Constant(D.rows(), T(kHalf));
    step.r = T(kHalf) * D.cwiseProduct(act.d[l]);
    step.mult = mult.cwiseQuotient(step.gamma);
    step.feedback = nullptr;
  }
};

const bool half_nudge_registered = [] {
  register_learning_rule(
      "test_half_nudge",
      [](const RuleParams&) { return std::make_unique<HalfNudgeRule<double>>(); },
      [](const RuleParams&) { return std::make_unique<HalfNudgeRule<float>>(); });
  return true;
}();

// The algebraic sweep of the test rule against its closed form, computed here with an explicit
// inverse: D_{l-1} = (d_l * D_l / 2) W_l^-1, mult_{l-1} = 2^(L-l+1), gamma_l = 1/2.
TEST(TestOnlyRule, AlgebraicSweepIsItsClosedForm) {
  ASSERT_TRUE(half_nudge_registered);
  NetSpec s;
  s.input = 20;
  s.hidden = 3;
  s.algorithm = "test_half_nudge";
  const Network<double> net = testing::orthogonal_net(s);
  const Batch b = testing::random_batch(7, s.input, s.classes);
  Engine<double> alg = testing::engine_of(s, net);
  Gradients<double> g;
  alg.updates(alg.rule(), b.x, b.y, g);
  const int L = net.depth();
  Mat<double> D = alg.signals().D[L];
  for (int l = L; l >= 2; --l) {
    D = (kHalf * D.cwiseProduct(alg.activity().d[l])) * net.layer(l).in.W.inverse();
    EXPECT_LE((alg.signals().D[l - 1] - D).norm(), 1e-12 * D.norm()) << "delta, layer " << l - 1;
    EXPECT_EQ(alg.signals().mult[l - 1],
              ColVec<double>::Constant(b.x.rows(), std::pow(2.0, L - l + 1)));
    EXPECT_EQ(alg.signals().gamma[l], ColVec<double>::Constant(b.x.rows(), kHalf));
  }
}

// A name already registered cannot be taken again: the built-in rule stays what it was.
TEST(TestOnlyRule, RegisteringATakenNameFails) {
  const auto make = [](const RuleParams&) { return std::make_unique<HalfNudgeRule<double>>(); };
  const auto make_float = [](const RuleParams&) {
    return std::make_unique<HalfNudgeRule<float>>();
  };
  EXPECT_THROW(register_learning_rule("gait", make, make_float), std::invalid_argument);
  EXPECT_EQ(make_learning_rule<double>({"gait", 1e-3, false, 1})->name(), "gait");
}

// ------------------------------------------------------- settled phases == algebraic phases
struct EqCase {
  std::string kind, activation, algorithm, feedback, stepper;
  bool adaptive = false;
};

std::string name_of(const EqCase& c) {
  return c.kind + "_" + c.activation + "_" + c.algorithm + (c.adaptive ? "adaptive" : "") + "_" +
         c.feedback + "_" + c.stepper;
}

std::string label(const ::testing::TestParamInfo<EqCase>& info) { return name_of(info.param); }

// What GoogleTest (and so ctest's test names) prints for GetParam(), instead of a byte dump.
void PrintTo(const EqCase& c, std::ostream* os) { *os << name_of(c); }

class SettledEqualsAlgebraic : public ::testing::TestWithParam<EqCase> {};

TEST_P(SettledEqualsAlgebraic, RatesTargetsAndUpdates) {
  const EqCase& c = GetParam();
  NetSpec s;
  s.kind = c.kind;
  s.widths = {24, 24, 16, 12, 10};
  s.input = 24;
  s.hidden = 3;
  s.activation = c.activation;
  s.algorithm = c.algorithm;
  s.adaptive = c.adaptive;
  s.gamma = c.adaptive ? 1e-6 : 1e-3;
  const Network<double> net = testing::orthogonal_net(s);
  const Batch b = testing::random_batch(9, testing::input_width(s), s.classes);
  DynamicsConfig dyn;
  dyn.mode = "settle";
  dyn.feedback = c.feedback;
  dyn.stepper = c.stepper;
  dyn.tol = 1e-10;
  dyn.abs_tol = dyn.rel_tol = 1e-8;
  dyn.max_time_ms = 5000;
  Engine<double> settle(net, testing::config_of(s).learning, 5, dyn);
  Engine<double> alg = testing::engine_of(s, net);
  Gradients<double> gs, ga;
  settle.updates(settle.rule(), b.x, b.y, gs);
  alg.updates(alg.rule(), b.x, b.y, ga);
  const auto& rep = dynamic_cast<SettlingPhases<double>&>(settle.phases());
  ASSERT_TRUE(rep.last_free().converged);
  ASSERT_TRUE(rep.last_target().converged);
  const int L = net.depth();
  for (int l = 1; l <= L; ++l) {
    // ||J||_2 <= 1, except TP whose top-down map is (f^-1)' <= 1/slope per layer
    const double J = c.algorithm == "tp" && c.activation == "leaky_relu" ? 1.0 / 0.1 : 1.0;
    const auto bound = [&](const Mat<double>& m) {
      return double(L) * std::pow(J, L - 1) * std::sqrt(double(m.size())) * dyn.tol +
             1e-12 * m.norm();
    };
    const Mat<double>& h = alg.activity().h[l];
    EXPECT_LE((settle.activity().h[l] - h).norm(), bound(h)) << "rates, layer " << l;
    const Mat<double>& D = alg.signals().D[l];
    EXPECT_LE((settle.signals().D[l] - D).norm(), bound(D)) << "delta, layer " << l;
    if (l < L) {
      EXPECT_LE((settle.signals().mult[l] - alg.signals().mult[l]).norm(),
                1e-8 * alg.signals().mult[l].norm())
          << "mult, layer " << l;
    }
    const double hmax = std::max(1.0, alg.activity().h[l - 1].cwiseAbs().maxCoeff());
    EXPECT_LE((gs.dW[l] - ga.dW[l]).norm(), hmax * bound(D)) << "dW, layer " << l;
    EXPECT_LE((gs.db[l] - ga.db[l]).norm(), bound(D)) << "db, layer " << l;
  }
}

std::vector<EqCase> eq_cases() {
  std::vector<EqCase> cases;
  for (const char* kind : {"square", "tower"}) {
    for (const char* act : {"linear", "leaky_relu"}) {
      for (const char* fb : {"inverse", "transpose"}) {
        for (const char* st : {"euler", "dopri5"}) cases.push_back({kind, act, "gait", fb, st});
      }
    }
  }
  cases.push_back({"tower", "leaky_relu", "gait", "inverse", "euler", true});
  cases.push_back({"square", "leaky_relu", "gait", "transpose", "dopri5", true});
  for (const char* alg : {"tp", "bp", "fa"}) {
    cases.push_back({"tower", "leaky_relu", alg, "inverse", "euler"});
    cases.push_back({"square", "leaky_relu", alg, "transpose", "dopri5"});
  }
  // the rule defined above, through both feedback dynamics
  cases.push_back({"tower", "leaky_relu", "test_half_nudge", "inverse", "euler"});
  cases.push_back({"square", "leaky_relu", "test_half_nudge", "transpose", "dopri5"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Nets, SettledEqualsAlgebraic, ::testing::ValuesIn(eq_cases()), label);

// A training step in settle mode applies the same update as the algebraic one.
TEST(SettleEngine, StepMatchesAlgebraicStep) {
  NetSpec s;
  s.input = 20;
  const Network<double> net = testing::orthogonal_net(s);
  const Batch b = testing::random_batch(8, s.input, s.classes);
  DynamicsConfig dyn;
  dyn.mode = "settle";
  dyn.tol = 1e-11;
  Engine<double> settle(net, testing::config_of(s).learning, 5, dyn);
  Engine<double> alg = testing::engine_of(s, net);
  for (int i = 0; i < 3; ++i) {
    settle.step(b.x, b.y);
    alg.step(b.x, b.y);
  }
  for (int l = 1; l <= net.depth(); ++l) {
    EXPECT_LT((settle.network().layer(l).in.W - alg.network().layer(l).in.W).cwiseAbs().maxCoeff(),
              1e-9);
  }
  EXPECT_EQ(settle.phases().stats().free.runs, 3);
  EXPECT_EQ(settle.phases().stats().target.runs, 3);
  EXPECT_GT(settle.phases().stats().free.steps_mean(), 0);
}

// Per-population time constants: a list of equal values is the single number, bitwise; a list
// of different values changes the path, not the fixed point (the same step as the algebraic
// engine, as above); a list of the wrong length is refused naming the key.
TEST(SettleEngine, PerPopulationTauKeepsTheFixedPoint) {
  NetSpec s;
  s.input = 20;  // square, 2 hidden layers: L = 3
  const Network<double> net = testing::orthogonal_net(s);
  const Batch b = testing::random_batch(8, s.input, s.classes);
  DynamicsConfig dyn;
  dyn.mode = "settle";
  dyn.tol = 1e-11;
  dyn.dt_ms = 2.0;
  Engine<double> scalar(net, testing::config_of(s).learning, 5, dyn);
  dyn.population_tau_ms = {10, 10, 10};
  Engine<double> equal(net, testing::config_of(s).learning, 5, dyn);
  dyn.population_tau_ms = {2, 30, 4};
  Engine<double> mixed(net, testing::config_of(s).learning, 5, dyn);
  Engine<double> alg = testing::engine_of(s, net);
  scalar.step(b.x, b.y);
  equal.step(b.x, b.y);
  mixed.step(b.x, b.y);
  alg.step(b.x, b.y);
  for (int l = 1; l <= net.depth(); ++l) {
    EXPECT_EQ(scalar.network().layer(l).in.W, equal.network().layer(l).in.W) << "layer " << l;
    EXPECT_LT((mixed.network().layer(l).in.W - alg.network().layer(l).in.W).cwiseAbs().maxCoeff(),
              1e-9)
        << "layer " << l;
  }
  // the slowest population (30 ms) makes the free phase take longer than with 10 ms everywhere
  EXPECT_GT(mixed.phases().stats().free.time_mean(), scalar.phases().stats().free.time_mean());

  dyn.population_tau_ms = {10, 10};
  Engine<double> wrong(net, testing::config_of(s).learning, 5, dyn);
  try {
    wrong.step(b.x, b.y);
    ADD_FAILURE() << "a list of 2 taus for 3 populations was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("dynamics.tau_ms"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3 for this network"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------- bad input
Config parse(const std::string& dynamics_yaml) {
  return parse_config("dynamics:\n" + dynamics_yaml, "<test>", {});
}

void expect_config_error(const std::string& yaml, const std::string& key) {
  try {
    parse(yaml);
    ADD_FAILURE() << "no error for " << yaml;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
  }
}

TEST(SettleConfig, DefaultsKeepTheAlgebraicEngine) {
  const Config c = parse("  mode: algebraic\n");
  EXPECT_EQ(Config{}.dynamics.mode, "algebraic");
  EXPECT_EQ(c.dynamics.tau_ms, 10.0);
  EXPECT_EQ(make_phases<double>(Config{}.dynamics)->name(), "algebraic");
  EXPECT_EQ(make_phases<double>(parse("  mode: settle\n").dynamics)->name(), "settle");
}

TEST(SettleConfig, BadValuesNameTheKey) {
  expect_config_error("  tau_ms: 0\n", "dynamics.tau_ms");
  expect_config_error("  tau_ms: -3\n", "dynamics.tau_ms");
  expect_config_error("  dt_ms: 0\n", "dynamics.dt_ms");
  expect_config_error("  dt_ms: -1\n", "dynamics.dt_ms");
  expect_config_error("  tau_ms: 2\n  dt_ms: 3\n", "dynamics.dt_ms");  // dt > tau for euler
  expect_config_error("  tol: 0\n", "dynamics.tol");
  expect_config_error("  tol: 1.5\n", "dynamics.tol");
  expect_config_error("  abs_tol: 0\n", "dynamics.abs_tol");
  expect_config_error("  rel_tol: 2\n", "dynamics.rel_tol");
  expect_config_error("  max_time_ms: 0\n", "dynamics.max_time_ms");
  expect_config_error("  stepper: rk4\n", "dynamics.stepper");
  expect_config_error("  feedback: inv\n", "dynamics.feedback");
  expect_config_error("  mode: settled\n", "dynamics.mode");
  // dopri5 may start with a step larger than tau: it adapts
  EXPECT_NO_THROW(parse("  stepper: dopri5\n  tau_ms: 2\n  dt_ms: 3\n"));
}

class SettleFailure : public ::testing::Test {
 protected:
  NetSpec s;
  Network<double> net;
  Batch b;
  void SetUp() override {
    s.input = 16;
    net = testing::orthogonal_net(s);
    b = testing::random_batch(4, s.input, s.classes);
  }
};

TEST_F(SettleFailure, NonConvergenceWarnsNamingPhaseLayerAndResidual) {
  DynamicsConfig dyn;
  dyn.mode = "settle";
  dyn.max_time_ms = 10;  // two Euler steps
  Engine<double> engine(net, testing::config_of(s).learning, 5, dyn);
  Gradients<double> g;
  ::testing::internal::CaptureStderr();
  engine.updates(engine.rule(), b.x, b.y, g);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("free phase did not converge within 10 ms"), std::string::npos) << err;
  EXPECT_NE(err.find("layer "), std::string::npos) << err;
  EXPECT_NE(err.find("residual"), std::string::npos) << err;
  EXPECT_EQ(engine.phases().stats().free.not_converged, 1);

  dyn.fail_on_nonconvergence = true;
  Engine<double> strict(net, testing::config_of(s).learning, 5, dyn);
  EXPECT_THROW(strict.updates(strict.rule(), b.x, b.y, g), NonConvergence);
}

TEST_F(SettleFailure, NonFiniteDynamicsStopNamingPhaseLayerAndTime) {
  for (const char* stepper : {"euler", "dopri5"}) {
    Network<double> bad = net;
    bad.layer(2).in.W(0, 0) = std::numeric_limits<double>::quiet_NaN();
    DynamicsConfig dyn;
    dyn.mode = "settle";
    dyn.stepper = stepper;
    Engine<double> engine(bad, testing::config_of(s).learning, 5, dyn);
    try {
      engine.step(b.x, b.y);
      ADD_FAILURE() << "no Divergence with " << stepper;
    } catch (const Divergence& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("free phase diverged"), std::string::npos) << msg;
      EXPECT_NE(msg.find("layer 2"), std::string::npos) << msg;
      EXPECT_NE(msg.find("t = "), std::string::npos) << msg;
    }
  }
}

TEST_F(SettleFailure, UnstableDynamicsAreCaught) {
  // An Euler step of 2.5 tau makes the free phase oscillate with growing amplitude (|1 - h| > 1).
  DynamicsConfig dyn;
  dyn.mode = "settle";
  dyn.tau_ms = 1;
  dyn.dt_ms = 2.5;  // bypasses the config check on purpose
  dyn.max_time_ms = 1e6;
  Engine<double> engine(net, testing::config_of(s).learning, 5, dyn);
  EXPECT_THROW(engine.step(b.x, b.y), Divergence);
}

}  // namespace
}  // namespace gaitsim
