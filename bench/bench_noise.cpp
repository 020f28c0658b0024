// Cost of rate noise (biology.md 4): one GAIT step of the square 784-wide net (4 hidden layers,
// batch 60, float64, orthogonality on) without and with noise.rate_std, in algebraic mode and in
// settle mode (Euler, dt 5 ms, tau 10 ms; with noise a phase runs a fixed max_time_ms, here 175 ms
// = 35 Euler steps, about what the noiseless free phase needs to converge), and with averaging.
// Ratios are read off one run: algebraic/noise over algebraic/off, and per Euler step
// (time / (free_steps + target_steps)) for settle.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "synthetic_batch.hpp"

namespace {

using namespace gaitsim;

constexpr int kWidth = 784, kHidden = 4, kBatch = 60, kClasses = 10;

// sigma: noise.rate_std (0 = off); average: dynamics.average_ms
void BM_NoiseStep(benchmark::State& state, std::string mode, double sigma, double average) {
  Config c;
  c.network.kind = "square";
  c.network.hidden_layers = kHidden;
  c.learning.algorithm = "gait";
  c.learning.batch_size = kBatch;
  DynamicsConfig dyn;
  dyn.mode = mode;
  dyn.max_time_ms = 175;
  dyn.average_ms = average;
  Engine<double> engine(build_network(c, kWidth, kClasses), c.learning, 2, dyn);
  engine.set_noise({sigma, 1, 0, 0});
  const auto [x, y] = bench::synthetic_rate_batch<double>(kBatch, kWidth, kClasses);
  long long step = 0;
  for (auto _ : state) {
    engine.set_noise_step(step++);
    benchmark::DoNotOptimize(engine.step(x, y));
  }
  const auto& s = engine.phases().stats();
  if (s.free.runs > 0) {
    state.counters["free_steps"] = s.free.steps_mean();
    state.counters["target_steps"] = s.target.steps_mean();
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_NoiseStep, algebraic_off, "algebraic", 0.0, 0.0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NoiseStep, algebraic_noise, "algebraic", 1e-3, 0.0)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NoiseStep, settle_off, "settle", 0.0, 0.0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_NoiseStep, settle_noise, "settle", 1e-3, 0.0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_NoiseStep, settle_noise_average50, "settle", 1e-3, 50.0)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

BENCHMARK_MAIN();
