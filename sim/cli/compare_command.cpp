// `gaitsim compare`: the command line of analysis::compare_responses (model layers against
// recordings or another responses file by RSA, CKA and ridge, with noise ceilings; see
// docs/comparisons.md). Parses the options, prints the table and writes it with --out.
#include <cstdio>
#include <iostream>

#include "analysis/comparison_table.hpp"
#include "analysis/response_comparison.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

namespace an = gaitsim::analysis;

namespace {

class CompareCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "compare", "compare model layers with recordings (or another run) by RSA, CKA and ridge");
    cmd->add_option("RESPONSES", o_.responses, "responses file of `gaitsim record`")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("RECORDINGS", o_.recordings,
                    "HDF5 with /responses (stimulus x neuron [x repetition]) and /stimulus_id, or "
                    "another responses file of `gaitsim record`")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--layer", o_.layer,
                    "a layer name as gaitsim prints it (input, hidden1, ..., output) or all");
    cmd->add_option(
        "--other-layer", o_.other_layer,
        "when RECORDINGS is a responses file: its layer to compare with (default: the same name)");
    cmd->add_option("--metric", o_.metrics,
                    "rsa, cka, ridge (repeatable or comma-separated; default all three)")
        ->delimiter(',');
    cmd->add_option("--rsa-rank", o_.rsa_rank,
                    "how RDMs are compared: spearman (default) or kendall (tau-a)")
        ->check(CLI::IsMember({"spearman", "kendall"}));
    cmd->add_option("--folds", o_.folds, "outer cross-validation folds of ridge (default 10)")
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--inner-folds", o_.inner_folds,
                    "inner folds choosing ridge's alpha (default 5)")
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--splits", o_.splits,
                    "random split-halves averaged in noise ceilings (default 10)")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--seed", o_.seed, "seed of the folds and split-halves (default 0)");
    cmd->add_flag("--allow-partial", o_.allow_partial,
                  "compare on the stimuli in common when some recorded ids are not in RESPONSES");
    cmd->add_flag("--exclude-auxiliary", o_.exclude_auxiliary,
                  "leave out the layers' auxiliary units");
    cmd->add_option("--nan", o_.nan,
                    "NaN in recordings: skip (default; averaged out, reported) or error")
        ->check(CLI::IsMember({"skip", "error"}));
    cmd->add_flag("--force", force_, "replace an existing --out table (csv and h5)");
    cmd->add_option("--out", out_,
                    "write the table as CSV (layer,metric,score,ceiling,normalised) and as HDF5 "
                    "beside it (.h5)");
    return cmd;
  }
  int run() override {
    try {
      return compare();
    } catch (const an::ComparisonOptionError& e) {
      throw ConfigError(e.what());
    }
  }

 private:
  int compare() const {
    an::validate_comparison_options(o_);
    const auto [csv, h5] = an::comparison_table_paths(out_);
    if (!out_.empty()) an::check_comparison_outputs(o_, csv, h5, force_);
    const auto table =
        an::compare_responses(o_, [](const std::string& line) { std::cerr << line << '\n'; });
    std::fputs(an::comparison_table_text(table.rows).c_str(), stdout);
    if (out_.empty()) return kOk;
    an::write_comparison_table(table, csv, h5);
    std::printf("table: %s and %s\n", csv.c_str(), h5.c_str());
    return kOk;
  }

  an::ComparisonOptions o_;
  std::string out_;
  bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_compare_command() { return std::make_unique<CompareCommand>(); }

}  // namespace gaitsim
