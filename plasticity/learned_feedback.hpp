#pragma once
// Learned feedback pathways (issue 15): in place of the exact inverse W_l^-1, each inverted
// layer l = 2..L has feedback weights Q_l (n_l x k_l, k_l = the units of l-1 that W_l reads) and
// a bias c_l (k_l). The learned map of layer l's drive u_l = a_l - b_l back to the rates below is
//     h_{l-1}[:, :k] ~ u_l Q_l + c_l,
// and the delta-form target sweep uses D_{l-1}[:, :k] = r_l Q_l in place of r_l W_l^-1 (the map
// is applied to a difference, difference target propagation's correction: c_l and a constant
// reconstruction error cancel). With Q_l = W_l^-1 and c_l = 0 the two are the same map.
// Q_l learns in plasticity/feedback_plasticity.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/layer_inverse.hpp"

namespace gaitsim {

// The feedback pathway's initial weights: random (orthogonal), transpose (Q_l = W_l^T) or
// inverse (Q_l = W_l^-1, to study drift away from the exact inverse).
std::vector<std::string> feedback_init_names();

template <class T>
class LearnedFeedback : public InversePathway<T> {
 public:
  // Q_l and c_l = 0 for l = 2..L from the current W_l; random ones drawn from `seed`. Throws
  // std::invalid_argument for an unknown init and for a layer that is not dense and square.
  void initialize(const Network<T>& net, const std::string& init, std::uint64_t seed);
  // X = R Q_l (the learned stand-in for R W_l^-1).
  void solve(int l, const Mat<T>& R, Eigen::Ref<Mat<T>> X) const override;
  // ||Q_l W_l - I||_F / sqrt(n_l): 0 for the exact inverse, about 1 for an unrelated Q_l.
  double inverse_error(const Network<T>& net, int l) const;

  int depth() const { return static_cast<int>(Q.size()) - 1; }

  std::vector<Mat<T>> Q;     // Q[l]: n_l x k_l for l = 2..L (0 and 1 unused)
  std::vector<RowVec<T>> c;  // c[l]: 1 x k_l
};

extern template class LearnedFeedback<double>;
extern template class LearnedFeedback<float>;

}  // namespace gaitsim
