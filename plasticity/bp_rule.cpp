#include "plasticity/bp_rule.hpp"

#include <random>

#include "neurons/weight_init.hpp"

namespace gaitsim {

namespace {

// r_l = e_l = D_l * d_l, carried down by F^T (F = W_l for BP, B_l for FA); mult_{l-1} = 1.
template <class T>
void error_step(const Activity<T>& act, int l, const Mat<T>& D, const Mat<T>& F,
                TopDownStep<T>& step) {
  step.r = D.cwiseProduct(act.d[l]);
  step.gamma.resize(0);
  step.mult = ColVec<T>::Ones(act.batch());
  step.feedback = &F;
}

}  // namespace

template <class T>
void BpRule<T>::top_down(const Network<T>& net, const Activity<T>& act, int l, const Mat<T>& D,
                         const ColVec<T>& /*mult*/, TopDownStep<T>& step) const {
  error_step(act, l, D, net.layer(l).in.W, step);
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
void FaRule<T>::top_down(const Network<T>& /*net*/, const Activity<T>& act, int l, const Mat<T>& D,
                         const ColVec<T>& /*mult*/, TopDownStep<T>& step) const {
  error_step(act, l, D, B_[l], step);
}

template class BpRule<double>;
template class BpRule<float>;
template class FaRule<double>;
template class FaRule<float>;

}  // namespace gaitsim
