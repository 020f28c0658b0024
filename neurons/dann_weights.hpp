#pragma once
// Dale's principle, dann form (biology.md 2; Cornford et al., ICLR 2021): the units a layer
// passes on are excitatory, and the layer has n_I feedforward inhibitory interneurons of its own,
// driven by the excitatory layer below:
//   z_l = h_{l-1} W^IE                        interneuron rates (linear), n_I wide
//   a_l = h_{l-1} W^EE - z_l W^EI + b_l = h_{l-1} W_l + b_l,   W_l = W^EE - W^IE W^EI
// with W^EE (k x n), W^IE (k x n_I), W^EI (n_I x n) all >= 0. The projection's W holds the
// effective W_l, so the rules see an ordinary projection; the components are what learns:
// an update G of the effective W (the rule's mean h^T e plus the orthogonality term) reaches
// them by the chain rule, and after each optimiser step negative components are set to 0.
#include <random>

#include "neurons/connection_mask.hpp"
#include "neurons/types.hpp"

namespace gaitsim {

template <class T>
struct DannWeights {
  Mat<T> EE;  // W^EE: excitatory synapses onto the layer, k x n, >= 0 [1]
  Mat<T> IE;  // W^IE: excitatory synapses onto the interneurons, k x n_I, >= 0 [1]
  Mat<T> EI;  // W^EI: inhibitory synapses of the interneurons onto the layer, n_I x n, >= 0 [1]

  Eigen::Index interneurons() const { return IE.cols(); }  // n_I

  // W = W^EE - W^IE W^EI
  void effective(Mat<T>& W) const {
    W = EE;
    W.noalias() -= IE * EI;
  }
  // z = h[:, :k] W^IE: the interneuron rates for presynaptic rates h (k = W^IE's rows).
  Mat<T> interneuron_rates(const Mat<T>& h) const { return h.leftCols(IE.rows()) * IE; }

  // The chain rule through W = W^EE - W^IE W^EI for an update G of W (gradient sign): with
  // G = mean h^T e these are the updates of biology.md 2,
  //   dW^EE = G = mean h^T e,  dW^IE = -G W^EI^T = -mean h^T (e W^EI^T),
  //   dW^EI = -W^IE^T G = -mean z^T e.
  // A mask (connection_prob < 1) applies to W^EE, so its update is masked.
  void gradients(const Mat<T>& G, const ConnectionMask* mask, DannWeights& g) const {
    g.EE = G;
    if (mask) mask->apply(g.EE);
    g.IE.noalias() = -(G * EI.transpose());
    g.EI.noalias() = -(IE.transpose() * G);
  }

  // Component weights below 0 set to 0 (the projected gradient step); returns how many [count].
  long long clip() { return clip(EE) + clip(IE) + clip(EI); }

  template <class U>
  DannWeights<U> cast() const {
    return {EE.template cast<U>(), IE.template cast<U>(), EI.template cast<U>()};
  }

 private:
  static long long clip(Mat<T>& X) {
    long long clipped = 0;
    for (Eigen::Index i = 0; i < X.size(); ++i) {
      if (X.data()[i] < T(0)) {
        X.data()[i] = T(0);
        ++clipped;
      }
    }
    return clipped;
  }
};

// n_I = ceil(inhibitory_fraction * n) interneurons for a layer of n units [count].
Eigen::Index dann_interneurons(Eigen::Index n, double inhibitory_fraction);

// Components whose effective W is the plain net's initial weights V (k x n; with a mask, the
// masked, rescaled M * V), drawing the interneurons' weights from rng (docs/biology.md):
// unmasked, W^IE and W^EI have entries a u with u uniform in [0.5, 1.5] and a chosen so that
// every entry of P = W^IE W^EI is >= c = max(max(-V), mean |V|); then W^EE = V + P >= 0 and
// W^EE - P = V up to rounding: inhibition cancels the excitatory offset exactly. Masked, W^EE
// must be 0 off the mask, where P cannot cancel: W^EE = M * |V| and W^IE W^EI is each
// presynaptic row's mean of W^EE (Cornford et al.'s initialisation), both scaled so that the
// effective W has V's mean square.
DannWeights<double> balanced_dann_weights(const Mat<double>& V, Eigen::Index interneurons,
                                          const ConnectionMask* mask, std::mt19937_64& rng);

}  // namespace gaitsim
