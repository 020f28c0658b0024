#include "plasticity/gait_rule.hpp"

#include <cmath>

namespace gaitsim {

template <class T>
ColVec<T> GaitRule<T>::layer_gamma(const Mat<T>& D, const ColVec<T>& mult) const {
  if (!adaptive_) return ColVec<T>::Constant(D.rows(), T(gamma_));
  // gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l||, ||t_l - h_l|| = ||D_l|| / mult_l. A sample
  // with no error has nothing to nudge: any gamma gives the same (zero) targets below.
  const T scale = T(gamma_ * std::sqrt(double(D.cols())));
  ColVec<T> gamma(D.rows());
  for (Eigen::Index n = 0; n < D.rows(); ++n) {
    const T norm = D.row(n).norm();
    gamma(n) = norm > T(0) ? scale * mult(n) / norm : T(gamma_);
  }
  return gamma;
}

template <class T>
void GaitRule<T>::top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                           const ColVec<T>& mult, TopDownStep<T>& step) const {
  const Mat<T>& d = act.d[l];
  step.gamma = layer_gamma(D, mult);
  // q = gamma_l / mult_l, s_l = q d_l^2 D_l
  const ColVec<T> q = step.gamma.cwiseQuotient(mult);
  const Mat<T> s = q.asDiagonal() * d.cwiseProduct(d).cwiseProduct(D);
  step.clipped = net.layer(l).f->inverse_difference(act.h[l], s, q, step.r);
  step.mult = mult.cwiseQuotient(step.gamma);
  step.feedback = nullptr;
}

template <class T>
void TpRule<T>::top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                         const ColVec<T>& /*mult*/, TopDownStep<T>& step) const {
  // r_l = f^-1(h_l) - f^-1(t_l), t_l = h_l - D_l
  step.mult = ColVec<T>::Ones(act.batch());
  step.clipped = net.layer(l).f->inverse_difference(act.h[l], D, step.mult, step.r);
  step.gamma.resize(0);
  step.feedback = nullptr;
}

template class GaitRule<double>;
template class GaitRule<float>;
template class TpRule<double>;
template class TpRule<float>;

}  // namespace gaitsim
