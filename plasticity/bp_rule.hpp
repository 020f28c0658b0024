#pragma once
#include "plasticity/learning_rule.hpp"

namespace gaitsim {

// Backprop: D_{l-1}[:, :k] = e_l W_l^T, e_l = D_l * d_l — the exact gradient of the batch-mean
// loss, carried down by the transposed forward weights (non-local weight transport).
template <class T>
class BpRule : public LearningRule<T> {
 public:
  std::string name() const override { return "bp"; }
  bool inverts_layers() const override { return false; }
  void top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                const ColVec<T>& mult, TopDownStep<T>& step) const override;
};

// Feedback alignment: as BP with fixed random orthogonal B_l in place of W_l (so e_l B_l^T).
template <class T>
class FaRule : public LearningRule<T> {
 public:
  explicit FaRule(std::uint64_t seed) : seed_(seed) {}
  std::string name() const override { return "fa"; }
  bool inverts_layers() const override { return false; }
  void prepare(const Network<T>& net) override;
  void top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                const ColVec<T>& mult, TopDownStep<T>& step) const override;

 private:
  std::uint64_t seed_;
  std::vector<Mat<T>> B_;  // B_[l] has the shape of W_l
};

extern template class BpRule<double>;
extern template class BpRule<float>;
extern template class FaRule<double>;
extern template class FaRule<float>;

}  // namespace gaitsim
