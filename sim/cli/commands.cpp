#include <omp.h>

#include <Eigen/Core>

#include "sim/cli/command.hpp"

namespace gaitsim {

std::unique_ptr<Command> make_train_command();
std::unique_ptr<Command> make_align_command();
std::unique_ptr<Command> make_keys_command();
std::unique_ptr<Command> make_record_command();
std::unique_ptr<Command> make_compare_command();
std::unique_ptr<Command> make_settle_command();
std::unique_ptr<Command> make_plot_command();
std::unique_ptr<Command> make_sweep_command();
std::unique_ptr<Command> make_cache_command();

// The one place a subcommand is added.
std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_train_command());
  commands.push_back(make_align_command());
  commands.push_back(make_settle_command());
  commands.push_back(make_keys_command());
  commands.push_back(make_record_command());
  commands.push_back(make_compare_command());
  commands.push_back(make_plot_command());
  commands.push_back(make_sweep_command());
  commands.push_back(make_cache_command());
  return commands;
}

CLI::Validator integer_at_least(long long lo) {
  return CLI::Validator(
      [lo](std::string& text) -> std::string {
        const std::string expected = "expected an integer >= " + std::to_string(lo);
        std::size_t used = 0;
        long long v = 0;
        try {
          v = std::stoll(text, &used);
        } catch (const std::exception&) {
          return expected + ", found '" + text + "'";
        }
        if (used != text.size() || v < lo) return expected + ", found '" + text + "'";
        return {};
      },
      "INT>=" + std::to_string(lo));
}

void ConfigOptions::attach(CLI::App& cmd) {
  cmd.add_option("CONFIG", file, "experiment config (YAML), e.g. configs/quickstart.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--set", sets,
                 "override a config key, e.g. --set learning.gamma=1e-4 (repeatable; "
                 "`gaitsim keys` lists them)")
      ->allow_extra_args(false);
  cmd.add_option("--threads", threads,
                 "threads for the linear algebra (default: OMP_NUM_THREADS or all cores)")
      ->check(integer_at_least(1));
}

Config ConfigOptions::load() const {
  // OpenBLAS (GAITSIM_BLAS) takes its thread count from OpenMP, not from Eigen.
  if (threads > 0) {
    Eigen::setNbThreads(threads);
    omp_set_num_threads(threads);
  }
  return load_config(file, sets);
}

namespace {

class KeysCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    return app.add_subcommand("keys", "list every config key with its default and range");
  }
  int run() override {
    std::cout << config_reference();
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_keys_command() { return std::make_unique<KeysCommand>(); }

}  // namespace gaitsim
