#pragma once
// The comparison table of `gaitsim compare` (docs/comparisons.md, "Output"; layout in
// docs/file-formats.md): one row per layer and metric, written as CSV
// (layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper; numbers as %.6g, empty
// where NaN) and as HDF5 beside it (every column, the per-neuron ridge r, reliabilities and
// ceilings, the matched stimulus ids and the settings), and read back from either.
#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim::analysis {

struct ComparisonRow {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::string layer, metric;
  double score = kNaN, ceiling = kNaN, normalised = kNaN;  // NaN where not computed
  double ceiling_lower = kNaN, ceiling_upper = kNaN;       // bounds, where the metric has them
  long long stimuli = 0, units = 0, neurons = 0;           // sizes the score was computed on
};

struct ComparisonTable {
  std::vector<ComparisonRow> rows;
  std::vector<long long> stimulus_id;              // the matched stimuli, in the recordings' order
  std::map<std::string, Eigen::VectorXd> ridge_r;  // per layer: Pearson r of each neuron
  Eigen::VectorXd neuron_reliability;   // per neuron used (r^2 scale); empty without ceiling
  std::vector<long long> neurons_used;  // recorded neurons compared; empty against a model
  // Provenance, stored as attributes of the HDF5 file.
  std::string responses, recordings;
  std::uint64_t seed = 0;
  long long folds = 0, inner_folds = 0, splits = 0;
  std::string created;  // ISO 8601 time of the comparison
};

// Where `--out FILE` writes: FILE and FILE with its extension replaced by .h5 (FILE.h5 when it
// has none, FILE.h5.h5 when it is .h5 already, so that the two never coincide).
std::pair<std::filesystem::path, std::filesystem::path> comparison_table_paths(
    const std::filesystem::path& out);

// The table printed on stdout: a header line and one line per row, fixed-width columns
// (layer, metric, score, ceiling, normalised, stimuli, units, neurons, ceil_lower, ceil_upper).
std::string comparison_table_text(const std::vector<ComparisonRow>& rows);
// The CSV text (header and one line per row).
std::string comparison_table_csv(const std::vector<ComparisonRow>& rows);

// Writes the HDF5 file and the CSV, both complete under temporary names before either is renamed
// into place (atomic: a failure leaves both paths as they were). Throws std::runtime_error when
// the CSV's folder does not exist, H5Error / std::system_error when a file cannot be written.
void write_comparison_table(const ComparisonTable& table, const std::filesystem::path& csv,
                            const std::filesystem::path& h5);

// Reads the HDF5 table, validated: format "gaitsim-comparison", every per-row column present
// with one entry per row, the per-neuron vectors of equal length. Errors (std::runtime_error)
// name the file, the dataset and what was expected.
ComparisonTable read_comparison_table(const std::filesystem::path& h5);
// Reads the CSV's rows (the sizes, not in the CSV, are 0): the header as written and seven
// fields per line; errors name the file, the line and what was expected.
std::vector<ComparisonRow> read_comparison_csv(const std::filesystem::path& csv);

}  // namespace gaitsim::analysis
