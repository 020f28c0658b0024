#include "plasticity/optimizer.hpp"

#include <cmath>
#include <functional>
#include <stdexcept>

namespace gaitsim {

namespace {

// W -= eta dW
template <class T>
class Sgd : public Optimizer<T> {
 public:
  explicit Sgd(OptimizerParams p) : p_(std::move(p)) {}
  void step(Network<T>& net, const Gradients<T>& grads) override {
    const T eta = T(p_.learning_rate);
    for (int l = 1; l <= net.depth(); ++l) {
      net.layer(l).in.W -= eta * grads.dW[l];
      net.layer(l).in.b -= eta * grads.db[l];
    }
    ++steps_;
  }
  OptimizerState state() const override { return {steps_, {}}; }
  void set_state(const OptimizerState& s) override { steps_ = s.steps; }

 private:
  OptimizerParams p_;
  long long steps_ = 0;
};

// Adam (Kingma & Ba 2015), with bias correction at step t:
//   m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2,
//   W -= eta (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)
template <class T>
class Adam : public Optimizer<T> {
 public:
  explicit Adam(OptimizerParams p) : p_(std::move(p)) {}

  void step(Network<T>& net, const Gradients<T>& grads) override {
    if (m_.empty()) allocate(net);
    ++t_;
    const double c1 = 1.0 - std::pow(p_.beta1, double(t_));
    const double c2 = 1.0 - std::pow(p_.beta2, double(t_));
    for (int l = 1; l <= net.depth(); ++l) {
      update(net.layer(l).in.W, grads.dW[l], m_[2 * l], v_[2 * l], c1, c2);
      update(net.layer(l).in.b, grads.db[l], m_[2 * l + 1], v_[2 * l + 1], c1, c2);
    }
  }

  OptimizerState state() const override {
    OptimizerState s{t_, {}};
    for (std::size_t i = 2; i < m_.size(); ++i) {
      s.tensors["m/" + slot_name(i)] = m_[i].template cast<double>();
      s.tensors["v/" + slot_name(i)] = v_[i].template cast<double>();
    }
    return s;
  }

  void set_state(const OptimizerState& s) override {
    t_ = s.steps;
    m_.clear();
    v_.clear();
    if (s.tensors.empty()) return;
    const std::size_t slots = 2 * (s.tensors.size() / 4 + 1);
    m_.resize(slots);
    v_.resize(slots);
    for (std::size_t i = 2; i < slots; ++i) {
      m_[i] = s.tensors.at("m/" + slot_name(i)).template cast<T>();
      v_[i] = s.tensors.at("v/" + slot_name(i)).template cast<T>();
    }
  }

 private:
  static std::string slot_name(std::size_t i) {
    return (i % 2 == 0 ? "W/" : "b/") + std::to_string(i / 2);
  }

  void allocate(const Network<T>& net) {
    m_.assign(2 * (net.depth() + 1), Mat<T>());
    v_.assign(2 * (net.depth() + 1), Mat<T>());
    for (int l = 1; l <= net.depth(); ++l) {
      const auto& in = net.layer(l).in;
      m_[2 * l].setZero(in.W.rows(), in.W.cols());
      v_[2 * l].setZero(in.W.rows(), in.W.cols());
      m_[2 * l + 1].setZero(1, in.b.cols());
      v_[2 * l + 1].setZero(1, in.b.cols());
    }
  }

  template <class Param, class Grad>
  void update(Param& w, const Grad& g, Mat<T>& m, Mat<T>& v, double c1, double c2) const {
    const T b1 = T(p_.beta1), b2 = T(p_.beta2);
    m = b1 * m + (T(1) - b1) * g;
    v = b2 * v + (T(1) - b2) * g.cwiseAbs2();
    const T step = T(p_.learning_rate / c1);
    const T inv_sqrt_c2 = T(1.0 / std::sqrt(c2));
    w.array() -= step * m.array() / (v.array().sqrt() * inv_sqrt_c2 + T(p_.epsilon));
  }

  OptimizerParams p_;
  long long t_ = 0;
  std::vector<Mat<T>> m_, v_;  // slot 2l: W_l, slot 2l+1: b_l
};

template <class T>
using OptimizerFactory = std::function<std::unique_ptr<Optimizer<T>>(const OptimizerParams&)>;

// The one place an optimiser kind is added.
template <class T>
const std::map<std::string, OptimizerFactory<T>>& registry() {
  static const std::map<std::string, OptimizerFactory<T>> kinds = {
      {"adam", [](const OptimizerParams& p) { return std::make_unique<Adam<T>>(p); }},
      {"sgd", [](const OptimizerParams& p) { return std::make_unique<Sgd<T>>(p); }},
  };
  return kinds;
}

}  // namespace

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry<double>()) names.push_back(name);
  return names;
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerParams& params) {
  const auto it = registry<T>().find(params.kind);
  if (it == registry<T>().end()) throw std::invalid_argument("unknown optimizer '" + params.kind + "'");
  return it->second(params);
}

template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerParams&);
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerParams&);

}  // namespace gaitsim
