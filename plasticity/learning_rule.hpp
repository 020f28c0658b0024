#pragma once
// A learning rule is the top-down half of learning: from the output error D_L it sets the
// post-synaptic signal D_l of every lower population (error_signals.hpp). The synaptic half,
// dW_l = mean_n h_{l-1}^T (D_l * d_l), is the same local rule for all of them
// (synaptic_update.hpp). Rules are registered in one place (rule_registry.cpp).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/error_signals.hpp"

namespace gaitsim {

struct RuleParams {
  std::string algorithm = "gait";  // registered name: bp, gait, tp, fa
  double gamma = 1e-3;             // nudge strength gamma (gamma_0 when adaptive) [1]
  bool adaptive_gamma = false;     // gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l|| per sample
  std::uint64_t seed = 1;          // seed of random feedback weights (FA) [1]
};

// A layer whose inverse is needed cannot be inverted well enough in this precision.
class IllConditionedLayer : public std::runtime_error {
 public:
  IllConditionedLayer(int layer, double condition)
      : std::runtime_error("layer " + std::to_string(layer) +
                           " is singular or ill-conditioned (condition estimate " +
                           std::to_string(condition) + "); its inverse cannot be used"),
        layer(layer),
        condition(condition) {}
  int layer;
  double condition;
};

template <class T>
class LearningRule {
 public:
  virtual ~LearningRule() = default;
  virtual std::string name() const = 0;
  // True when the rule uses the inverse of every layer above the first (GAIT, TP).
  virtual bool inverts_layers() const = 0;
  // Called once the network's shapes are known (e.g. to draw feedback weights).
  virtual void prepare(const Network<T>&) {}
  // Given sig.D[L] (and sig.mult[L] = 1), fills sig.D[l] and sig.mult[l] for l = L-1..1.
  virtual void propagate(const Network<T>& net, const Activity<T>& act,
                         ErrorSignals<T>& sig) const = 0;
};

template <class T>
std::unique_ptr<LearningRule<T>> make_learning_rule(const RuleParams& params);
std::vector<std::string> learning_rule_names();

}  // namespace gaitsim
