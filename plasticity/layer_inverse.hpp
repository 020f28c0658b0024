#pragma once
// The inverse of each square projection, as an LU factorisation computed once per batch: never
// an explicit inverse (gait-prop.md, "Numerics").
#include <stdexcept>
#include <string>
#include <vector>

#include "neurons/network.hpp"

namespace gaitsim {

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

// How the top-down sweep of a rule that inverts its layers (GAIT, TP) maps a drive r_l to the
// layer below: X = r_l W_l^-1 (exact: LayerInverse) or X = r_l Q_l with learned feedback weights
// Q_l (plasticity/learned_feedback.hpp).
template <class T>
class InversePathway {
 public:
  virtual ~InversePathway() = default;
  // X (N x k_l) = R W_l^-1, or its learned approximation.
  virtual void solve(int l, const Mat<T>& R, Eigen::Ref<Mat<T>> X) const = 0;
};

template <class T>
class LayerInverse : public InversePathway<T> {
 public:
  // Factorises W_l for l = 2..L; throws IllConditionedLayer when a layer's condition estimate
  // exceeds max_condition(). Projections that are not square cannot be inverted: assertion.
  void factorize(const Network<T>& net);
  // Solves X W_l = R for X (N x k_l), i.e. X = R W_l^-1.
  void solve(int l, const Mat<T>& R, Eigen::Ref<Mat<T>> X) const override;
  // Beyond this condition number the inverse loses most significant digits of T.
  static double max_condition();

 private:
  std::vector<Eigen::PartialPivLU<Mat<T>>> lu_;  // lu_[l] factorises W_l^T
};

extern template class LayerInverse<double>;
extern template class LayerInverse<float>;

}  // namespace gaitsim
