#pragma once
// The seam between the engine and how its two phases are computed (docs/dynamics.md):
//   free(net, x, act):            the free phase, input clamped: a_l, h_l = f(a_l), d_l = f'(a_l);
//   target(net, rule, act, sig):  the target phase, output nudged: given D_L (mult_L = 1), the
//                                 scaled differences D_l = mult_l (h_l - t_l) of every lower layer.
// `algebraic` is the forward pass and the rule's one top-down sweep; `settle` integrates the
// populations' ODEs to the same fixed points (settling_phases.hpp). Everything after the target
// phase (synaptic update, orthogonality, optimiser) is the same for both. Modes are registered
// in one place (make_phases, in settling_phases.cpp).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "neurons/relaxation.hpp"
#include "plasticity/learning_rule.hpp"
#include "sim/config.hpp"

namespace gaitsim {

// Settling statistics of one phase over a number of batches.
struct PhaseStats {
  long long runs = 0;
  double steps_sum = 0, steps_max = 0;  // accepted integrator steps
  double time_sum = 0, time_max = 0;    // time to converge (or to stop) [ms]
  long long not_converged = 0;
  void add(const RelaxReport& r) {
    ++runs;
    steps_sum += double(r.steps);
    steps_max = std::max(steps_max, double(r.steps));
    time_sum += r.time_ms;
    time_max = std::max(time_max, r.time_ms);
    not_converged += r.converged ? 0 : 1;
  }
  double steps_mean() const { return runs ? steps_sum / double(runs) : 0.0; }
  double time_mean() const { return runs ? time_sum / double(runs) : 0.0; }
};

struct SettlingStats {
  PhaseStats free, target;
};

template <class T>
class Phases {
 public:
  virtual ~Phases() = default;
  virtual std::string name() const = 0;
  virtual void free(const Network<T>& net, const Mat<T>& x, Activity<T>& act) = 0;
  virtual void target(const Network<T>& net, const LearningRule<T>& rule, const Activity<T>& act,
                      ErrorSignals<T>& sig) = 0;
  // Statistics since the last reset (settle mode; all zero for algebraic).
  const SettlingStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  void set_stats(const SettlingStats& s) { stats_ = s; }

 protected:
  SettlingStats stats_;
};

template <class T>
class AlgebraicPhases : public Phases<T> {
 public:
  std::string name() const override { return "algebraic"; }
  void free(const Network<T>& net, const Mat<T>& x, Activity<T>& act) override {
    net.forward(x, act);
  }
  void target(const Network<T>& net, const LearningRule<T>& rule, const Activity<T>& act,
              ErrorSignals<T>& sig) override {
    rule.propagate(net, act, sig);
  }
};

// The phases selected by dynamics.mode; throws ConfigError for an unknown mode.
template <class T>
std::unique_ptr<Phases<T>> make_phases(const DynamicsConfig& dynamics);

// The integrator settings of a dynamics config.
RelaxParams relax_params(const DynamicsConfig& d);

extern template std::unique_ptr<Phases<double>> make_phases(const DynamicsConfig&);
extern template std::unique_ptr<Phases<float>> make_phases(const DynamicsConfig&);

}  // namespace gaitsim
