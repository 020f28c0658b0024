// `gaitsim sweep`: a grid or random search over config keys and seeds, each point a
// `gaitsim train` run in its own folder, N at a time locally or spread over MPI ranks;
// resumable; a summary (CSV and HDF5) at the end.
#include <fstream>
#include <optional>
#include <sstream>

#include "analysis/atomic_file.hpp"
#include "analysis/dir_lock.hpp"
#include "sim/command.hpp"
#include "sim/mpi_comm.hpp"
#include "sim/sweep_scheduler.hpp"
#include "sim/sweep_spec.hpp"
#include "sim/sweep_summary.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return ss.str();
}

// Whether `dir` holds anything besides its lock file.
bool holds_output(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!DirLock::is_lock_file(entry.path())) return true;
  }
  return false;
}

// Makes the locked folder `dir` this sweep's folder: refuses one holding a different sweep
// unless forced. The new sweep.yaml and base.yaml are complete on disk before anything of the
// old sweep is deleted; sweep.yaml goes last, as it is what says which sweep the folder holds.
void claim_dir(const SweepSpec& spec, const fs::path& dir, bool force) {
  const fs::path copy = dir / "sweep.yaml";
  const bool holds_sweep = fs::exists(copy);
  if (holds_sweep && read_text(copy) == spec.text) return;  // the same sweep: resume
  if (holds_sweep && !force) {
    throw ConfigError("output folder " + dir.string() + " holds a different sweep (" +
                      copy.string() + " differs from " + spec.file.string() +
                      "); use another --out or --force to replace it");
  }
  if (!holds_sweep && holds_output(dir) && !force) {
    throw ConfigError("output folder " + dir.string() +
                      " is not empty and holds no sweep.yaml; use another --out or --force");
  }
  AtomicTextWriter base(dir / "base.yaml", read_text(spec.base));
  AtomicTextWriter sweep(copy, spec.text);
  if (holds_sweep) {
    for (const char* sub : {"points", "logs"}) fs::remove_all(dir / sub);
    for (const char* f : {"summary.csv", "summary_aggregate.csv", "summary.h5"})
      fs::remove(dir / f);
  }
  base.commit();
  sweep.commit();
}

class SweepCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "sweep", "train every point of a parameter sweep (grid, log range, random) x seeds");
    cmd->add_option("SWEEP", file_, "sweep file (YAML), e.g. configs/sweeps/gamma_lr.yaml")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", out_, "sweep folder (default: sweeps/<sweep file name>)");
    cmd->add_option("--jobs", options_.jobs, "points at a time on each process (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threads", options_.threads,
                    "threads per point (default: cores / (jobs x processes on the node))")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--rank-timeout", options_.rank_timeout,
                    "under MPI: seconds of silence after which a rank is declared lost; its "
                    "point is recorded as lost and the other ranks finish the rest (default 60)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--force", force_, "replace a different sweep in the sweep folder");
    cmd->add_flag("--dry-run", dry_run_, "list the points and check them, run nothing");
    cmd->add_flag("--summary", summary_only_,
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
    const SweepSpec spec = load_sweep(file_);
    const auto points = expand_sweep(spec);
    options_.dir = out_.empty() ? fs::path("sweeps") / fs::path(file_).stem() : fs::path(out_);
    // Rank 0 checks everything before anything runs; the others follow its verdict.
    long long failed = 0;
    if (comm.rank() == 0) {
      try {
        validate_sweep(spec, points);
        if (dry_run_) {
          for (const auto& p : points) std::printf("%s\n", p.name.c_str());
          std::printf("%zu points, all valid\n", points.size());
        } else if (summary_only_) {
          if (!fs::exists(options_.dir / "sweep.yaml") ||
              read_text(options_.dir / "sweep.yaml") != spec.text) {
            throw ConfigError(options_.dir.string() + " does not hold this sweep");
          }
          lock_.emplace(options_.dir);
        } else {
          fs::create_directories(options_.dir);
          lock_.emplace(options_.dir);  // held until the summary is written
          claim_dir(spec, options_.dir, force_);
        }
      } catch (...) {
        failed = 1;
        comm.allreduce_sum(&failed, 1);
        throw;
      }
    }
    comm.allreduce_sum(&failed, 1);
    if (failed) return kUsage;
    if (dry_run_) return kOk;

    // No barrier afterwards: rank 0 returns once every living rank has reported, and a barrier
    // would wait for a lost one.
    const SweepRunStats stats =
        summary_only_ ? SweepRunStats{} : run_sweep_points(spec, points, options_, comm);
    if (comm.rank() != 0) return kOk;
    const SweepSummary summary = write_sweep_summary(spec, points, options_.dir);
    std::printf(
        "sweep finished: %d complete, %d diverged, %d unfinished (%d lost) of %zu points "
        "(%d run now, %d already done)\nsummary: %s\n",
        summary.complete, summary.diverged, summary.unfinished, summary.lost, points.size(),
        stats.ran, stats.skipped, (options_.dir / "summary.csv").c_str());
    if (summary.unfinished > 0) {
      std::printf("unfinished points (run the sweep again to resume them):\n");
      for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& r = summary.points[i];
        if (r.status == "lost") {
          std::printf("  %s (lost: rank %d stopped answering)\n", points[i].name.c_str(),
                      r.lost_on_rank);
        } else if (r.status != "complete" && r.status != "diverged") {
          std::printf("  %s (%s)\n", points[i].name.c_str(), r.status.c_str());
        }
      }
      return kFailure;
    }
    return kOk;
  }

 private:
  std::string file_, out_;
  SweepRunOptions options_;
  bool force_ = false, dry_run_ = false, summary_only_ = false;
  std::optional<DirLock> lock_;  // rank 0: no second sweep writes the folder meanwhile
};

}  // namespace

std::unique_ptr<Command> make_sweep_command() { return std::make_unique<SweepCommand>(); }

}  // namespace gaitsim
