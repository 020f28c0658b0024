// One training step of the TMLR-scale networks of configs/: the CIFAR-10 deep fully connected
// net (cifar10_deep_*.yaml) and the CIFAR-10 CNN (cifar10_cnn_*.yaml), bp and gait with the
// orthogonality term as configured, float64 and float32, on random data of CIFAR's shape. The
// PyTorch peer of the same steps is bench/torch_scale_peer.py; bench/run_scale.sh runs both.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/synthetic_batch.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"

namespace {

using namespace gaitsim;

constexpr int kInput = 3 * 32 * 32, kClasses = 10;

Config scale_config(const std::string& net, const std::string& algorithm) {
  return load_config(
      std::string(GAITSIM_SOURCE_DIR) + "/configs/cifar10_" + net + "_" + algorithm + ".yaml", {});
}

// args: batch size
template <class T>
void BM_Scale(benchmark::State& state, std::string net, std::string algorithm) {
  const Config c = scale_config(net, algorithm);
  const auto batch = static_cast<Eigen::Index>(state.range(0));
  Engine<T> engine(build_network(c, kInput, kClasses).template cast<T>(), c.learning, 2);
  const auto b = bench::synthetic_batch<T>(batch, kInput, kClasses);
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(b.x, b.y));
  state.counters["samples_per_s"] =
      benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (const char* net : {"deep", "cnn"}) {
    for (const char* algorithm : {"bp", "gait"}) {
      const std::string name = std::string("scale/") + net + "/" + algorithm;
      auto* f64 = benchmark::RegisterBenchmark((name + "/float64").c_str(), BM_Scale<double>,
                                               std::string(net), std::string(algorithm));
      auto* f32 = benchmark::RegisterBenchmark((name + "/float32").c_str(), BM_Scale<float>,
                                               std::string(net), std::string(algorithm));
      for (auto* b : {f64, f32}) b->Arg(60)->Unit(benchmark::kMillisecond)->UseRealTime();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
