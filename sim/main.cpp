// gaitsim: the command-line program. Each subcommand parses its options here and hands a
// validated Config to the library; every error ends with a message and a non-zero exit.
#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <iostream>

#include "analysis/h5_error.hpp"
#include "datasets/data_error.hpp"
#include "plasticity/learning_rule.hpp"
#include "sim/align_command.hpp"
#include "sim/config.hpp"
#include "sim/trainer.hpp"

namespace {

using namespace gaitsim;

struct Common {
  std::string config;
  std::vector<std::string> sets;
  int threads = 0;
};

void add_common(CLI::App& cmd, Common& common) {
  cmd.add_option("CONFIG", common.config, "experiment config (YAML), e.g. configs/mnist_square_gait.yaml")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--set", common.sets,
                 "override a config key, e.g. --set learning.gamma=1e-4 (repeatable; see "
                 "`gaitsim keys`)");
  cmd.add_option("--threads", common.threads,
                 "threads for the linear algebra (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
}

Config load(const Common& common) {
  if (common.threads > 0) Eigen::setNbThreads(common.threads);
  return load_config(common.config, common.sets);
}

template <class F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kUsage;
  } catch (const datasets::DataError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kFailure;
  } catch (const IllConditionedLayer& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kFailure;
  } catch (const h5::H5Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "gaitsim: rate-neuron populations learning by GAIT-prop, BP, TP and FA.\n"
      "Run `gaitsim COMMAND --help` for a command's options."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gaitsim 0.1.0");

  Common train_common;
  gaitsim::TrainOptions train_opts;
  std::string out_dir;
  auto* train = app.add_subcommand("train", "train a network as a config describes");
  add_common(*train, train_common);
  train->add_option("--out", out_dir, "run folder (default: output.dir or runs/<config name>)");
  train->add_flag("--resume", train_opts.resume, "continue the run in the run folder");
  train->add_flag("--force", train_opts.force, "replace an existing run in the run folder");
  train->add_option("--max-steps", train_opts.max_steps,
                    "stop after this many steps, leaving a resumable checkpoint")
      ->check(CLI::NonNegativeNumber);
  train->footer("Writes RUN_FOLDER/run.h5: metrics per epoch, angle to BP, orthogonality error,\n"
                "the resolved config and the weights; it is also the checkpoint --resume reads.\n"
                "Exit codes: 0 done, 1 failure, 2 bad config or usage, 3 diverged.");

  Common align_common;
  gaitsim::AlignOptions align_opts;
  std::string checkpoint, dump;
  auto* align = app.add_subcommand(
      "align", "per-layer cosine and angle between the rule's update and BP's on one batch");
  add_common(*align, align_common);
  align->add_option("--checkpoint", checkpoint, "weights from a run file or checkpoint")
      ->check(CLI::ExistingFile);
  align->add_option("--dump", dump, "write the batch, weights and both updates to this HDF5 file");
  align->add_flag("--force", align_opts.force, "overwrite an existing dump file");

  auto* keys = app.add_subcommand("keys", "list every config key with its default and range");

  CLI11_PARSE(app, argc, argv);

  if (*keys) {
    std::cout << gaitsim::config_reference();
    return 0;
  }
  if (*train) {
    return guarded([&] {
      const Config config = load(train_common);
      train_opts.out_dir = out_dir.empty() ? default_run_dir(config) : std::filesystem::path(out_dir);
      return gaitsim::train(config, train_opts);
    });
  }
  return guarded([&] {
    const Config config = load(align_common);
    align_opts.checkpoint = checkpoint;
    align_opts.dump = dump;
    return gaitsim::align(config, align_opts);
  });
}
