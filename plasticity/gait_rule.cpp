#include "plasticity/gait_rule.hpp"

#include <cmath>

namespace gaitsim {

namespace {

// D_{l-1}[:, :k] = r_l W_l^-1 (for a conv layer: every patch recovered, put back by a
// transposed convolution, overlaps summed); auxiliary units of l-1 keep their forward activity
// as target.
template <class T>
void invert_down(const Network<T>& net, const LayerInverse<T>& inverse, const Activity<T>& act,
                 const Mat<T>& r, int l, Mat<T>& below) {
  below.setZero(act.h[l - 1].rows(), act.h[l - 1].cols());
  net.layer(l).in.pull_back(
      r,
      [&](const Mat<T>& rows, Mat<T>& out) {
        out.resize(rows.rows(), rows.cols());
        inverse.solve(l, rows, out);
      },
      below);
}

}  // namespace

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
void GaitRule<T>::propagate(const Network<T>& net, const Activity<T>& act,
                            ErrorSignals<T>& sig) const {
  inverse_.factorize(net);
  Mat<T> s, r;
  for (int l = net.depth(); l >= 2; --l) {
    const Mat<T>& D = sig.D[l];
    const Mat<T>& d = act.d[l];
    sig.gamma[l] = layer_gamma(D, sig.mult[l]);
    // q = gamma_l / mult_l, s_l = q d_l^2 D_l
    const ColVec<T> q = sig.gamma[l].cwiseQuotient(sig.mult[l]);
    s = (q.asDiagonal() * d.cwiseProduct(d).cwiseProduct(D));
    net.layer(l).f->inverse_difference(act.h[l], s, q, r);
    invert_down(net, inverse_, act, r, l, sig.D[l - 1]);
    sig.mult[l - 1] = sig.mult[l].cwiseQuotient(sig.gamma[l]);
  }
}

template <class T>
void TpRule<T>::propagate(const Network<T>& net, const Activity<T>& act,
                          ErrorSignals<T>& sig) const {
  inverse_.factorize(net);
  Mat<T> r;
  const ColVec<T> one = ColVec<T>::Ones(act.batch());
  for (int l = net.depth(); l >= 2; --l) {
    // r_l = f^-1(h_l) - f^-1(t_l), t_l = h_l - D_l
    net.layer(l).f->inverse_difference(act.h[l], sig.D[l], one, r);
    invert_down(net, inverse_, act, r, l, sig.D[l - 1]);
    sig.mult[l - 1] = one;
  }
}

template class GaitRule<double>;
template class GaitRule<float>;
template class TpRule<double>;
template class TpRule<float>;

}  // namespace gaitsim
