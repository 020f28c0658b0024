#pragma once
// `gaitsim sweep` as a function: checks a sweep (rank 0; the other ranks follow its verdict),
// claims and locks its folder, runs the points (sweep_scheduler.hpp) and writes the summary.
#include <filesystem>
#include <vector>

#include "sim/sweep/mpi_comm.hpp"
#include "sim/sweep/sweep_scheduler.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sim/sweep/sweep_summary.hpp"

namespace gaitsim {

struct SweepRequest {
  std::filesystem::path file;  // the sweep file (YAML)
  SweepRunOptions run;         // run.dir: the sweep folder
  bool force = false;          // replace a different sweep in the folder
  bool dry_run = false;        // check the points, run nothing
  bool summary_only = false;   // only rebuild the summary from what is on disk
};

struct SweepResult {
  bool accepted = true;            // false: rank 0 rejected the sweep (there it threw)
  bool summarised = false;         // rank 0 ran it (or summary_only): summary and stats are set
  std::vector<SweepPoint> points;  // every point, in expansion order
  SweepSummary summary;
  SweepRunStats stats;
};

// Rank 0 throws ConfigError for a bad sweep file or a folder it may not use; the other ranks
// then return with accepted = false. The sweep folder is locked until the summary is written.
SweepResult run_sweep(const SweepRequest& request, mpi::Context& comm);

// The sweep folder when none is given: sweeps/<sweep file name>.
std::filesystem::path default_sweep_dir(const std::filesystem::path& file);

}  // namespace gaitsim
