#include "plasticity/orthogonality.hpp"

#include <stdexcept>

namespace gaitsim {

std::vector<std::string> orthogonality_modes() { return {"full", "offdiag"}; }

template <class T>
OrthogonalityRegulariser<T>::OrthogonalityRegulariser(OrthogonalityParams params)
    : params_(std::move(params)) {
  if (params_.mode != "full" && params_.mode != "offdiag") {
    throw std::invalid_argument("unknown orthogonality mode '" + params_.mode + "'");
  }
}

template <class T>
bool OrthogonalityRegulariser<T>::applies(const Network<T>& net, int l) {
  return l >= 2 && net.layer(l).in.square();
}

template <class T>
void OrthogonalityRegulariser<T>::add_gradient(const Network<T>& net, Gradients<T>& grads) const {
  if (params_.lambda == 0.0) return;
  Mat<T> S;
  for (int l = 2; l <= net.depth(); ++l) {
    if (!applies(net, l)) continue;
    const Mat<T>& W = net.layer(l).in.W;
    // S = W W^T is symmetric: a rank-k update fills one triangle at half the flops of a GEMM.
    S.setZero(W.rows(), W.rows());
    S.template selfadjointView<Eigen::Lower>().rankUpdate(W);
    if (params_.mode == "full") {
      S.diagonal().array() -= T(1);
    } else {
      S.diagonal().setZero();
    }
    // dW += 4 lambda S W
    grads.dW[l].noalias() += T(4 * params_.lambda) * (S.template selfadjointView<Eigen::Lower>() * W);
  }
}

template <class T>
double OrthogonalityRegulariser<T>::error(const Mat<T>& W) {
  Mat<double> S = W.template cast<double>() * W.template cast<double>().transpose();
  S.diagonal().array() -= 1.0;
  return S.norm();
}

template class OrthogonalityRegulariser<double>;
template class OrthogonalityRegulariser<float>;

}  // namespace gaitsim
