// Cost of one settle-mode training step (dynamics.mode = settle) against the algebraic one, for
// the square 784-wide net (4 hidden layers, batch 60, GAIT, orthogonality term on), both
// steppers and both feedback pathways, plus each phase alone. Counters: integrator steps and
// right-hand-side evaluations per phase, and the step's cost in algebraic steps is the ratio of
// the times (docs/dynamics.md, "Speed").
#include <benchmark/benchmark.h>

#include <random>

#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "sim/settling_phases.hpp"

namespace {

using namespace gaitsim;

constexpr int kWidth = 784, kBatch = 60, kClasses = 10;

Config square_config() {
  Config c;
  c.network.kind = "square";
  c.network.hidden_layers = 4;
  c.learning.algorithm = "gait";
  c.learning.batch_size = kBatch;
  return c;
}

struct Inputs {
  Mat<double> x;
  Eigen::VectorXi y;
};

Inputs inputs() {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  Inputs in{Mat<double>::NullaryExpr(kBatch, kWidth, [&] { return u(rng); }),
            Eigen::VectorXi(kBatch)};
  for (int n = 0; n < kBatch; ++n) in.y(n) = n % kClasses;
  return in;
}

// mode: algebraic | euler | dopri5; feedback: inverse | transpose
void BM_SettleStep(benchmark::State& state, std::string mode, std::string feedback, double dt) {
  const Config c = square_config();
  DynamicsConfig dyn;
  if (mode != "algebraic") {
    dyn.mode = "settle";
    dyn.stepper = mode;
    dyn.feedback = feedback;
    dyn.dt_ms = dt;
  }
  Engine<double> engine(build_network(c, kWidth, kClasses), c.learning, 2, dyn);
  const Inputs in = inputs();
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(in.x, in.y));
  const auto& s = engine.phases().stats();
  if (s.free.runs > 0) {
    state.counters["free_steps"] = s.free.steps_mean();
    state.counters["target_steps"] = s.target.steps_mean();
    state.counters["free_ms"] = s.free.time_mean();
    state.counters["target_ms"] = s.target.time_mean();
  }
}

// One phase alone: where the time of a settle step goes.
void BM_Phase(benchmark::State& state, std::string mode, std::string phase) {
  const Config c = square_config();
  DynamicsConfig dyn;
  dyn.mode = mode == "algebraic" ? "algebraic" : "settle";
  if (mode != "algebraic") dyn.stepper = mode;
  auto phases = make_phases<double>(dyn);
  const Network<double> net = build_network(c, kWidth, kClasses);
  auto rule = make_learning_rule<double>({"gait", 1e-3, false, 1});
  auto loss = make_output_loss<double>("mse");
  const Inputs in = inputs();
  Activity<double> act;
  ErrorSignals<double> sig;
  phases->free(net, in.x, act);
  sig.resize(net.depth());
  loss->gradient(act.h[net.depth()], in.y, net.classes, sig.D[net.depth()]);
  sig.mult[net.depth()] = ColVec<double>::Ones(kBatch);
  for (auto _ : state) {
    if (phase == "free") {
      phases->free(net, in.x, act);
    } else {
      phases->target(net, *rule, act, sig);
    }
    benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_SettleStep, algebraic, "algebraic", "inverse", 0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, euler_inverse_dt5, "euler", "inverse", 5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, euler_transpose_dt5, "euler", "transpose", 5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, euler_inverse_dt2, "euler", "inverse", 2)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, euler_inverse_dt10, "euler", "inverse", 10)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, dopri5_inverse, "dopri5", "inverse", 5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SettleStep, dopri5_transpose, "dopri5", "transpose", 5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, algebraic_free, "algebraic", "free")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, algebraic_target, "algebraic", "target")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, euler_free, "euler", "free")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, euler_target, "euler", "target")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, dopri5_free, "dopri5", "free")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Phase, dopri5_target, "dopri5", "target")->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
