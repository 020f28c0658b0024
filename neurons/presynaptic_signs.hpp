#pragma once
// Dale's principle, sign form (biology.md 2): presynaptic unit i of a projection is excitatory
// (s_i = +1) or inhibitory (s_i = -1) for good, so every synapse in row i of W keeps that sign:
// W = diag(s) |V|. After each optimiser step a synapse whose update flipped its sign is set to 0
// (a projected gradient step) and counted as clipped.
#include <cstdint>
#include <random>

#include "neurons/types.hpp"

namespace gaitsim {

class PresynapticSigns {
 public:
  using Signs = Eigen::Matrix<std::int8_t, Eigen::Dynamic, 1>;

  explicit PresynapticSigns(Signs signs) : s_(std::move(signs)) {}

  // ceil(inhibitory_fraction * rows) of the rows presynaptic units inhibitory, chosen uniformly
  // by a Fisher-Yates draw from rng; the others excitatory.
  static PresynapticSigns random(Eigen::Index rows, double inhibitory_fraction,
                                 std::mt19937_64& rng);

  // W(i, j) = s_i |W(i, j)|: initial weights of the right signs.
  template <class T>
  void apply(Mat<T>& W) const {
    W = (s_.template cast<T>().asDiagonal() * W.cwiseAbs()).eval();
  }
  // W(i, j) = 0 where s_i W(i, j) < 0; returns how many were set [count].
  template <class T>
  long long project(Mat<T>& W) const {
    long long clipped = 0;
    for (Eigen::Index j = 0; j < W.cols(); ++j) {
      for (Eigen::Index i = 0; i < W.rows(); ++i) {
        if (T(s_(i)) * W(i, j) < T(0)) {
          W(i, j) = T(0);
          ++clipped;
        }
      }
    }
    return clipped;
  }
  // +1 / -1 per presynaptic unit (row of W).
  const Signs& signs() const { return s_; }
  Eigen::Index size() const { return s_.size(); }

 private:
  Signs s_;
};

}  // namespace gaitsim
