#pragma once
// Settling both phases for the first N test stimuli (`gaitsim settle`, docs/dynamics.md): every
// layer's rates over time in the trajectories layout (analysis/trajectory_file.hpp) beside the
// algebraic fixed points they settle to, written atomically. Prints nothing.
#include <filesystem>

#include "sim/config.hpp"
#include "sim/phases.hpp"

namespace gaitsim {

struct SettleOptions {
  std::filesystem::path checkpoint, out;
  long long stimuli = 10;  // the first N test stimuli
  bool force = false;
};

struct SettleResult {
  long long stimuli = 0;
  RelaxReport free, target;
};

// Throws ConfigError for bad options (naming the option and value), std::runtime_error or
// H5Error when a file cannot be read or written (OUT is then left as it was).
SettleResult settle(const Config& c, const SettleOptions& o);

}  // namespace gaitsim
