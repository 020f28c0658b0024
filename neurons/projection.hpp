#pragma once
// The synapses driving a population: weights W and bias b, the wiring (wiring.hpp) that says
// which presynaptic units each row of W reads (all-to-all or convolutional), the mask of the
// synapses that exist (connection_mask.hpp; none: all of them) and the fixed sign of each
// presynaptic unit (presynaptic_signs.hpp, Dale's principle; none: synapses of either sign) or,
// in the dann form of Dale's principle, the non-negative components whose effective weights W
// holds (dann_weights.hpp).
#include <memory>
#include <optional>

#include "neurons/connection_mask.hpp"
#include "neurons/dann_weights.hpp"
#include "neurons/presynaptic_signs.hpp"
#include "neurons/wiring.hpp"

namespace gaitsim {

template <class T>
struct Projection {
  Mat<T> W;     // synaptic weights (dense: k x n; conv: kernel) [1]
  RowVec<T> b;  // bias (tonic drive), per column of W [rate]
  std::shared_ptr<const Wiring> wiring = nullptr;  // null: dense from the first W.rows() below
  std::shared_ptr<const ConnectionMask> mask = nullptr;  // shape of W; null: every synapse exists
  std::shared_ptr<const PresynapticSigns> signs = nullptr;  // one per row of W; null: free signs
  // dann: W = W^EE - W^IE W^EI, the components learn (the mask then applies to W^EE, not W)
  std::optional<DannWeights<T>> dann = std::nullopt;

  Eigen::Index pre_units() const {
    return with_wiring([](const Wiring& w) { return w.pre_units(); });
  }
  Eigen::Index post_units() const {
    return with_wiring([](const Wiring& w) { return w.post_units(); });
  }
  bool square() const { return W.rows() == W.cols(); }
  bool dense() const { return !wiring || wiring->kind() == "dense"; }

  // a = h_pre W + b (convolved for a conv wiring)
  void drive(const Mat<T>& h_pre, Mat<T>& a) const {
    with_wiring([&](const Wiring& w) { w.drive(W, b, h_pre, a); });
  }
  // pre[:, :k] = scatter(map(rows(E))): a signal E on this population carried to the one below
  void pull_back(const Mat<T>& E, const RowMap<T>& map, Mat<T>& pre) const {
    with_wiring([&](const Wiring& w) { w.pull_back(E, map, pre); });
  }
  // dW = mean_n patches(h_pre)^T rows(E), db = mean_n colsum(rows(E))
  void weight_gradient(const Mat<T>& h_pre, const Mat<T>& E, Mat<T>& dW, RowVec<T>& db) const {
    with_wiring([&](const Wiring& w) { w.weight_gradient(h_pre, E, dW, db); });
  }
  // dW(i, j) = 0 for every absent synapse: applied to each update of W before the optimiser
  // sees it, so absent synapses stay exactly 0. Under dann the mask is W^EE's, and the
  // effective update reaches W^EE masked (DannWeights::gradients).
  void mask_update(Mat<T>& dW) const {
    if (mask && !dann) mask->apply(dW);
  }
  // dann: the components' updates for an update dW of the effective W.
  void dann_gradients(const Mat<T>& dW, DannWeights<T>& g) const {
    dann->gradients(dW, mask.get(), g);
  }
  // After an optimiser step: synapses whose sign left their presynaptic unit's (sign) or
  // component weights below 0 (dann) are set to 0; dann then recomputes the effective W.
  // Returns how many were set [count].
  long long project_weights() {
    if (!dann) return signs ? signs->project(W) : 0;
    const long long clipped = dann->clip();
    dann->effective(W);
    return clipped;
  }

 private:
  template <class F>
  auto with_wiring(F&& f) const {
    if (wiring) return f(*wiring);
    const DenseWiring dense(W.rows(), W.cols());
    return f(static_cast<const Wiring&>(dense));
  }
};

}  // namespace gaitsim
