#include "sim/sweep/sweep.hpp"

#include <fstream>
#include <optional>
#include <sstream>

#include "analysis/atomic_file.hpp"
#include "analysis/dir_lock.hpp"
#include "sim/config.hpp"

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

// Rank 0: checks the sweep and prepares its folder (locked in `lock`).
void prepare(const SweepRequest& r, const SweepSpec& spec, const std::vector<SweepPoint>& points,
             std::optional<DirLock>& lock) {
  validate_sweep(spec, points);
  if (r.dry_run) return;
  const fs::path& dir = r.run.dir;
  if (r.summary_only) {
    if (!fs::exists(dir / "sweep.yaml") || read_text(dir / "sweep.yaml") != spec.text) {
      throw ConfigError(dir.string() + " does not hold this sweep");
    }
    lock.emplace(dir);
    return;
  }
  fs::create_directories(dir);
  lock.emplace(dir);  // held until the summary is written
  claim_dir(spec, dir, r.force);
}

}  // namespace

fs::path default_sweep_dir(const fs::path& file) { return fs::path("sweeps") / file.stem(); }

SweepResult run_sweep(const SweepRequest& r, mpi::Context& comm) {
  const SweepSpec spec = load_sweep(r.file);
  SweepResult result;
  result.points = expand_sweep(spec);
  std::optional<DirLock> lock;  // rank 0: no second sweep writes the folder meanwhile
  // Rank 0 checks everything before anything runs; the others follow its verdict.
  long long failed = 0;
  if (comm.rank() == 0) {
    try {
      prepare(r, spec, result.points, lock);
    } catch (...) {
      failed = 1;
      comm.allreduce_sum(&failed, 1);
      throw;
    }
  }
  comm.allreduce_sum(&failed, 1);
  result.accepted = failed == 0;
  if (!result.accepted || r.dry_run) return result;
  // No barrier afterwards: rank 0 returns once every living rank has reported, and a barrier
  // would wait for a lost one.
  if (!r.summary_only) result.stats = run_sweep_points(spec, result.points, r.run, comm);
  if (comm.rank() != 0) return result;
  result.summary = write_sweep_summary(spec, result.points, r.run.dir);
  result.summarised = true;
  return result;
}

}  // namespace gaitsim
