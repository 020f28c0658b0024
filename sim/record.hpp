#pragma once
// Recording a network's responses (`gaitsim record`, docs/file-formats.md): the forward rates
// (and optionally the targets and the settling trajectories of both phases) of every layer for
// a set of stimuli, streamed chunk by chunk through a ResponsesWriter (analysis/), written under
// OUT.<pid>.partial and renamed into place once complete. Prints nothing: progress and the plan
// reach the caller through RecordObserver.
#include <filesystem>
#include <functional>
#include <string>

#include "sim/config.hpp"
#include "sim/phases.hpp"

namespace gaitsim {

struct RecordOptions {
  std::string stimuli;  // stimulus spec, see sim/stimulus_spec.hpp
  std::filesystem::path checkpoint, out;
  bool targets = false, force = false;
  std::string format = "gaitsim";  // a name of responses_formats(): gaitsim | nwb
  std::string dtype = "float32";   // float32 | float64
  long long chunk = 1000;          // stimuli per forward pass and append
  bool chunk_given = false;
  bool trajectories = false;  // settling trajectories of both phases
  double trajectory_ms = 0;   // their duration T [ms] (0: the default, see record())
  bool trajectory_ms_given = false;
  int gzip = 4;               // deflate level 0-9
  long long fail_after = -1;  // test hook: throw after this many chunks
};

// What record() settled on before the first chunk.
struct RecordPlan {
  long long stimuli = 0, chunk = 0;
  bool initial_weights = false;  // no checkpoint: the weights drawn from network.seed
  double trajectory_ms = 0;      // with trajectories [ms]
  double trajectory_bytes = 0;   // memory of one chunk's trajectories [bytes]
};

struct RecordObserver {
  std::function<void(const RecordPlan&)> planned;                 // once, before the first chunk
  std::function<void(long long done, long long total)> progress;  // after every chunk
};

struct RecordResult {
  long long stimuli = 0;
  std::size_t layers = 0;
  double trajectory_ms = 0;             // with trajectories [ms]
  PhaseStats free_stats, target_stats;  // with trajectories: convergence per chunk
};

// Throws ConfigError for bad options (naming the option and value), std::runtime_error when a
// file cannot be read or written; on any failure the partial file is removed and OUT is left
// as it was. A `OUT.<pid>.partial` left by a killed run whose process is gone is removed first.
RecordResult record(const Config& c, const RecordOptions& options,
                    const RecordObserver& observer = {});

}  // namespace gaitsim
