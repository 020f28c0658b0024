// `gaitsim train`: options and hand-over to the trainer, alone or, under an MPI launcher with
// several processes, data-parallel (every process takes its slice of each batch; only rank 0
// writes the run file and prints).
#include <cstdio>

#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/cli/train_printer.hpp"
#include "sim/sweep/data_parallel.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace {

class TrainCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand("train", "train a network as a config describes");
    config_.attach(*cmd);
    cmd->add_option("--out", out_, "run folder (default: output.dir or runs/<config name>)");
    cmd->add_flag("--resume", options_.resume, "continue the run in the run folder");
    cmd->add_flag("--force", options_.force, "replace an existing run in the run folder");
    cmd->add_option("--max-steps", options_.max_steps,
                    "stop after this many steps, leaving a resumable checkpoint")
        ->check(integer_at_least(0));
    cmd->footer(
        "Writes RUN_FOLDER/run.h5: metrics per epoch, angle to BP, orthogonality error,\n"
        "the resolved config and the weights; it is also the checkpoint --resume reads.\n"
        "Exit codes: 0 done, 1 failure, 2 bad config or usage, 3 diverged.");
    return cmd;
  }

  int run() override {
    Config config = config_.load();
    options_.out_dir = out_.empty() ? default_run_dir(config) : std::filesystem::path(out_);
    mpi::Context comm;
    MpiReplicaGroup group(comm);
    if (group.rank() > 0) {
      config.output.progress = false;
      if (!std::freopen("/dev/null", "w", stdout)) return kFailure;
    }
    TrainPrinter printer(config, options_, group.rank());
    const TrainOutcome outcome = train(config, options_, group, printer.observer());
    return outcome == TrainOutcome::kDiverged ? kDiverged : kOk;
  }

 private:
  ConfigOptions config_;
  TrainOptions options_;
  std::string out_;
};

}  // namespace

std::unique_ptr<Command> make_train_command() { return std::make_unique<TrainCommand>(); }

}  // namespace gaitsim
