#pragma once
// `gaitsim train`: epochs of mini-batch learning with progress, per-epoch metrics, angle to BP,
// orthogonality error, atomic checkpoints in the run file, resumption and divergence handling.
#include <filesystem>
#include <string>

#include "sim/config.hpp"

namespace gaitsim {

struct TrainOptions {
  std::filesystem::path out_dir;  // the run folder; holds run.h5
  bool resume = false;            // continue from out_dir/run.h5
  bool force = false;             // replace an existing run
  long long max_steps = 0;        // stop (paused, resumable) after this many steps; 0 = no limit
};

// Exit codes of the program.
enum ExitCode : int { kOk = 0, kFailure = 1, kUsage = 2, kDiverged = 3 };

// Runs training; returns the exit code. Errors are reported on stderr.
int train(const Config& config, const TrainOptions& options);

// The output folder of a config: output.dir, else runs/<config name>.
std::filesystem::path default_run_dir(const Config& config);

}  // namespace gaitsim
