#pragma once
// A learning rule is the top-down half of learning: from the output error D_L it sets the
// post-synaptic signal D_l of every lower population (error_signals.hpp). The synaptic half,
// dW_l = mean_n h_{l-1}^T (D_l * d_l), is the same local rule for all of them
// (synaptic_update.hpp). Rules are registered in one place (rule_registry.cpp).
//
// A rule says what one layer of its top-down sweep does (top_down): from D_l and mult_l, the
// drive r_l, gamma_l, mult_{l-1} and the feedback that carries r_l to layer l - 1. Both the
// algebraic sweep (propagate, below) and the settling target phase's right-hand side
// (sim/settling_phases.cpp) are built from that one operation, so a rule is written once.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/error_signals.hpp"
#include "plasticity/layer_inverse.hpp"

namespace gaitsim {

struct RuleParams {
  std::string algorithm = "gait";  // registered name: bp, gait, tp, fa
  double gamma = 1e-3;             // nudge strength gamma (gamma_0 when adaptive) [1]
  bool adaptive_gamma = false;     // gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l|| per sample
  std::uint64_t seed = 1;          // seed of random feedback weights (FA) [1]
};

// One layer l of the top-down sweep (l = L..2), in the delta form of gait-prop.md.
template <class T>
struct TopDownStep {
  Mat<T> r;                  // drive r_l in the row form of layer l (N x n_l per position)
  ColVec<T> gamma;           // gamma_l per sample; empty when the rule does not nudge
  ColVec<T> mult;            // mult_{l-1} per sample
  std::int64_t clipped = 0;  // units of layer l whose nudged activity was clipped [count]
  // How r_l reaches layer l - 1 (through the wiring of layer l; auxiliary units below get 0):
  //   null:      D_{l-1}[:, :k] = r_l W_l^-1   (the rule inverts its layers: inverts_layers())
  //   F (set):   D_{l-1}[:, :k] = r_l F^T      (BP: F = W_l, FA: F = B_l)
  const Mat<T>* feedback = nullptr;
};

template <class T>
class LearningRule {
 public:
  virtual ~LearningRule() = default;
  virtual std::string name() const = 0;
  // True when the rule uses the inverse of every layer above the first (GAIT, TP): its
  // top_down leaves step.feedback null.
  virtual bool inverts_layers() const = 0;
  // Called once the network's shapes are known (e.g. to draw feedback weights).
  virtual void prepare(const Network<T>&) {}
  // Layer l's step from D = D_l (N x n_l, the current u_l while settling) and mult = mult_l.
  virtual void top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                        const ColVec<T>& mult, TopDownStep<T>& step) const = 0;

  // The algebraic sweep: given sig.D[L] (and sig.mult[L] = 1), fills sig.D[l] and sig.mult[l]
  // for l = L-1..1 and sig.gamma[l] for l = L..2, one top_down per layer, each carried down.
  // Throws IllConditionedLayer when the rule inverts a layer that cannot be inverted.
  // perturb(l, D_l, mult_l), when set, may change each D_l (l = L-1..1) once it is carried down
  // and before it drives the layer below (rate noise on the target phase, sim/phases.hpp).
  using Perturb = std::function<void(int, Mat<T>&, const ColVec<T>&)>;
  void propagate(const Network<T>& net, const Activity<T>& act, ErrorSignals<T>& sig,
                 const Perturb& perturb = {}) const;

  // feedback.mode learned: the sweep (algebraic and settling) maps r_l through `pathway` (the
  // learned Q_l, not owned) in place of the exact inverse; null (the default): exact LU solves.
  void set_learned_inverse(const InversePathway<T>* pathway) { learned_ = pathway; }
  const InversePathway<T>* learned_inverse() const { return learned_; }

 private:
  mutable LayerInverse<T> inverse_;  // LU of every W_l, refreshed by each propagate
  const InversePathway<T>* learned_ = nullptr;
};

template <class T>
std::unique_ptr<LearningRule<T>> make_learning_rule(const RuleParams& params);
std::vector<std::string> learning_rule_names();

template <class T>
using RuleFactory = std::function<std::unique_ptr<LearningRule<T>>(const RuleParams&)>;
// Adds a rule under `name` in both precisions (e.g. a test's own rule), beside the built-in ones
// of rule_registry.cpp; throws std::invalid_argument when the name is taken.
void register_learning_rule(const std::string& name, RuleFactory<double> make_double,
                            RuleFactory<float> make_float);

extern template class LearningRule<double>;
extern template class LearningRule<float>;

}  // namespace gaitsim
