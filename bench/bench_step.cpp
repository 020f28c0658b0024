// One training step of the square 784-wide net (4 hidden layers, batch 60) for each rule, with
// and without the orthogonality term, in float64 and float32, beside GEMMs of the step's sizes.
// Counters: flops per step (model below) and GFLOP/s achieved.
#include <benchmark/benchmark.h>

#include <string>

#include "neurons/weight_init.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "synthetic_batch.hpp"

#ifdef EIGEN_USE_BLAS
extern "C" char* openblas_get_config();
extern "C" int openblas_get_parallel();
#endif

namespace {

using namespace gaitsim;

// Which BLAS the products ran on, for the JSON context: with GAITSIM_BLAS the OpenMP build of
// OpenBLAS must be the one loaded (docs/performance.md), not the pthread build the SONAME
// resolves to through the alternatives.
std::string blas_description() {
#ifdef EIGEN_USE_BLAS
  const int parallel = openblas_get_parallel();  // 0 sequential, 1 pthreads, 2 OpenMP
  return std::string(openblas_get_config()) + (parallel == 2   ? " (OpenMP build)"
                                               : parallel == 1 ? " (pthread build!)"
                                                               : " (serial)");
#else
  return "Eigen's own kernels";
#endif
}

constexpr int kWidth = 784, kHidden = 4, kBatch = 60, kClasses = 10;

Config square_config(const std::string& algorithm, double lambda) {
  Config c;
  c.network.kind = "square";
  c.network.hidden_layers = kHidden;
  c.learning.algorithm = algorithm;
  c.learning.ortho_reg = lambda;
  c.learning.batch_size = kBatch;
  return c;
}

// Flops of one step: forward (2nNn per layer), the update h^T e (2nNn), the top-down pass
// (BP/FA: 2nNn; GAIT/TP: LU 2/3 n^3 + solve 2n^2N), and the orthogonality term
// (lower triangle of W W^T n^3 + (W W^T - I) W 2n^3) on layers 2..L.
double step_flops(const std::string& algorithm, bool ortho) {
  const double n = kWidth, N = kBatch, L = kHidden + 1;
  double flops = L * 2 * n * N * n * 2;
  const bool inverse = algorithm == "gait" || algorithm == "tp";
  flops += (L - 1) * (inverse ? 2.0 / 3.0 * n * n * n + 2 * n * n * N : 2 * n * N * n);
  if (ortho) flops += (L - 1) * 3 * n * n * n;
  return flops;
}

template <class T>
void BM_Step(benchmark::State& state, std::string algorithm, bool ortho) {
  const Config c = square_config(algorithm, ortho ? 0.1 : 0.0);
  Engine<T> engine(build_network(c, kWidth, kClasses).template cast<T>(), c.learning, 2);
  const auto b = bench::synthetic_rate_batch<T>(kBatch, kWidth, kClasses);
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(b.x, b.y));
  const double flops = step_flops(algorithm, ortho);
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The cost of learned feedback (issue 15): one step of gait/tp with the exact inverse (LU) or
// with learned Q_l (one reconstruction update per layer per step, then r_l Q_l in place of the
// solve). Both run in the same process, so their ratio is free of machine drift.
template <class T>
void BM_Feedback(benchmark::State& state, std::string algorithm, std::string mode) {
  const Config c = square_config(algorithm, 0.1);
  FeedbackConfig fb;
  fb.mode = mode;
  fb.init = "inverse";  // the cost does not depend on the values; this start cannot diverge
  Engine<T> engine(build_network(c, kWidth, kClasses).template cast<T>(), c.learning, 2, {}, fb);
  const auto b = bench::synthetic_rate_batch<T>(kBatch, kWidth, kClasses);
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(b.x, b.y));
}

template <class T>
void BM_Gemm(benchmark::State& state) {
  const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
  Mat<T> A = Mat<T>::Random(m, k), B = Mat<T>::Random(k, n), C(m, n);
  for (auto _ : state) {
    C.noalias() = A * B;
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["GFLOPs"] =
      benchmark::Counter(2.0 * m * k * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (const char* alg : {"bp", "gait", "tp", "fa"}) {
    for (bool ortho : {true, false}) {
      const std::string suffix = std::string(alg) + (ortho ? "/ortho" : "/no_ortho");
      benchmark::RegisterBenchmark(("step/float64/" + suffix).c_str(), BM_Step<double>, alg, ortho)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("step/float32/" + suffix).c_str(), BM_Step<float>, alg, ortho)
          ->Unit(benchmark::kMillisecond);
    }
  }
  for (const char* alg : {"gait", "tp"}) {
    for (const char* mode : {"exact", "learned"}) {
      const std::string suffix = std::string(alg) + "/" + mode;
      benchmark::RegisterBenchmark(("feedback/float64/" + suffix).c_str(), BM_Feedback<double>, alg,
                                   mode)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("feedback/float32/" + suffix).c_str(), BM_Feedback<float>, alg,
                                   mode)
          ->Unit(benchmark::kMillisecond);
    }
  }
  // The GEMM shapes of a step: batch x n times n x n, and n x n times n x n.
  benchmark::RegisterBenchmark("gemm/float64", BM_Gemm<double>)
      ->Args({kBatch, kWidth, kWidth})
      ->Args({kWidth, kWidth, kWidth})
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("gemm/float32", BM_Gemm<float>)
      ->Args({kBatch, kWidth, kWidth})
      ->Args({kWidth, kWidth, kWidth})
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::AddCustomContext("blas", blas_description());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
