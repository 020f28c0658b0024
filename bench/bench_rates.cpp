// Cost of the smooth rates of biology.md 1 against leaky-ReLU: one GAIT step of the square
// 784-wide net (4 hidden layers, batch 60, no orthogonality term) per activation, in float64 and
// float32, and the elementwise inverse difference alone on one 60 x 784 layer. Ratios are read
// off one run (the same process, the same load): e.g. step/float64/softplus over
// step/float64/leaky_relu.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "neurons/transfer.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "synthetic_batch.hpp"

namespace {

using namespace gaitsim;

constexpr int kWidth = 784, kHidden = 4, kBatch = 60, kClasses = 10;

template <class T>
void BM_Step(benchmark::State& state, std::string activation) {
  Config c;
  c.network.kind = "square";
  c.network.hidden_layers = kHidden;
  c.network.activation = activation;
  c.learning.algorithm = "gait";
  c.learning.ortho_reg = 0.0;
  c.learning.batch_size = kBatch;
  Engine<T> engine(build_network(c, kWidth, kClasses).template cast<T>(), c.learning, 2);
  const auto b = bench::synthetic_rate_batch<T>(kBatch, kWidth, kClasses);
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(b.x, b.y));
}

// r = (f^-1(h) - f^-1(h - s)) / q with h in the range of f and s a small nudge.
template <class T>
void BM_InverseDifference(benchmark::State& state, std::string activation) {
  const auto f = make_transfer({activation, 0.1});
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0, 1);
  Mat<T> a =
      Mat<double>::NullaryExpr(kBatch, kWidth, [&] { return normal(rng); }).template cast<T>();
  Mat<T> h, r;
  f->f(a, h);
  const Mat<T> s = (h * T(1e-4)).eval();
  const ColVec<T> q = ColVec<T>::Constant(kBatch, T(1e-3));
  for (auto _ : state) {
    benchmark::DoNotOptimize(f->inverse_difference(h, s, q, r));
    benchmark::DoNotOptimize(r.data());
  }
}

void register_all() {
  for (const char* f : {"leaky_relu", "softplus", "logistic"}) {
    const std::string name(f);
    benchmark::RegisterBenchmark(("step/float64/" + name).c_str(), BM_Step<double>, name)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("step/float32/" + name).c_str(), BM_Step<float>, name)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("inverse_difference/float64/" + name).c_str(),
                                 BM_InverseDifference<double>, name)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("inverse_difference/float32/" + name).c_str(),
                                 BM_InverseDifference<float>, name)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
