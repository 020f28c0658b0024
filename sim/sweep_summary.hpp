#pragma once
// The summary of a sweep, built from what is on disk (every point's run.h5), so it is complete
// even when a process died: DIR/summary.csv (one row per point), DIR/summary_aggregate.csv
// (mean and sd over seeds per parameter combination) and DIR/summary.h5 (both, as columns).
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep_spec.hpp"

namespace gaitsim {

struct PointResult {
  std::string status = "missing";  // complete | diverged | running | paused | missing | unreadable
  int epochs = 0;                  // epochs completed
  double final_test_accuracy = 0, best_test_accuracy = 0, final_test_loss = 0,
         final_train_accuracy = 0, wall_seconds = 0;  // NaN when no epoch completed
};

// Reads DIR/points/<name>/run.h5 (status and per-epoch metrics only).
PointResult read_point(const std::filesystem::path& run_file);

struct SweepSummary {
  std::vector<PointResult> points;  // in expansion order
  int complete = 0, diverged = 0,
      unfinished = 0;  // unfinished: running, paused, missing, unreadable
};

// Reads every point and writes the summary files; returns what it found.
SweepSummary write_sweep_summary(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                 const std::filesystem::path& dir);

}  // namespace gaitsim
