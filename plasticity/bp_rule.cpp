#include "plasticity/bp_rule.hpp"

#include <random>

#include "neurons/weight_init.hpp"

namespace gaitsim {

namespace {

// D_{l-1}[:, :k] = e_l F^T with e_l = D_l * d_l (through the wiring: a transposed convolution
// for a conv layer); the auxiliary units of l-1 get D = 0. F = W_l for BP, B_l for FA.
template <class T>
void carry_down(const Network<T>& net, const Activity<T>& act, ErrorSignals<T>& sig, int l,
                const Mat<T>& F) {
  const Mat<T> e = sig.D[l].cwiseProduct(act.d[l]);
  Mat<T>& below = sig.D[l - 1];
  below.setZero(act.h[l - 1].rows(), act.h[l - 1].cols());
  net.layer(l).in.pull_back(
      e, [&](const Mat<T>& rows, Mat<T>& out) { out.noalias() = rows * F.transpose(); }, below);
  sig.mult[l - 1] = ColVec<T>::Ones(act.batch());
}

}  // namespace

template <class T>
void BpRule<T>::propagate(const Network<T>& net, const Activity<T>& act,
                          ErrorSignals<T>& sig) const {
  for (int l = net.depth(); l >= 2; --l) carry_down(net, act, sig, l, net.layer(l).in.W);
}

template <class T>
void FaRule<T>::prepare(const Network<T>& net) {
  std::mt19937_64 rng(seed_);
  B_.assign(net.depth() + 1, Mat<T>());
  for (int l = 2; l <= net.depth(); ++l) {
    const Mat<T>& W = net.layer(l).in.W;
    B_[l] = random_orthogonal(W.rows(), W.cols(), rng).template cast<T>();
  }
}

template <class T>
void FaRule<T>::propagate(const Network<T>& net, const Activity<T>& act,
                          ErrorSignals<T>& sig) const {
  for (int l = net.depth(); l >= 2; --l) carry_down(net, act, sig, l, B_[l]);
}

template class BpRule<double>;
template class BpRule<float>;
template class FaRule<double>;
template class FaRule<float>;

}  // namespace gaitsim
