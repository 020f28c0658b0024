// `gaitsim sweep`: a grid or random search over config keys and seeds, each point a
// `gaitsim train` run in its own folder, N at a time locally or spread over MPI ranks;
// resumable; a summary (CSV and HDF5) at the end. Options, and the report of what ran.
#include <cstdio>

#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/sweep/sweep.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

class SweepCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "sweep", "train every point of a parameter sweep (grid, log range, random) x seeds");
    cmd->add_option("SWEEP", file_, "sweep file (YAML), e.g. configs/sweeps/gamma_lr.yaml")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", out_, "sweep folder (default: sweeps/<sweep file name>)");
    cmd->add_option("--jobs", request_.run.jobs, "points at a time on each process (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threads", request_.run.threads,
                    "threads per point (default: cores / (jobs x processes on the node))")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--rank-timeout", request_.run.rank_timeout,
                    "under MPI: seconds of silence after which a rank is declared lost; its "
                    "point is recorded as lost and the other ranks finish the rest (default 60)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--force", request_.force, "replace a different sweep in the sweep folder");
    cmd->add_flag("--dry-run", request_.dry_run, "list the points and check them, run nothing");
    cmd->add_flag("--summary", request_.summary_only,
                  "only rebuild the summary from what is on disk (e.g. after a process died)");
    cmd->footer(
        "Each point runs `gaitsim train BASE --set key=value... --out DIR/points/<name>`.\n"
        "Re-running a sweep skips finished points and resumes unfinished ones. Under\n"
        "`mpirun -n K` rank 0 hands out points to all K ranks; with `mpirun --enable-recovery`\n"
        "a rank that dies loses only its point (docs/cluster.md). Writes DIR/summary.csv,\n"
        "DIR/summary_aggregate.csv (mean, sd over seeds) and DIR/summary.h5.\n"
        "Exit codes: 0 every point finished (diverged ones included), 1 some did not,\n"
        "2 bad sweep file or usage (mpirun --enable-recovery always exits 0: check with\n"
        "--summary).");
    return cmd;
  }

  int run() override {
    mpi::Context comm;
    request_.file = file_;
    request_.run.dir = out_.empty() ? default_sweep_dir(file_) : fs::path(out_);
    const SweepResult r = run_sweep(request_, comm);
    if (!r.accepted) return kUsage;
    if (request_.dry_run) {
      if (comm.rank() != 0) return kOk;
      for (const auto& p : r.points) std::printf("%s\n", p.name.c_str());
      std::printf("%zu points, all valid\n", r.points.size());
      return kOk;
    }
    return r.summarised ? report(r) : kOk;
  }

 private:
  int report(const SweepResult& r) const {
    const SweepSummary& s = r.summary;
    std::printf(
        "sweep finished: %d complete, %d diverged, %d unfinished (%d lost) of %zu points "
        "(%d run now, %d already done)\nsummary: %s\n",
        s.complete, s.diverged, s.unfinished, s.lost, r.points.size(), r.stats.ran, r.stats.skipped,
        (request_.run.dir / "summary.csv").c_str());
    if (s.unfinished == 0) return kOk;
    std::printf("unfinished points (run the sweep again to resume them):\n");
    for (std::size_t i = 0; i < r.points.size(); ++i) {
      const auto& p = s.points[i];
      if (p.status == "lost") {
        std::printf("  %s (lost: rank %d stopped answering)\n", r.points[i].name.c_str(),
                    p.lost_on_rank);
      } else if (p.status != "complete" && p.status != "diverged") {
        std::printf("  %s (%s)\n", r.points[i].name.c_str(), p.status.c_str());
      }
    }
    return kFailure;
  }

  std::string file_, out_;
  SweepRequest request_;
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace gaitsim
