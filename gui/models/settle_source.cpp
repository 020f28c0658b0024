#include "gui/models/settle_source.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

SettleSource::SettleSource(const fs::path& file) : reader_(file) {
  for (const auto& l : reader_.layers()) {
    names_.push_back(QString::fromStdString(l.name));
    widths_.push_back(l.width);
  }
  if (!has_phase(0) && !has_phase(1)) {
    problem_ = "this trajectories file has neither a free nor a target phase";
  } else if (!has_phase(0)) {
    problem_ =
        "the free phase is missing from this trajectories file: showing the target phase only";
  } else if (!has_phase(1)) {
    problem_ =
        "the target phase is missing from this trajectories file: showing the free phase only";
  }
}

int SettleSource::label(long long stimulus) const {
  const auto& labels = reader_.labels();
  return stimulus >= 0 && stimulus < static_cast<long long>(labels.size()) ? labels[stimulus] : -1;
}

const TrajectoryReader::Slab& SettleSource::slab(int phase, long long stimulus) const {
  if (cached_stimulus_ != stimulus) {
    cached_stimulus_ = -1;  // stays invalid if a read throws
    cached_[0] = reader_.read(0, stimulus);
    cached_[1] = reader_.read(1, stimulus);
    cached_stimulus_ = stimulus;
    ++reads_;
  }
  return cached_[phase];
}

int SettleSource::reads() const {
  const std::lock_guard lock(mutex_);
  return reads_;
}

std::vector<double> SettleSource::trace(int layer, int phase, long long stimulus, int unit) const {
  if (!has_phase(phase)) return {};
  const std::lock_guard lock(mutex_);
  const Eigen::MatrixXd& r = slab(phase, stimulus).rate.at(static_cast<std::size_t>(layer - 1));
  if (unit < 0 || unit >= r.cols()) return {};
  std::vector<double> y(static_cast<std::size_t>(r.rows()));
  for (Eigen::Index k = 0; k < r.rows(); ++k) y[static_cast<std::size_t>(k)] = r(k, unit);
  return y;
}

double SettleSource::reference(int layer, int phase, long long stimulus, int unit) const {
  const std::lock_guard lock(mutex_);
  const Eigen::RowVectorXd& v =
      slab(phase, stimulus).fixed_point.at(static_cast<std::size_t>(layer - 1));
  return unit >= 0 && unit < v.size() ? v(unit) : std::nan("");
}

std::vector<double> SettleSource::residual(int phase, long long stimulus) const {
  if (!has_phase(phase)) return {};
  const std::vector<double>& t = time(phase);
  if (t.size() < 2) return {};
  std::vector<double> r(t.size() - 1, 0.0);
  const std::lock_guard lock(mutex_);
  for (const Eigen::MatrixXd& v : slab(phase, stimulus).rate) {
    for (std::size_t k = 1; k < t.size(); ++k) {
      const double dt = t[k] - t[k - 1];
      if (dt <= 0) continue;
      const auto i = static_cast<Eigen::Index>(k);
      r[k - 1] = std::max(r[k - 1], (v.row(i) - v.row(i - 1)).cwiseAbs().maxCoeff() / dt);
    }
  }
  return r;
}

}  // namespace gaitsim::gui
