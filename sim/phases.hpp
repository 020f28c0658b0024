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

#include "neurons/rate_noise.hpp"
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
  // Rate noise in both phases (neurons/rate_noise.hpp; not owned, null or off: noiseless). The
  // target phase is noisy only for rules whose target phase is an activity (inverts_layers():
  // gait, tp); bp and fa carry errors, not activities, and get noise in the free phase only.
  virtual void set_noise(const RateNoise* noise) {
    noise_ = noise != nullptr && noise->on() ? noise : nullptr;
  }

 protected:
  SettlingStats stats_;
  const RateNoise* noise_ = nullptr;
};

// The free phase's fixed point with noise: a_l = h_{l-1} W_l + b_l + sigma xi_l, h_l = f(a_l),
// d_l = f'(a_l); each layer reads the noisy rates below. Noiseless: Network::forward.
template <class T>
void noisy_forward(const Network<T>& net, const Mat<T>& x, const RateNoise* noise,
                   Activity<T>& act) {
  if (noise == nullptr) return net.forward(x, act);
  const int L = net.depth();
  act.a.resize(L + 1);
  act.h.resize(L + 1);
  act.d.resize(L + 1);
  act.h[0] = x;
  for (int l = 1; l <= L; ++l) {
    const Layer<T>& layer = net.layer(l);
    layer.in.drive(act.h[l - 1], act.a[l]);
    noise->add<T>(l, NoisePhase::kFree, 0, act.a[l], 1.0);
    layer.f->f(act.a[l], act.h[l]);
    layer.f->df(act.a[l], act.d[l]);
  }
}

// The target phase's sweep with noise on every population's target state below the clamped
// output: t_l += sigma xi_l, i.e. D_l += mult_l sigma xi_l (rules that invert their layers).
template <class T>
void noisy_propagate(const Network<T>& net, const LearningRule<T>& rule, const Activity<T>& act,
                     const RateNoise* noise, ErrorSignals<T>& sig) {
  if (noise == nullptr || !rule.inverts_layers()) return rule.propagate(net, act, sig);
  rule.propagate(net, act, sig, [&](int l, Mat<T>& D, const ColVec<T>& mult) {
    noise->add<T>(l, NoisePhase::kTarget, 0, D, 1.0, &mult);
  });
}

template <class T>
class AlgebraicPhases : public Phases<T> {
 public:
  std::string name() const override { return "algebraic"; }
  void free(const Network<T>& net, const Mat<T>& x, Activity<T>& act) override {
    noisy_forward(net, x, this->noise_, act);
  }
  void target(const Network<T>& net, const LearningRule<T>& rule, const Activity<T>& act,
              ErrorSignals<T>& sig) override {
    noisy_propagate(net, rule, act, this->noise_, sig);
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
