#pragma once
// Sparse connectivity (biology.md 3): a fixed binary mask M on a projection's W. Synapse (i, j)
// exists where M(i, j) = 1; W = M * V elementwise, every update of W is masked the same way, so
// an absent synapse stays exactly 0 whatever the rule, optimiser or regulariser.
#include <cstdint>
#include <random>

#include "neurons/types.hpp"

namespace gaitsim {

class ConnectionMask {
 public:
  using Bits = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>;

  explicit ConnectionMask(Bits present) : present_(std::move(present)) {}

  // Each synapse of a rows x cols projection present with probability p (0 < p <= 1), drawn
  // from rng; a post-synaptic unit (column) left without input gets one presynaptic unit drawn
  // uniformly, so every unit keeps >= 1 input.
  static ConnectionMask random(Eigen::Index rows, Eigen::Index cols, double p,
                               std::mt19937_64& rng);

  // X(i, j) = 0 where the synapse is absent: the weights, or an update of them.
  template <class T>
  void apply(Mat<T>& X) const {
    X = present_.select(X.array(), T(0)).matrix();
  }
  // The mask as stored in files: 1 where the synapse exists, else 0.
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic> matrix() const {
    return present_.cast<std::int8_t>().matrix();
  }
  const Bits& bits() const { return present_; }
  Eigen::Index rows() const { return present_.rows(); }
  Eigen::Index cols() const { return present_.cols(); }
  // Synapses present [count].
  Eigen::Index present() const { return present_.count(); }

 private:
  Bits present_;
};

}  // namespace gaitsim
