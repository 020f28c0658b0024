#include "plasticity/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "neurons/registry.hpp"

namespace gaitsim {

namespace {

// One parameter tensor and its update, as flat arrays of the same length, named as in the
// optimiser's state ("W/3", "b/3"; dann layers "W_EE/3", "W_IE/3", "W_EI/3" instead of "W/3").
template <class T>
struct Parameter {
  std::string name;
  T* w;
  const T* g;
  Eigen::Index rows, cols;
};

template <class T>
Parameter<T> parameter(const std::string& name, int l, Mat<T>& w, const Mat<T>& g) {
  return {name + "/" + std::to_string(l), w.data(), g.data(), w.rows(), w.cols()};
}

// The tensors the optimiser steps, layer by layer. A dann layer's effective W is not stepped:
// its update reaches the components by the chain rule (computed into `dann`, one per layer),
// and Projection::project_weights recomputes W after the step.
template <class T>
std::vector<Parameter<T>> parameters(Network<T>& net, const Gradients<T>& grads,
                                     std::vector<DannWeights<T>>& dann) {
  std::vector<Parameter<T>> out;
  dann.resize(net.depth() + 1);
  for (int l = 1; l <= net.depth(); ++l) {
    auto& in = net.layer(l).in;
    if (in.dann) {
      in.dann_gradients(grads.dW[l], dann[l]);
      out.push_back(parameter("W_EE", l, in.dann->EE, dann[l].EE));
      out.push_back(parameter("W_IE", l, in.dann->IE, dann[l].IE));
      out.push_back(parameter("W_EI", l, in.dann->EI, dann[l].EI));
    } else {
      out.push_back(parameter("W", l, in.W, grads.dW[l]));
    }
    out.push_back({"b/" + std::to_string(l), in.b.data(), grads.db[l].data(), 1, in.b.cols()});
  }
  return out;
}

// W -= eta dW
template <class T>
class Sgd : public Optimizer<T> {
 public:
  explicit Sgd(OptimizerParams p) : p_(std::move(p)) {}
  void step(Network<T>& net, const Gradients<T>& grads) override {
    using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
    const T eta = T(p_.learning_rate);
    for (const auto& s : parameters(net, grads, dann_)) {
      const Eigen::Index n = s.rows * s.cols;
      Eigen::Map<Array>(s.w, n) -= eta * Eigen::Map<const Array>(s.g, n);
    }
    ++steps_;
  }
  OptimizerState state() const override { return {steps_, {}}; }
  void set_state(const OptimizerState& s) override { steps_ = s.steps; }

 private:
  OptimizerParams p_;
  long long steps_ = 0;
  std::vector<DannWeights<T>> dann_;  // the components' updates of dann layers
};

// Adam (Kingma & Ba 2015), with bias correction at step t:
//   m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
//   W -= eta (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
template <class T>
class Adam : public Optimizer<T> {
 public:
  explicit Adam(OptimizerParams p) : p_(std::move(p)) {}

  void step(Network<T>& net, const Gradients<T>& grads) override {
    const auto params = parameters(net, grads, dann_);
    if (m_.empty()) allocate(params);
    ++t_;
    const double c1 = 1.0 - std::pow(p_.beta1, double(t_));
    const double c2 = 1.0 - std::pow(p_.beta2, double(t_));
    update(slots(params), c1, c2);
  }

  OptimizerState state() const override {
    OptimizerState s{t_, {}};
    for (const auto& [name, m] : m_) {
      s.tensors["m/" + name] = m.template cast<double>();
      s.tensors["v/" + name] = v_.at(name).template cast<double>();
    }
    return s;
  }

  void set_state(const OptimizerState& s) override {
    t_ = s.steps;
    m_.clear();
    v_.clear();
    for (const auto& [name, tensor] : s.tensors) {
      auto& moments = name.starts_with("m/") ? m_ : v_;
      moments[name.substr(2)] = tensor.template cast<T>();
    }
  }

 private:
  void allocate(const std::vector<Parameter<T>>& params) {
    for (const auto& p : params) {
      m_[p.name].setZero(p.rows, p.cols);
      v_[p.name].setZero(p.rows, p.cols);
    }
  }

  // One parameter tensor, its update and its moments, as flat arrays of the same length.
  struct Slot {
    T* w;
    const T* g;
    T* m;
    T* v;
    Eigen::Index size;
  };

  std::vector<Slot> slots(const std::vector<Parameter<T>>& params) {
    std::vector<Slot> out;
    for (const auto& p : params) {
      out.push_back({p.w, p.g, m_.at(p.name).data(), v_.at(p.name).data(), p.rows * p.cols});
    }
    return out;
  }

  // The three statements of the formula run chunk by chunk, so each chunk's four arrays stay
  // in L1 between them: one pass over memory. The chunks of all tensors are shared, in one
  // parallel region, by as many threads as Eigen's products use.
  void update(const std::vector<Slot>& slots, double c1, double c2) const {
    using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
    const T b1 = T(p_.beta1), b2 = T(p_.beta2), eps = T(p_.epsilon);
    const T step = T(p_.learning_rate / c1);
    const T inv_sqrt_c2 = T(1.0 / std::sqrt(c2));
#pragma omp parallel num_threads(Eigen::nbThreads())
    for (const Slot& s : slots) {
#pragma omp for schedule(static) nowait
      for (Eigen::Index first = 0; first < s.size; first += kChunk) {
        const Eigen::Index n = std::min(kChunk, s.size - first);
        Eigen::Map<Array> w(s.w + first, n), m(s.m + first, n), v(s.v + first, n);
        const Eigen::Map<const Array> g(s.g + first, n);
        m = b1 * m + (T(1) - b1) * g;
        v = b2 * v + (T(1) - b2) * g.square();
        w -= step * m / (v.sqrt() * inv_sqrt_c2 + eps);
      }
    }
  }

  // Elements per chunk: the four arrays of a float64 chunk fill 32 KiB.
  static constexpr Eigen::Index kChunk = 1024;

  OptimizerParams p_;
  long long t_ = 0;
  std::map<std::string, Mat<T>> m_, v_;  // by parameter name ("W/3", "b/3", "W_EE/3", ...)
  std::vector<DannWeights<T>> dann_;     // the components' updates of dann layers
};

template <class T>
using OptimizerFactory = std::function<std::unique_ptr<Optimizer<T>>(const OptimizerParams&)>;

// The one place an optimiser kind is added.
template <class T>
const Registry<OptimizerFactory<T>>& registry() {
  static const Registry<OptimizerFactory<T>> kinds(
      "optimizer",
      {
          {"adam", [](const OptimizerParams& p) { return std::make_unique<Adam<T>>(p); }},
          {"sgd", [](const OptimizerParams& p) { return std::make_unique<Sgd<T>>(p); }},
      });
  return kinds;
}

}  // namespace

std::vector<std::string> optimizer_names() { return registry<double>().names(); }

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerParams& params) {
  return registry<T>().at(params.kind)(params);
}

template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerParams&);
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerParams&);

}  // namespace gaitsim
