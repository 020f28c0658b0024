#include "plasticity/learning_rule.hpp"

#include <cassert>
#include <utility>

namespace gaitsim {

namespace {

// D_{l-1}[:, :k] = r_l W_l^-1 (or r_l Q_l, learned) or r_l F^T (for a conv layer: every patch
// mapped, put back by a transposed convolution, overlaps summed); the auxiliary units of l-1 get D
// = 0 (they keep their forward activity as target).
template <class T>
void carry_down(const Network<T>& net, const InversePathway<T>* inverse, const Activity<T>& act,
                const TopDownStep<T>& step, int l, Mat<T>& below) {
  below.setZero(act.h[l - 1].rows(), act.h[l - 1].cols());
  net.layer(l).in.pull_back(
      step.r,
      [&](const Mat<T>& rows, Mat<T>& out) {
        if (step.feedback != nullptr) {
          out.noalias() = rows * step.feedback->transpose();
        } else {
          out.resize(rows.rows(), rows.cols());
          inverse->solve(l, rows, out);
        }
      },
      below);
}

}  // namespace

template <class T>
void LearningRule<T>::propagate(const Network<T>& net, const Activity<T>& act, ErrorSignals<T>& sig,
                                const Perturb& perturb) const {
  const InversePathway<T>* inverse = learned_;
  if (inverts_layers() && inverse == nullptr) {
    inverse_.factorize(net);
    inverse = &inverse_;
  }
  TopDownStep<T> step;
  sig.clipped.assign(net.depth() + 1, 0);
  for (int l = net.depth(); l >= 2; --l) {
    step.clipped = 0;
    top_down(net, act, l, sig.D[l], sig.mult[l], step);
    sig.clipped[l] = step.clipped;
    assert((step.feedback == nullptr) == inverts_layers() && "feedback disagrees with the rule");
    carry_down(net, inverse, act, step, l, sig.D[l - 1]);
    sig.mult[l - 1] = std::move(step.mult);
    sig.gamma[l] = std::move(step.gamma);
    if (perturb) perturb(l - 1, sig.D[l - 1], sig.mult[l - 1]);
  }
}

template class LearningRule<double>;
template class LearningRule<float>;

}  // namespace gaitsim
