#pragma once
// Settling trajectories in one layout (docs/file-formats.md, "Trajectories"), written by
// `gaitsim settle` and `gaitsim record --trajectories` and read by the viewer:
//   /time_ms/free, /time_ms/target                 sample times of each phase [ms]
//   /layers/<name>/trajectory_free                 (time, stimulus, unit) free-phase rates h_l(t)
//   /layers/<name>/trajectory_target               (time, stimulus, unit) target-phase rates v_l(t)
//   /layers/<name>/trajectory_target_delta         (time, stimulus, unit) u_l(t) = mult_l (h_l -
//   v_l) /trajectory_convergence/*                      one row per batch of stimuli settled
//   together
// for the driven layers l = 1..L, named as in /layer_names. The record layout was kept (rather
// than settle's /layers/<index>/{free,target}): its groups are keyed by the population names
// used everywhere else in the file, it grows chunk by chunk, and it records convergence per
// batch, which a one-batch `settle` file is the special case of.
#include <Eigen/Dense>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/h5_stream.hpp"

namespace gaitsim {

// The dynamics the trajectories were integrated with (attributes of /time_ms/<phase>).
struct TrajectorySettings {
  double duration_ms = 0;      // how long both phases were integrated [ms]
  double record_every_ms = 0;  // sample spacing [ms]
  double tau_ms = 0;           // membrane time constant [ms]
  double dt_ms = 0;            // integrator step [ms]
  double tol = 0;              // convergence threshold on max |dx/dt| tau [rate units]
  std::string stepper, feedback;
};

// How one phase of one batch settled.
struct PhaseConvergence {
  bool converged = false;
  double time_ms = 0;   // since when the residual stayed below tol [ms]; NaN if not converged
  double residual = 0;  // max |dx/dt| tau at the end
  long long steps = 0;
};

// One phase of one batch, borrowed from the simulation: time[k] and, per layer index l (0 is
// the input, unused), rate[l][k] (stimulus x unit) and for the target phase delta[l][k].
struct PhaseView {
  const std::vector<double>& time;
  const std::vector<std::vector<Eigen::MatrixXd>>& rate;
  const std::vector<std::vector<Eigen::MatrixXd>>* delta = nullptr;  // target phase only
  PhaseConvergence convergence;
};

// A driven population: its name and index in /layer_names and its width.
struct TrajectoryLayer {
  std::string name;
  int index = 1, width = 0;
};

// Writes the trajectories into an open file, batch by batch (the sample times are fixed by the
// first batch and must match for every later one).
class TrajectoryWriter {
 public:
  TrajectoryWriter(h5::StreamFile& file, std::vector<TrajectoryLayer> layers, h5::ScalarType dtype,
                   int gzip, long long total_stimuli, TrajectorySettings settings);
  // Root attribute trajectory_ms and the convergence table; call before the first append.
  void begin();
  void append(long long offset, long long rows, const PhaseView& free, const PhaseView& target);
  std::size_t samples() const { return times_free_.size(); }

 private:
  void create(const std::vector<double>& tf, const std::vector<double>& tt);
  void same_times(const std::vector<double>& first, const std::vector<double>& now,
                  const char* phase) const;
  void stream3(const std::string& path, std::size_t samples, int width,
               const std::string& description);
  void put3(const std::string& path, const std::vector<Eigen::MatrixXd>& slices);
  void convergence_row(const char* phase, const PhaseConvergence& c);

  h5::StreamFile& f_;
  std::vector<TrajectoryLayer> layers_;
  h5::ScalarType dtype_;
  int gzip_;
  long long total_;
  TrajectorySettings settings_;
  std::vector<double> times_free_, times_target_;
};

// The trajectories of one file, either command's. Validates the layout on opening (throws
// std::runtime_error naming the file, the dataset and what was expected) and reads one
// stimulus's slabs at a time.
class TrajectoryReader {
 public:
  explicit TrajectoryReader(std::filesystem::path file);

  const std::filesystem::path& path() const { return file_; }
  const std::vector<TrajectoryLayer>& layers() const { return layers_; }  // driven, bottom first
  long long stimuli() const { return stimuli_; }
  bool has_phase(int phase) const { return phase == 0 ? !t_free_.empty() : !t_target_.empty(); }
  const std::vector<double>& time(int phase) const { return phase == 0 ? t_free_ : t_target_; }
  const std::vector<int>& labels() const { return labels_; }  // empty where unknown

  // One stimulus of one phase: per layer (bottom first) a (time x unit) matrix of rates, and
  // the fixed point it settles to (the algebraic rates or targets; empty where not stored).
  struct Slab {
    std::vector<Eigen::MatrixXd> rate;
    std::vector<Eigen::RowVectorXd> fixed_point;
  };
  Slab read(int phase, long long stimulus) const;

 private:
  std::filesystem::path file_;
  std::vector<TrajectoryLayer> layers_;
  long long stimuli_ = 0;
  std::vector<double> t_free_, t_target_;
  std::vector<int> labels_;
  std::vector<bool> has_rates_, has_targets_;
};

}  // namespace gaitsim
