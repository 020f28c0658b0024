#pragma once
// The viewer's models: what each view draws, computed from the files gaitsim writes (and, for a
// run file's network view, from the simulator libraries). No widgets here: everything is testable
// without a screen. Readers open the file per request and read only the rows they need (one
// stimulus, one unit), so a large responses or trajectories file is never loaded whole.
#include <QImage>
#include <QString>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trajectory_file.hpp"

namespace gaitsim::gui {

namespace fs = std::filesystem;

enum class FileKind { Run, Responses, Settle, Sweep, Unknown };
const char* kind_name(FileKind k);

// What a file is, judged by its root attributes. Never throws: a file that is not HDF5, is
// truncated or is another HDF5 file gives Unknown with a message saying why.
struct Detection {
  FileKind kind = FileKind::Unknown;
  QString message;  // empty when the file is one of ours and complete
};
Detection detect_file(const fs::path& path);
// A sweep folder (holding summary.h5, written by `gaitsim sweep`) stands for its summary.h5;
// any other path is returned unchanged.
fs::path resolve_input(const fs::path& path);

// ---- training (run file) ----
struct TrainingCurves {
  QString name;    // the run's folder name
  QString status;  // running | paused | complete | diverged
  std::vector<double> epoch, train_loss, train_accuracy, test_loss, test_accuracy;
  std::vector<double> align_step;
  std::vector<std::vector<double>> angle_deg;  // [layer 1..L - 1][sample]
  std::vector<int> ortho_layers;
  std::vector<std::vector<double>> ortho_error;  // [k][epoch]
  long long steps = 0;                           // optimiser steps so far
};
TrainingCurves read_training(const fs::path& run_file);  // throws std::runtime_error

// ---- weights (run file) ----
struct WeightsData {
  std::vector<QString> layer_names;    // 1..L
  std::vector<std::vector<double>> W;  // per layer, row-major (k x n)
  std::vector<int> rows, cols;
  int image_h = 0, image_w = 0, image_c = 1;  // shape of one input image (0: not an image)
};
WeightsData read_weights(const fs::path& run_file);
struct Histogram {
  double lo = 0, hi = 0;
  std::vector<double> counts;
};
Histogram histogram(const std::vector<double>& values, int bins);
// Receptive field of unit j of layer 1: column j of W1, length k.
std::vector<double> receptive_field(const WeightsData& w, int unit);

// ---- network (responses file, or computed from a run file) ----
struct LayerSlice {
  QString name;
  int width = 0;
  std::vector<double> rate, target;  // target empty where there is none
  std::vector<char> auxiliary;       // 1 for auxiliary units
};
struct StimulusData {
  long long index = 0, id = 0;
  int label = -1, prediction = -1;
  std::vector<double> input;  // the input layer's rates (pixels / 255)
  int image_h = 0, image_w = 0, image_c = 1;
  std::vector<LayerSlice> layers;  // driven layers 1..L
};
class NetworkSource {
 public:
  virtual ~NetworkSource() = default;
  virtual long long count() const = 0;
  virtual StimulusData stimulus(long long i) const = 0;  // throws std::runtime_error
  virtual QString description() const = 0;
};
// A responses file: reads one row per layer per call.
std::unique_ptr<NetworkSource> open_responses(const fs::path& file);
// A run file: loads its config's dataset and computes the forward rates and the configured
// rule's targets for the first `stimuli` test examples with the simulator's engine.
std::unique_ptr<NetworkSource> compute_from_run(const fs::path& run_file, long long stimuli);

// ---- settling (trajectories of `gaitsim settle` or `gaitsim record --trajectories`) ----
// Reads through TrajectoryReader (analysis/trajectory_file.hpp); the slabs of the stimulus on
// show are read once and kept, so a redraw does not reopen the file.
class SettleSource {
 public:
  explicit SettleSource(const fs::path& file);  // throws std::runtime_error
  int depth() const { return static_cast<int>(names_.size()); }
  const std::vector<QString>& layer_names() const { return names_; }
  const std::vector<int>& widths() const { return widths_; }
  long long stimuli() const { return reader_.stimuli(); }
  bool has_phase(int phase) const { return reader_.has_phase(phase); }  // 0 free, 1 target
  const std::vector<double>& time(int phase) const { return reader_.time(phase); }
  QString problem() const { return problem_; }  // e.g. a missing phase; empty when whole
  int label(long long stimulus) const;
  // Rate of one unit over time in a phase (layer 1..L).
  std::vector<double> trace(int layer, int phase, long long stimulus, int unit) const;
  // The fixed point the phase settles to: the algebraic forward rate (free) or target (target
  // phase); NaN where the file does not hold it (record without --targets).
  double reference(int layer, int phase, long long stimulus, int unit) const;
  // max over layers and units of |dh/dt| between samples [1/ms], per sample after the first.
  std::vector<double> residual(int phase, long long stimulus) const;
  // How many times slabs were read from the file (once per stimulus shown; for tests).
  int reads() const;

