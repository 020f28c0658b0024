#pragma once
// Settling trajectories of `gaitsim settle` or `gaitsim record --trajectories`. (part of the
// viewer's models, gui/models.hpp).
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

#include "analysis/trajectory_file.hpp"

namespace gaitsim::gui {

namespace fs = std::filesystem;

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

}  // namespace gaitsim::gui
