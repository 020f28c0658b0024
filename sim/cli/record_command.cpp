// `gaitsim record`: parses the options and calls record() (sim/record.hpp), which streams every
// layer's rates (and optionally targets and settling trajectories) for a set of stimuli into an
// HDF5 file in gaitsim's own layout or an NWB 2.x layout.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "sim/cli/command.hpp"
#include "sim/cli/progress_bar.hpp"
#include "sim/record.hpp"
#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

namespace {

void report(const RecordResult& r) {
  for (const auto& [phase, st] :
       {std::pair{"free", r.free_stats}, std::pair{"target", r.target_stats}}) {
    if (st.not_converged > 0) {
      std::fprintf(stderr,
                   "warning: the %s phase of %lld of %lld chunks had not converged by "
                   "%g ms (see /trajectory_convergence; raise --trajectory-ms)\n",
                   phase, st.not_converged, st.runs, r.trajectory_ms);
    }
  }
}

class RecordCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "record", "write every layer's rates (and targets) for a set of stimuli to HDF5");
    config_.attach(*cmd);
    cmd->add_option("--stimuli", o_.stimuli,
                    "which stimuli: test:0-999, test:5, test, train:class=3, train:class=3:100, "
                    "or an HDF5 (/images) or IDX images file")
        ->required();
    cmd->add_option("--out", out_, "the responses file to write (HDF5)")->required();
    cmd->add_option("--checkpoint", checkpoint_,
                    "weights from a run file or checkpoint (default: the config's initial weights)")
        ->check(CLI::ExistingFile);
    cmd->add_flag(
        "--targets", o_.targets,
        "also record the rule's targets for the true label (targets, target_delta, target_scale)");
    cmd->add_option("--format", o_.format, "file layout: gaitsim (default) or nwb (NWB 2.x)")
        ->check(CLI::IsMember({"gaitsim", "nwb"}));
    cmd->add_option("--dtype", o_.dtype, "stored precision of rates and targets (default float32)")
        ->check(CLI::IsMember({"float32", "float64"}));
    cmd->add_flag(
        "--trajectories", o_.trajectories,
        "also record both phases settling in time (dynamics.*): per layer "
        "trajectory_free, trajectory_target, trajectory_target_delta (time x stimulus x unit)");
    trajectory_ms_ = cmd->add_option("--trajectory-ms", o_.trajectory_ms,
                                     "duration of the trajectories, the same for every chunk "
                                     "(default: min(dynamics.max_time_ms, 20 dynamics.tau_ms))");
    chunk_ = cmd->add_option("--chunk", o_.chunk,
                             "stimuli per forward pass and append (default 1000; with "
                             "--trajectories as many as fit in 256 MB of trajectories)")
                 ->check(CLI::Range(1LL, 1000000LL));
    cmd->add_option("--gzip", o_.gzip, "deflate level 0-9 (default 4)")->check(CLI::Range(0, 9));
    cmd->add_flag("--force", o_.force, "overwrite an existing output file");
    cmd->add_flag("--quiet", quiet_, "no progress on stderr");
    cmd->add_option("--fail-after-chunks", o_.fail_after)->group("");  // test hook
    return cmd;
  }

  int run() override {
    o_.out = out_;
    o_.checkpoint = checkpoint_;
    o_.chunk_given = chunk_->count() > 0;
    o_.trajectory_ms_given = trajectory_ms_->count() > 0;
    const Config c = config_.load();
    std::optional<ProgressBar> progress;
    RecordObserver observer;
    observer.planned = [&](const RecordPlan& p) {
      if (p.initial_weights) {
        std::cerr << "note: no --checkpoint given: recording the initial weights drawn from "
                     "network.seed = "
                  << c.network.seed << '\n';
      }
      if (o_.trajectories && !quiet_) {
        std::fprintf(
            stderr,
            "record: trajectories over %g ms in chunks of %lld stimuli (about %.0f MB each)\n",
            p.trajectory_ms, p.chunk, p.trajectory_bytes / 1e6);
      }
      progress.emplace("record", p.stimuli, !quiet_);
    };
    observer.progress = [&](long long done, long long) { progress->update(done, "stimuli"); };
    const auto start = std::chrono::steady_clock::now();
    const RecordResult r = record(c, o_, observer);
    progress->finish();
    report(r);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char ms[32];
    std::snprintf(ms, sizeof ms, "%g", r.trajectory_ms);
    const std::string with =
        std::string(o_.targets ? ", with targets" : "") +
        (o_.trajectories ? ", with trajectories over " + std::string(ms) + " ms" : "");
    std::printf("recorded %lld stimuli x %zu layers (%s layout%s) in %.2f s: %s (%.1f MB)\n",
                r.stimuli, r.layers, o_.format.c_str(), with.c_str(), seconds, out_.c_str(),
                static_cast<double>(std::filesystem::file_size(o_.out)) / 1e6);
    return kOk;
  }

 private:
  ConfigOptions config_;
  RecordOptions o_;
  std::string out_, checkpoint_;
  bool quiet_ = false;
  CLI::Option* chunk_ = nullptr;
  CLI::Option* trajectory_ms_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_record_command() { return std::make_unique<RecordCommand>(); }

}  // namespace gaitsim
