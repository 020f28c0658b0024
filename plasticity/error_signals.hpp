#pragma once
#include <cstdint>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

// What the target (nudged) phase leaves at each population l = 1..L (index 0 unused), in the
// delta form of gait-prop.md: D_l = mult_l (h_l - t_l). For BP and FA, D_l is the
// back-propagated error dLoss/dh_l and mult_l = 1. Auxiliary units have D = 0.
template <class T>
struct ErrorSignals {
  std::vector<Mat<T>> D;         // scaled post-synaptic difference, N x n_l
  std::vector<ColVec<T>> mult;   // mult_l per sample (N); t_l = h_l - D_l / mult_l
  std::vector<ColVec<T>> gamma;  // gamma_l per sample (GAIT only; empty otherwise)
  // Units of layer l whose nudged activity left the range of a bounded f and was clipped in the
  // inverse difference (GAIT, TP) [count]
  std::vector<std::int64_t> clipped;

  void resize(int L) {
    D.resize(L + 1);
    mult.resize(L + 1);
    gamma.resize(L + 1);
    clipped.assign(L + 1, 0);
  }
};

// The target of a layer from its delta: t_l = h_l - D_l / mult_l (mult_l per sample, one per row).
template <class T>
Mat<T> target_from_delta(const Mat<T>& h, const Mat<T>& D, const ColVec<T>& mult) {
  return h - (D.array().colwise() / mult.array()).matrix();
}

}  // namespace gaitsim
