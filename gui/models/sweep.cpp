#include "gui/models/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/sweep_summary_file.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

QString SweepParameter::value_text(double v) const {
  if (!categories.isEmpty()) {
    const auto i = static_cast<qsizetype>(std::llround(v));
    return i >= 0 && i < categories.size() ? categories[i] : QString::number(v);
  }
  return QString::number(v, 'g', 6);
}

QString SweepData::counts() const {
  return QString("%1 points: %2 complete, %3 diverged, %4 missing")
      .arg(points)
      .arg(complete)
      .arg(diverged)
      .arg(missing);
}

namespace {

std::vector<double> doubles(const std::vector<long long>& v) { return {v.begin(), v.end()}; }

// The metric's column in the order of sweep_summary_metrics().
std::size_t metric(const std::string& name) {
  const auto& m = sweep_summary_metrics();
  return static_cast<std::size_t>(std::find(m.begin(), m.end(), name) - m.begin());
}

}  // namespace

// The file is checked against its schema by its reader (analysis/sweep_summary_file); this only
// converts to what the views draw.
SweepData read_sweep(const fs::path& summary_h5) {
  const SweepSummaryFile f = read_sweep_summary(summary_h5);
  SweepData s;
  s.dir = QString::fromStdString(summary_h5.parent_path().string());
  s.base = QString::fromStdString(f.base);
  s.points = f.points;
  s.complete = f.complete;
  s.diverged = f.diverged;
  s.unfinished = f.unfinished;
  s.missing_names = to_qt(f.missing);
  s.missing = s.missing_names.size();
  s.name = to_qt(f.name);
  s.status = to_qt(f.status);
  s.seed = doubles(f.seed);
  s.epochs = doubles(f.epochs);
  s.diverged_flag = doubles(f.diverged_flag);
  const std::size_t final_accuracy = metric("final_test_accuracy"),
                    best_accuracy = metric("best_test_accuracy");
  s.final_accuracy = f.metrics[final_accuracy];
  s.best_accuracy = f.metrics[best_accuracy];
  s.agg_seeds = doubles(f.seeds);
  s.agg_complete = doubles(f.group_complete);
  s.agg_diverged = doubles(f.group_diverged);
  s.agg_unfinished = doubles(f.group_unfinished);
  s.final_mean = f.mean[final_accuracy];
  s.final_sd = f.sd[final_accuracy];
  s.best_mean = f.mean[best_accuracy];
  s.best_sd = f.sd[best_accuracy];
  for (const SummaryParameterColumns& c : f.parameters) {
    SweepParameter p;
    p.key = QString::fromStdString(c.key);
    p.point = c.point;
    p.aggregate = c.aggregate;
    p.categories = to_qt(c.point_categories);
    if (p.categories.isEmpty() && !p.point.empty()) {
      const auto [mn, mx] = std::minmax_element(p.point.begin(), p.point.end());
      p.log_scale = *mn > 0 && *mx / *mn > 10.0;
    }
    s.parameters.push_back(std::move(p));
  }
  return s;
}

}  // namespace gaitsim::gui
