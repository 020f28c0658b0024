#pragma once
#include "neurons/types.hpp"

namespace gaitsim {

// All-to-all synapses from the first k units of the population below into a population of n
// units: a = h_pre[:, :k] W + b, W is k x n.
template <class T>
struct DenseProjection {
  Mat<T> W;     // synaptic weights, k x n [1]
  RowVec<T> b;  // bias (tonic drive), n [rate]

  Eigen::Index pre_units() const { return W.rows(); }
  Eigen::Index post_units() const { return W.cols(); }
  bool square() const { return W.rows() == W.cols(); }

  // a = h_pre[:, :k] W + b
  void drive(const Mat<T>& h_pre, Mat<T>& a) const {
    a.noalias() = h_pre.leftCols(W.rows()) * W;
    a.rowwise() += b;
  }
};

}  // namespace gaitsim
