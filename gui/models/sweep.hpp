#pragma once
// A sweep summary (summary.h5 of `gaitsim sweep`, layout in docs/cluster.md). (part of the viewer's
// models, gui/models.hpp).
#include <QImage>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim::gui {

namespace fs = std::filesystem;

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

}  // namespace gaitsim::gui
