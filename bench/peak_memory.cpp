// Peak resident memory of training steps of a configured network on random data of the
// dataset's shape: `peak_memory CONFIG.yaml BATCH [STEPS]` prints the resident set before the
// engine is built and the process's high-water mark after STEPS steps (Linux VmRSS / VmHWM).
#include <cstdio>
#include <fstream>
#include <string>

#include "bench/synthetic_batch.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"

namespace {

using namespace gaitsim;

// A "VmRSS:" or "VmHWM:" line of /proc/self/status, in MiB.
double status_mib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stod(line.substr(field.size())) / 1024.0;
  }
  return -1;
}

template <class T>
void run(const Config& c, int input, int classes, Eigen::Index batch, int steps) {
  Engine<T> engine(build_network(c, input, classes).template cast<T>(), c.learning, 2);
  const auto b = bench::synthetic_batch<T>(batch, input, classes);
  for (int s = 0; s < steps; ++s) engine.step(b.x, b.y);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: peak_memory CONFIG.yaml BATCH [STEPS] [--set key=value]...\n");
    return 2;
  }
  std::vector<std::string> sets;
  int steps = 2;
  for (int i = 3; i < argc; ++i) {
    if (std::string(argv[i]) == "--set" && i + 1 < argc) {
      sets.push_back(argv[++i]);
    } else {
      steps = std::stoi(argv[i]);
    }
  }
  const Config c = load_config(argv[1], sets);
  const Eigen::Index batch = std::stol(argv[2]);
  // Input width and classes from the network itself (cnn: network.input; dense: widths[0]).
  const int input = c.network.kind == "cnn"
                        ? c.network.input[0] * c.network.input[1] * c.network.input[2]
                        : c.network.widths.at(0);
  const int classes = c.network.kind == "cnn" ? c.network.layers.back().units : 10;
  const double before = status_mib("VmRSS:");
  with_precision(c.learning, [&]<class T>() { run<T>(c, input, classes, batch, steps); });
  std::printf(
      "{\"config\": \"%s\", \"batch\": %ld, \"steps\": %d, \"precision\": \"%s\", "
      "\"rss_before_mib\": %.1f, \"peak_mib\": %.1f}\n",
      argv[1], long(batch), steps, c.learning.precision.c_str(), before, status_mib("VmHWM:"));
  return 0;
}
