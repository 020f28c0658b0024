#include "plasticity/layer_inverse.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

namespace gaitsim {

namespace {

// Eigen's 1-norm estimate misses exactly singular factors (it returns a moderate value or NaN
// when a pivot is 0), so the spread of the pivots, itself a lower bound on the condition
// number up to the growth factor, is checked as well.
template <class T>
double reciprocal_condition(const Eigen::PartialPivLU<Mat<T>>& lu) {
  const auto pivots = lu.matrixLU().diagonal().cwiseAbs();
  const double spread = double(pivots.minCoeff()) / double(pivots.maxCoeff());
  const double estimate = double(lu.rcond());
  if (!std::isfinite(estimate) || !std::isfinite(spread)) return 0.0;
  return std::min(estimate, spread);
}

}  // namespace

template <class T>
double LayerInverse<T>::max_condition() {
  return 1e-2 / std::numeric_limits<T>::epsilon();
}

// The panel steps of one LU barely thread, so the layers are factorised side by side, each on
// one thread (Eigen runs single-threaded inside a parallel region).
template <class T>
void LayerInverse<T>::factorize(const Network<T>& net) {
  const int L = net.depth();
  lu_.resize(L + 1);
  std::vector<double> rcond(L + 1, 1.0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(Eigen::nbThreads())
  for (int l = 2; l <= L; ++l) {
    const Mat<T>& W = net.layer(l).in.W;
    assert(W.rows() == W.cols() && "only square projections are inverted");
    // Factorising W^T lets one solve W^T X^T = R^T serve all N samples at once.
    lu_[l].compute(W.transpose());
    rcond[l] = reciprocal_condition(lu_[l]);
  }
  for (int l = 2; l <= L; ++l) {
    if (!(rcond[l] * max_condition() > 1.0)) {
      throw IllConditionedLayer(
          l, rcond[l] > 0 ? 1.0 / rcond[l] : std::numeric_limits<double>::infinity());
    }
  }
}

// X W = R  <=>  W^T X^T = R^T, with lu_[l] factorising W^T
template <class T>
void LayerInverse<T>::solve(int l, const Mat<T>& R, Eigen::Ref<Mat<T>> X) const {
  X = lu_[l].solve(R.transpose()).transpose();
}

template class LayerInverse<double>;
template class LayerInverse<float>;

}  // namespace gaitsim
