#include "plasticity/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "neurons/registry.hpp"

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
    update(slots(net, grads), c1, c2);
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

  // One parameter tensor, its update and its moments, as flat arrays of the same length.
  struct Slot {
    T* w;
    const T* g;
    T* m;
    T* v;
    Eigen::Index size;
  };

  std::vector<Slot> slots(Network<T>& net, const Gradients<T>& grads) {
    std::vector<Slot> out;
    for (int l = 1; l <= net.depth(); ++l) {
      auto& in = net.layer(l).in;
      out.push_back(
          {in.W.data(), grads.dW[l].data(), m_[2 * l].data(), v_[2 * l].data(), in.W.size()});
      out.push_back({in.b.data(), grads.db[l].data(), m_[2 * l + 1].data(), v_[2 * l + 1].data(),
                     in.b.size()});
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
  std::vector<Mat<T>> m_, v_;  // slot 2l: W_l, slot 2l+1: b_l
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
