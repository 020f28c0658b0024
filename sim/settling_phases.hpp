#pragma once
// Two-phase settling (gait-prop.md, "Two-phase settling"; docs/dynamics.md): both phases are
// reached by integrating the populations' ODEs with Boost.Odeint, a whole batch as one state.
//
// Free phase (neurons/rate_dynamics.hpp): tau da_l/dt = -a_l + r_{l-1} W_l + b_l from a = 0.
//
// Target phase, in the delta coordinates of the engine (gait-prop.md, "Numerics"): each layer
// l < L carries u_l = mult_l (h_l - v_l), the scaled difference of its target state v_l from its
// settled forward rate h_l (what a dendritic compartment could hold); the output is clamped at
// u_L = D_L (the nudge) and auxiliary units stay at u = 0. For l = L..2, the drive r_l and
// mult_{l-1} come from the *current* u_l through the rule's own step, LearningRule::top_down,
// the one its algebraic sweep uses (GAIT: q_l = gamma_l / mult_l, s_l = q_l d_l^2 u_l,
// r_l = (f^-1(h_l) - f^-1(h_l - s_l)) / q_l, mult_{l-1} = mult_l / gamma_l). A rule that
// inverts its layers (GAIT, TP) relaxes by dynamics.feedback:
//   feedback inverse:    tau du_{l-1}/dt = -u_{l-1} + r_l W_l^-1           (LU, once per batch)
//                        (feedback.mode learned: r_l Q_l, the learned feedback weights)
//   feedback transpose:  tau du_{l-1}/dt = (r_l - u_{l-1} W_l) W_l^T       (gradient flow)
// one whose step names its feedback F (BP: W_l, FA: B_l, r_l = e_l = u_l * d_l) relaxes toward
// it: tau du_{l-1}/dt = -u_{l-1} + r_l F^T. Every one has the rule's one-sweep deltas as fixed
// point.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "analysis/trajectory_file.hpp"
#include "sim/phases.hpp"

namespace gaitsim {

// A phase that did not converge while dynamics.fail_on_nonconvergence is set.
class NonConvergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Sampled rates of one phase: time[k] and, per layer l = 1..L, rate[l][k] (N x n_l) and, for
// the target phase, delta[l][k] = u_l (mult_l (h_l - v_l)).
struct PhaseTrajectory {
  std::vector<double> time;                     // [ms]
  std::vector<std::vector<Mat<double>>> rate;   // [l][k]
  std::vector<std::vector<Mat<double>>> delta;  // [l][k] (target phase)
  RelaxReport report;
};

// A settled phase as the trajectories writer takes it (analysis/trajectory_file.hpp), with the
// delta for the target phase; the convergence time is NaN when the phase did not converge.
PhaseView trajectory_view(const PhaseTrajectory& p, bool with_delta);

template <class T>
class SettlingPhases : public Phases<T> {
 public:
  explicit SettlingPhases(const DynamicsConfig& dynamics);
  std::string name() const override { return "settle"; }
  void free(const Network<T>& net, const Mat<T>& x, Activity<T>& act) override;
  void target(const Network<T>& net, const LearningRule<T>& rule, const Activity<T>& act,
              ErrorSignals<T>& sig) override;
  // Euler-Maruyama in both phases; ConfigError naming dynamics.stepper for dopri5. With noise
  // (or dynamics.average_ms > 0) every phase runs exactly dynamics.max_time_ms
  // (RelaxParams::fixed_time).
  void set_noise(const RateNoise* noise) override;

  // Keep the trajectories of the next phases (gaitsim settle, gaitsim record --trajectories).
  void set_recording(bool on) { recording_ = on; }
  // Integrate every phase for at least `ms` (and at most max(ms, dynamics.max_time_ms)), staying
  // at the fixed point once converged, so that all batches share one time axis (0: the default,
  // stop on convergence).
  void set_min_time(double ms) {
    params_.min_time_ms = ms;
    params_.max_time_ms = std::max(params_.max_time_ms, ms);
  }
  const PhaseTrajectory& free_trajectory() const { return free_traj_; }
  const PhaseTrajectory& target_trajectory() const { return target_traj_; }
  const RelaxReport& last_free() const { return last_free_; }
  const RelaxReport& last_target() const { return last_target_; }
  const RelaxParams& params() const { return params_; }

 private:
  void check(const RelaxReport& rep, const std::string& phase, const Network<T>& net,
             int layer_of_block0);
  // tau of populations 1..L: dynamics.tau_ms, or its list checked against the network's depth
  // (ConfigError naming the key).
  std::vector<double> population_tau(const Network<T>& net) const;
  // params_ for a phase with `noise` (null: noiseless): fixed time with noise or averaging.
  RelaxParams phase_params(const RateNoise* noise) const;
  // The hook relax calls after each step: none when there is neither noise nor averaging, so
  // that a noiseless run integrates exactly as before.
  template <class F>
  std::function<void(long long, double, std::vector<T>&)> stepped(const RateNoise* noise,
                                                                  const F& after_step) const;

  DynamicsConfig dyn_;
  RelaxParams params_;
  bool recording_ = false;
  PhaseTrajectory free_traj_, target_traj_;
  RelaxReport last_free_, last_target_;
  int warnings_ = 0;
};

extern template class SettlingPhases<double>;
extern template class SettlingPhases<float>;

}  // namespace gaitsim
