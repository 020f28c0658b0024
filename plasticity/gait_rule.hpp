#pragma once
#include "plasticity/learning_rule.hpp"

namespace gaitsim {

// GAIT-prop in the delta form (gait-prop.md, "Targets" and "Numerics"). For l = L..2:
//   d_l = f'(a_l), g_l = gamma_l d_l^2, e_l = D_l * d_l,
//   s_l = g_l (h_l - t_l) = (gamma_l / mult_l) d_l^2 D_l,
//   r_l = (f^-1(h_l) - f^-1(h_l - s_l)) / (gamma_l / mult_l)   (= e_l on one linear piece),
//   D_{l-1}[:, :k] = r_l W_l^-1,  mult_{l-1} = mult_l / gamma_l.
// Fixed gamma: gamma_l = gamma. Adaptive: gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l|| per sample.
template <class T>
class GaitRule : public LearningRule<T> {
 public:
  GaitRule(double gamma, bool adaptive) : gamma_(gamma), adaptive_(adaptive) {}
  std::string name() const override { return "gait"; }
  bool inverts_layers() const override { return true; }
  void top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                const ColVec<T>& mult, TopDownStep<T>& step) const override;

 private:
  // gamma_l per sample
  ColVec<T> layer_gamma(const Mat<T>& D, const ColVec<T>& mult) const;

  double gamma_;
  bool adaptive_;
};

// Target propagation: t_{l-1} = (f^-1(t_l) - b_l) W_l^-1 with no nudge, i.e. in the delta form
// r_l = f^-1(h_l) - f^-1(h_l - D_l), D_{l-1}[:, :k] = r_l W_l^-1 and mult = 1.
template <class T>
class TpRule : public LearningRule<T> {
 public:
  std::string name() const override { return "tp"; }
  bool inverts_layers() const override { return true; }
  void top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                const ColVec<T>& mult, TopDownStep<T>& step) const override;
};

extern template class GaitRule<double>;
extern template class GaitRule<float>;
extern template class TpRule<double>;
extern template class TpRule<float>;

}  // namespace gaitsim
