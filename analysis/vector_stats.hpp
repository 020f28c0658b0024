#pragma once

#include <Eigen/Core>
#include <stdexcept>

namespace gaitsim::analysis {

namespace detail {
double cosine_from_sums(double dot, double squared_norm_a, double squared_norm_b);
}  // namespace detail

// Cosine of the angle between a and b seen as flat vectors of all their coefficients (same shape
// required, else std::invalid_argument), accumulated in double for float inputs too. Result is
// in [-1, 1]. Returns 0 when either norm is 0: a zero vector (e.g. an update that did not happen)
// has no direction, and 0 keeps averages over many pairs free of NaN. NaN inputs give NaN.
template <class A, class B>
double cosine_similarity(const Eigen::DenseBase<A>& a, const Eigen::DenseBase<B>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) {
    throw std::invalid_argument("cosine_similarity: operands differ in shape");
  }
  const auto x = a.derived().array().template cast<double>();
  const auto y = b.derived().array().template cast<double>();
  return detail::cosine_from_sums((x * y).sum(), x.square().sum(), y.square().sum());
}

// The angle in degrees, in [0, 180], for a cosine; values slightly outside [-1, 1] from rounding
// are clamped rather than turned into NaN.
double angle_degrees(double cosine);

}  // namespace gaitsim::analysis
