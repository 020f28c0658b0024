#pragma once
// Optimisers turn an update (gradient sign) into a change of the weights. Kinds are registered
// in one place (optimizer.cpp). Their state can be saved and restored for exact resumption.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/synaptic_update.hpp"

namespace gaitsim {

struct OptimizerParams {
  std::string kind = "adam";    // adam | sgd
  double learning_rate = 1e-4;  // step size eta [1]
  double beta1 = 0.9;           // Adam first-moment decay [1]
  double beta2 = 0.999;         // Adam second-moment decay [1]
  double epsilon = 1e-8;        // Adam denominator offset [1]
};

// Named state matrices (e.g. "m/W/3") and the step counter, in float64.
struct OptimizerState {
  long long steps = 0;
  std::map<std::string, Mat<double>> tensors;
};

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step(Network<T>& net, const Gradients<T>& grads) = 0;
  virtual OptimizerState state() const = 0;
  virtual void set_state(const OptimizerState& state) = 0;
};

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerParams& params);
std::vector<std::string> optimizer_names();

}  // namespace gaitsim
