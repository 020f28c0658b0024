#pragma once
// Runs the points of a sweep as child processes (`gaitsim train ... --out DIR/points/<name>`),
// N at a time on this machine, or handed out one at a time by rank 0 to every MPI rank. A
// point whose run file is complete or diverged is skipped, one that is running or paused is
// resumed from its checkpoint, so a killed sweep re-run continues where it stopped.
//
// Under MPI every worker rank sends rank 0 a heartbeat every rank_timeout / 4 and rank 0
// answers each. A worker rank silent for rank_timeout is declared lost: its point is recorded
// as lost (never handed to another rank in the same run, so nothing runs twice) and the living
// ranks finish the rest. A worker that hears nothing from rank 0 for rank_timeout stops its
// point and exits with an error. A child `gaitsim train` dies with the rank that started it
// (PR_SET_PDEATHSIG), so no orphan keeps writing a lost point.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/mpi_comm.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace gaitsim {

struct SweepRunOptions {
  std::filesystem::path dir;  // the sweep folder
  int jobs = 1;               // points at a time per process (per MPI rank)
  int threads = 0;            // threads per point; 0 = cores / (jobs x ranks on this node)
  double rank_timeout = 60;   // a rank silent this long is declared lost [s]
};

// What to do with a point, from its run file. A run file that exists but cannot be read (damaged,
// or held by another process) is kept as it is and the point is not run: it may hold a
// finished result, and only the user can tell.
enum class PointAction { kSkip, kFresh, kResume, kKeepUnreadable };
// `why`, when given, receives the reason for kKeepUnreadable.
PointAction point_action(const std::filesystem::path& point_dir, std::string* why = nullptr);

struct SweepRunStats {
  int skipped = 0, ran = 0, diverged = 0, failed = 0;
  int unreadable = 0;  // points not run because their run file could not be read
  int lost = 0;        // points whose rank was declared lost
};

// Runs every unfinished point (under MPI: over all ranks of comm; every rank calls it). Returns
// what this process's dispatcher saw (rank 0; the others return zeros). A worker rank that loses
// rank 0, or is told it was declared lost, throws std::runtime_error.
SweepRunStats run_sweep_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                               const SweepRunOptions& options, mpi::Context& comm);

}  // namespace gaitsim
