#include "plasticity/layer_inverse.hpp"

#include <cassert>
#include <limits>

namespace gaitsim {

template <class T>
double LayerInverse<T>::max_condition() {
  return 1e-2 / std::numeric_limits<T>::epsilon();
}

template <class T>
void LayerInverse<T>::factorize(const Network<T>& net) {
  lu_.resize(net.depth() + 1);
  for (int l = 2; l <= net.depth(); ++l) {
    const Mat<T>& W = net.layer(l).in.W;
    assert(W.rows() == W.cols() && "only square projections are inverted");
    // Factorising W^T lets one solve W^T X^T = R^T serve all N samples at once.
    lu_[l].compute(W.transpose());
    const double rcond = static_cast<double>(lu_[l].rcond());
    if (!(rcond * max_condition() > 1.0)) {
      throw IllConditionedLayer(l, rcond > 0 ? 1.0 / rcond : std::numeric_limits<double>::infinity());
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
