#pragma once
// The summary files of a sweep (`gaitsim sweep`, layout in docs/cluster.md): DIR/summary.csv
// (one row per point), DIR/summary_aggregate.csv (mean and sd over seeds per parameter
// combination) and DIR/summary.h5 (both, as columns). The writer takes the rows as plain data
// (the sweep, sim/sweep/sweep_summary, fills them from the points' run files); the reader checks
// summary.h5 against its schema before anything is used, and every error is a
// SweepSummaryFileError naming the file, the object and what was expected.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace gaitsim {

// The per-point metrics, in column order: final_test_accuracy, best_test_accuracy,
// final_test_loss, final_train_accuracy, wall_seconds.
const std::vector<std::string>& sweep_summary_metrics();

// One point of the sweep: a row of summary.csv and of /points.
struct SummaryPointRow {
  std::string name;                 // the point's folder name
  std::vector<std::string> values;  // the swept keys' values as text, axis order
  long long seed = 1;
  // complete | diverged | running | paused | missing | unreadable | lost
  std::string status = "missing";
  long long epochs = 0;         // epochs completed
  long long lost_on_rank = -1;  // status lost: the rank that was lost; else -1
  std::vector<double> metrics;  // per sweep_summary_metrics(); NaN: no epoch
};

// One parameter combination: a row of summary_aggregate.csv and of /aggregate.
struct SummaryGroupRow {
  std::vector<std::string> values;  // the swept keys' values as text, axis order
  long long seeds = 0, complete = 0, diverged = 0, unfinished = 0;  // points [count]
  // per metric, over the completed seeds: mean and sample sd (NaN without completed seeds; sd
  // NaN with one)
  std::vector<double> mean, sd;
};

struct SweepSummaryTable {
  std::string sweep_digest;                                        // of the sweep file's text
  std::string base;                                                // the base config's path
  std::vector<std::string> keys;                                   // swept keys, axis order
  std::vector<SummaryPointRow> points;                             // in expansion order
  std::vector<SummaryGroupRow> groups;                             // in order of first appearance
  long long complete = 0, diverged = 0, unfinished = 0, lost = 0;  // points [count]
};

// Writes the three files, each atomically (analysis/atomic_file).
void write_sweep_summary_files(const std::filesystem::path& dir, const SweepSummaryTable& table);

// A summary.h5 that does not hold what docs/cluster.md says.
class SweepSummaryFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One swept key's columns as stored: numbers, or for a text-valued key indices into
// `categories` (per column: /points/<dataset> and /aggregate/<dataset> each have their own).
struct SummaryParameterColumns {
  std::string key;      // dotted config key (attribute `parameters`)
  std::string dataset;  // its MATLAB-safe column name (attribute `parameter_datasets`)
  std::vector<double> point, aggregate;
  std::vector<std::string> point_categories, aggregate_categories;  // empty: numeric
};

// summary.h5 as read: the points and the aggregate as columns.
struct SweepSummaryFile {
  std::string sweep_digest, base;
  long long points = 0, complete = 0, diverged = 0, unfinished = 0, lost = 0;  // [count]
  std::vector<std::string> missing;  // names of the unfinished points
  std::vector<SummaryParameterColumns> parameters;
  // /points: one entry per point
  std::vector<std::string> name, status;
  std::vector<long long> seed, epochs, diverged_flag, lost_on_rank;
  std::vector<std::vector<double>> metrics;  // per metric, then per point
  // /aggregate: one entry per parameter combination
  std::vector<long long> seeds, group_complete, group_diverged, group_unfinished;
  std::vector<std::vector<double>> mean, sd;  // per metric, then per combination
};

// Checks every root attribute, column (1-D, numeric, integer where counts), length (points, or
// the number of combinations) and category index before returning; SweepSummaryFileError
// otherwise.
SweepSummaryFile read_sweep_summary(const std::filesystem::path& summary_h5);

}  // namespace gaitsim
