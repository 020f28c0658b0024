// `gaitsim align`: options, and the table of angles the library measures.
#include <cstdio>

#include "sim/align.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

namespace {

class AlignCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "align", "per-layer cosine and angle between the rule's update and BP's on one batch");
    config_.attach(*cmd);
    cmd->add_option("--checkpoint", checkpoint_, "weights from a run file or checkpoint")
        ->check(CLI::ExistingFile);
    cmd->add_option("--dump", dump_, "write the batch, weights and both updates to this HDF5 file");
    cmd->add_flag("--force", options_.force, "overwrite an existing dump file");
    return cmd;
  }

  int run() override {
    options_.checkpoint = checkpoint_;
    options_.dump = dump_;
    const Config config = config_.load();
    align(config, options_, [&config](const AlignReport& r) { print(config, r); });
    if (!options_.dump.empty()) std::printf("dump: %s\n", options_.dump.c_str());
    return kOk;
  }

 private:
  static void print(const Config& c, const AlignReport& r) {
    std::printf("%s vs bp on %lld training examples (%s):\n", c.learning.algorithm.c_str(),
                r.examples, c.learning.precision.c_str());
    std::printf("%-8s %-10s %12s %12s\n", "layer", "name", "cosine", "angle_deg");
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      const auto& a = r.layers[i];
      std::printf("%-8zu %-10s %12.8f %12.6f\n", i + 1, a.name.c_str(), a.cosine, a.angle_deg);
    }
  }

  ConfigOptions config_;
  AlignOptions options_;
  std::string checkpoint_, dump_;
};

}  // namespace

std::unique_ptr<Command> make_align_command() { return std::make_unique<AlignCommand>(); }

}  // namespace gaitsim
