#pragma once
// Model layers (a responses file of `gaitsim record`) against recordings (/responses, stimulus x
// neuron [x repetition], and /stimulus_id) or against the layers of another responses file, by
// RSA, linear CKA and cross-validated ridge predictivity, with split-half noise ceilings when
// the recordings have repetitions (docs/comparisons.md). The library behind `gaitsim compare`:
// no printing, the notes and warnings go to a callback.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/comparison_table.hpp"

namespace gaitsim::analysis {

struct ComparisonOptions {
  std::string responses;      // responses file of `gaitsim record`
  std::string recordings;     // recordings, or another responses file
  std::string layer = "all";  // a layer name of `responses`, or all
  std::string other_layer;    // against a responses file: its layer (default: the same name)
  std::vector<std::string> metrics{"rsa", "cka", "ridge"};
  std::string rsa_rank = "spearman";  // spearman | kendall
  int folds = 10;                     // outer folds of ridge
  int inner_folds = 5;                // inner folds choosing ridge's alpha
  int splits = 10;                    // random split-halves averaged in the noise ceilings
  std::uint64_t seed = 0;             // of the folds and the split-halves
  bool allow_partial = false;         // compare the stimuli in common when some recorded ids miss
  bool exclude_auxiliary = false;     // leave out the layers' auxiliary units
  std::string nan = "skip";           // NaN in recordings: skip | error
};

// An option or layer name that cannot be used (the command line's usage error, exit 2); the
// message names the option and what was expected.
class ComparisonOptionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Receives each note and warning of a comparison as one line without its newline (stimuli
// matched, NaN found and skipped, neurons and stimulus pairs left out).
using ComparisonNotes = std::function<void(const std::string&)>;

// Checks the metrics and the RSA rank; throws ComparisonOptionError.
void validate_comparison_options(const ComparisonOptions& o);

// Before any work: refuses (ComparisonOptionError) a table output that is one of the inputs (the
// comparison would overwrite what it reads), even with force, and an existing one without force.
void check_comparison_outputs(const ComparisonOptions& o, const std::filesystem::path& csv,
                              const std::filesystem::path& h5, bool force);

// Reads and validates both files, matches the stimuli by id and scores every chosen layer by
// every chosen metric. Throws ComparisonOptionError for a layer that does not exist and
// std::runtime_error for data that cannot be compared (ids not matching, non-finite rates,
// damaged files; the message names the file and what was expected).
ComparisonTable compare_responses(const ComparisonOptions& o, const ComparisonNotes& note);

}  // namespace gaitsim::analysis
