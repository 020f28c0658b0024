#include "gui/models/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
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

SweepData read_sweep(const fs::path& summary_h5) {
  const h5::File f = h5::File::open_read(summary_h5);
  SweepData s;
  s.dir = QString::fromStdString(summary_h5.parent_path().string());
  s.base = QString::fromStdString(attr_or(f, "/", "base"));
  s.points = f.attr_int("/", "points");
  s.complete = f.attr_int("/", "complete");
  s.diverged = f.attr_int("/", "diverged");
  s.unfinished = f.attr_int("/", "unfinished");
  s.missing_names = to_qt(strings_or(f, "/", "missing"));
  s.missing = s.missing_names.size();
  s.name = to_qt(strings_or(f, "/points", "name"));
  s.status = to_qt(strings_or(f, "/points", "status"));
  const auto column = [&](const std::string& ds, std::size_t n) {
    std::vector<double> v = f.read_vector<double>(ds);
    if (v.size() != n) {
      fail(summary_h5,
           ds + ": " + std::to_string(v.size()) + " values, expected " + std::to_string(n));
    }
    return v;
  };
  const auto n = static_cast<std::size_t>(s.points);
  s.seed = column("/points/seed", n);
  s.epochs = column("/points/epochs", n);
  s.diverged_flag = column("/points/diverged", n);
  s.final_accuracy = column("/points/final_test_accuracy", n);
  s.best_accuracy = column("/points/best_test_accuracy", n);
  if (s.status.size() != static_cast<qsizetype>(n)) {
    fail(summary_h5, "/points attribute status: " + std::to_string(s.status.size()) +
                         " entries, expected " + std::to_string(n));
  }
  const std::size_t groups = f.shape("/aggregate/seeds").at(0);
  s.agg_seeds = column("/aggregate/seeds", groups);
  s.agg_complete = column("/aggregate/complete", groups);
  s.agg_diverged = column("/aggregate/diverged", groups);
  s.agg_unfinished = column("/aggregate/unfinished", groups);
  s.final_mean = column("/aggregate/final_test_accuracy_mean", groups);
  s.final_sd = column("/aggregate/final_test_accuracy_sd", groups);
  s.best_mean = column("/aggregate/best_test_accuracy_mean", groups);
  s.best_sd = column("/aggregate/best_test_accuracy_sd", groups);
  // Each swept key (attribute `parameters`) has its column under a MATLAB-safe name
  // (`parameter_datasets`, in the same order).
  const std::vector<std::string> keys = strings_or(f, "/", "parameters");
  const std::vector<std::string> columns = strings_or(f, "/", "parameter_datasets");
  if (columns.size() != keys.size()) {
    fail(summary_h5, "attributes parameters and parameter_datasets differ in length");
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    SweepParameter p;
    p.key = QString::fromStdString(keys[i]);
    const std::string& k = columns[i];
    p.point = column("/points/" + k, n);
    p.aggregate = column("/aggregate/" + k, groups);
    p.categories = to_qt(strings_or(f, "/points/" + k, "categories"));
    if (p.categories.isEmpty() && !p.point.empty()) {
      const auto [mn, mx] = std::minmax_element(p.point.begin(), p.point.end());
      p.log_scale = *mn > 0 && *mx / *mn > 10.0;
    }
    s.parameters.push_back(std::move(p));
  }
  return s;
}

}  // namespace gaitsim::gui
