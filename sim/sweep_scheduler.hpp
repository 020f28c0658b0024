#pragma once
// Runs the points of a sweep as child processes (`gaitsim train ... --out DIR/points/<name>`),
// N at a time on this machine, or handed out one at a time by rank 0 to every MPI rank. A
// point whose run file is complete or diverged is skipped, one that is running or paused is
// resumed from its checkpoint, so a killed sweep re-run continues where it stopped.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep_spec.hpp"

namespace gaitsim {

struct SweepRunOptions {
  std::filesystem::path dir;  // the sweep folder
  int jobs = 1;               // points at a time per process (per MPI rank)
  int threads = 0;            // threads per point; 0 = cores / (jobs x ranks on this node)
};

// What to do with a point, from its run file.
enum class PointAction { kSkip, kFresh, kResume };
PointAction point_action(const std::filesystem::path& point_dir);

struct SweepRunStats {
  int skipped = 0, ran = 0, diverged = 0, failed = 0;
};

// Runs every unfinished point (under MPI: over all ranks; every rank calls it). Returns what
// this process's dispatcher saw (rank 0; the others return zeros).
SweepRunStats run_sweep_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                               const SweepRunOptions& options);

}  // namespace gaitsim
