// The cost of the synaptic constraints (docs/biology.md): one GAIT training step of the square
// 784-wide net (4 hidden layers, batch 60, orthogonality term on) plain, with a connection mask
// (p = 0.5), with Dale's sign form, with both, and with Dale's dann form (79 interneurons per
// layer: three products of n^2 n_I per layer and step more), in float64 (float32 GAIT refuses a
// 784-wide layer masked at p = 0.5: its condition number, about 2e5, is past float32's limit
// of 8.4e4). The ratios to the plain step are what docs/biology.md reports; take them from one run.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "synthetic_batch.hpp"

namespace {

using namespace gaitsim;

constexpr int kWidth = 784, kHidden = 4, kBatch = 60, kClasses = 10;

Config constrained_config(double connection_prob, const std::string& dale) {
  Config c;
  c.network.kind = "square";
  c.network.hidden_layers = kHidden;
  c.network.connection_prob = connection_prob;
  c.network.dale = dale;
  if (dale == "dann") c.network.inhibitory_fraction = 0.1;  // its default as a config key
  c.learning.algorithm = "gait";
  c.learning.ortho_reg = 0.1;
  c.learning.batch_size = kBatch;
  return c;
}

template <class T>
void BM_ConstrainedStep(benchmark::State& state, double connection_prob, std::string dale) {
  const Config c = constrained_config(connection_prob, dale);
  Engine<T> engine(build_network(c, kWidth, kClasses).template cast<T>(), c.learning, 2);
  const auto b = bench::synthetic_rate_batch<T>(kBatch, kWidth, kClasses);
  for (auto _ : state) benchmark::DoNotOptimize(engine.step(b.x, b.y));
}

void register_all() {
  struct Variant {
    const char* name;
    double p;
    const char* dale;
  };
  for (const Variant& v :
       {Variant{"plain", 1.0, "off"}, Variant{"mask", 0.5, "off"}, Variant{"sign", 1.0, "sign"},
        Variant{"mask+sign", 0.5, "sign"}, Variant{"dann", 1.0, "dann"}}) {
    benchmark::RegisterBenchmark((std::string("constraint/float64/") + v.name).c_str(),
                                 BM_ConstrainedStep<double>, v.p, std::string(v.dale))
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