 private:
  // The stimulus's slab of `phase`, read on first use (both phases at once).
  const TrajectoryReader::Slab& slab(int phase, long long stimulus) const;

  TrajectoryReader reader_;
  std::vector<QString> names_;
  std::vector<int> widths_;
  QString problem_;
  mutable std::mutex mutex_;  // guards the cache below
  mutable long long cached_stimulus_ = -1;
  mutable TrajectoryReader::Slab cached_[2];
  mutable int reads_ = 0;
};

// ---- sweep (summary.h5 of `gaitsim sweep`, layout in docs/cluster.md) ----
struct SweepParameter {
  QString key;                         // dotted config key
  std::vector<double> point;           // /points/<key>, one per point
  std::vector<double> aggregate;       // /aggregate/<key>, one per parameter combination
  QStringList categories;              // text-valued key: the values are indices into these
  bool log_scale = false;              // all > 0 and spanning more than a decade
  QString value_text(double v) const;  // "0.001", or the category's name
};
struct SweepData {
  QString dir, base;
  std::vector<SweepParameter> parameters;
  long long points = 0, complete = 0, diverged = 0, unfinished = 0, missing = 0;
  QStringList missing_names;  // the root attribute `missing`: unfinished points
  // per point
  QStringList name, status;
  std::vector<double> seed, epochs, diverged_flag, final_accuracy, best_accuracy;
  // per parameter combination (mean and sd over the completed seeds; sd NaN for one seed)
  std::vector<double> agg_seeds, agg_complete, agg_diverged, agg_unfinished;
  std::vector<double> final_mean, final_sd, best_mean, best_sd;
  QString counts() const;  // "12 points: 8 complete, 2 diverged, 2 missing"
};
SweepData read_sweep(const fs::path& summary_h5);  // throws std::runtime_error

// ---- heatmaps ----
struct Grid {
  int rows = 0, cols = 0;
};
Grid fold(int n);                  // near-square: cols = ceil(sqrt n), rows = ceil(n / cols)
QRgb sequential_colour(double t);  // t in [0, 1], viridis-like
QRgb diverging_colour(double t);   // t in [-1, 1], blue - white - red
// One pixel per unit (row-major in the grid); cells past n are grey.
QImage heatmap_image(const std::vector<double>& v, Grid g, double lo, double hi, bool diverging);
// An image (pixels in [0, 1]) of shape C x H x W, as stored in a dataset row.
QImage input_image(const std::vector<double>& v, int h, int w, int c);
// Value range for a map: [min, max], or symmetric [-m, m] for a diverging one.
std::pair<double, double> value_range(const std::vector<double>& v, bool diverging);

// ---- a whole opened file ----
struct Document {
  fs::path path;
  FileKind kind = FileKind::Unknown;
  QString error;    // why it could not be opened (kind Unknown)
  QString warning;  // opened, but something is missing (e.g. a phase)
  std::optional<TrainingCurves> training;
  std::shared_ptr<const WeightsData> weights;
  std::shared_ptr<const NetworkSource> network;
  std::shared_ptr<const SettleSource> settle;
  std::shared_ptr<const SweepData> sweep;
};
// Opens anything (a sweep folder too); never throws (errors land in `error`). Slow for run files
// (computes rates).
Document load_document(const fs::path& path, long long network_stimuli = 100);

// Percent done from one line of gaitsim's progress bar ("... [==>  ] 200/1000 ETA ..."), or -1
// when the line is not one.
int progress_percent(const std::string& line);

}  // namespace gaitsim::gui
