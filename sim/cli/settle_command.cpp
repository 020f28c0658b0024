// `gaitsim settle`: parses the options and calls settle() (sim/settle.hpp), which runs both
// phases of the settling dynamics for the first N test stimuli and writes every layer's rates
// over time to an HDF5 file (docs/dynamics.md, docs/file-formats.md).
#include <cstdio>

#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/settle.hpp"

namespace gaitsim {

namespace {

class SettleCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "settle",
        "run the free and target phase as settling dynamics for the first N test stimuli and "
        "record every layer's rates over time");
    config_.attach(*cmd);
    cmd->add_option("--checkpoint", checkpoint_, "weights from a run file or checkpoint")
        ->check(CLI::ExistingFile);
    cmd->add_option("--stimuli", options_.stimuli, "number of test stimuli (the first N)")
        ->check(integer_at_least(1));
    cmd->add_option("--out", out_, "HDF5 file for the trajectories")->required();
    cmd->add_flag("--force", options_.force, "overwrite an existing output file");
    return cmd;
  }

  int run() override {
    options_.checkpoint = checkpoint_;
    options_.out = out_;
    const Config c = config_.load();
    const SettleResult r = settle(c, options_);
    const DynamicsConfig& dyn = c.dynamics;
    std::printf("settled %lld test stimuli (%s, %s, tau %g ms, %s feedback%s)\n", r.stimuli,
                c.learning.algorithm.c_str(), dyn.stepper.c_str(), dyn.tau_ms, dyn.feedback.c_str(),
                c.feedback.mode == "learned" ? " through the learned Q_l" : "");
    for (const auto& [phase, rep] : {std::pair{"free", r.free}, std::pair{"target", r.target}}) {
      std::printf("%-7s %s at %.3f ms, %lld steps, residual %.3g\n", phase,
                  rep.converged ? "converged" : "NOT converged", rep.time_ms,
                  static_cast<long long>(rep.steps), rep.residual);
    }
    std::printf("trajectories: %s\n", out_.c_str());
    return kOk;
  }

 private:
  ConfigOptions config_;
  SettleOptions options_;
  std::string checkpoint_, out_;
};

}  // namespace

std::unique_ptr<Command> make_settle_command() { return std::make_unique<SettleCommand>(); }

}  // namespace gaitsim
