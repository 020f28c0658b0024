#pragma once
// The summary of a sweep, built from what is on disk (every point's run.h5), so it is complete
// even when a process died: DIR/summary.csv (one row per point), DIR/summary_aggregate.csv
// (mean and sd over seeds per parameter combination) and DIR/summary.h5 (both, as columns).
// This reads the points and groups the seeds; the files' format, writer and reader, lives in
// analysis/sweep_summary_file.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace gaitsim {

struct PointResult {
  // complete | diverged | running | paused | missing | unreadable | lost (its rank died)
  std::string status = "missing";
  int epochs = 0;         // epochs completed
  int lost_on_rank = -1;  // status lost: the MPI rank that was lost while running it
  double final_test_accuracy = 0, best_test_accuracy = 0, final_test_loss = 0,
         final_train_accuracy = 0, wall_seconds = 0;  // NaN when no epoch completed
};

// Reads DIR/points/<name>/run.h5 (status and per-epoch metrics only).
PointResult read_point(const std::filesystem::path& run_file);

struct SweepSummary {
  std::vector<PointResult> points;  // in expansion order
  int complete = 0, diverged = 0,
      unfinished = 0;  // unfinished: running, paused, missing, unreadable, lost
  int lost = 0;        // of the unfinished, those whose rank was lost
};

// Reads every point and writes the summary files; returns what it found. A point whose run file
// is not complete or diverged and whose log ends (in its `gaitsim sweep:` lines) with the lost
// note has status lost.
SweepSummary write_sweep_summary(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                 const std::filesystem::path& dir);

// The line rank 0 appends to a point's log (DIR/logs/<name>.log) when the rank running it has
// been silent for `silence` seconds. The log is where it lasts: `--summary` finds it there, and
// the next start of the point appends a later `gaitsim sweep:` line.
std::string lost_note(int rank, double silence);
// The rank of the lost note when it is the log's last `gaitsim sweep:` line; else -1.
int lost_rank_in_log(const std::filesystem::path& log);

}  // namespace gaitsim
