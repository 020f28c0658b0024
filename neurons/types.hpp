#pragma once
// Matrix conventions shared by every library: a batch of N samples is an N x n matrix whose rows
// are the samples (row vectors, as in gait-prop.md: a_l = h_{l-1} W_l + b_l).
#include <Eigen/Dense>

namespace gaitsim {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using RowVec = Eigen::Matrix<T, 1, Eigen::Dynamic>;
template <class T>
using ColVec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

}  // namespace gaitsim
