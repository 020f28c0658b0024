#include "plasticity/orthogonality.hpp"

#include <algorithm>
#include <stdexcept>

namespace gaitsim {

namespace {

#ifdef EIGEN_USE_BLAS
// S = W W^T, lower triangle by one SYRK (n^3 flops instead of the 2 n^3 of a GEMM), threaded by
// the BLAS, then mirrored. The blocked product below is slower with OpenBLAS, whose GEMM is
// weak on 64-row blocks (784 x 784, one thread: 20 vs 11 ms float64, 6.7 vs 5.5 ms float32).
template <class T>
void gram(const Mat<T>& W, Mat<T>& S) {
  S.resize(W.rows(), W.rows());
  S.template triangularView<Eigen::Lower>().setZero();  // the SYRK adds to it
  S.template selfadjointView<Eigen::Lower>().rankUpdate(W);
  S.template triangularView<Eigen::StrictlyUpper>() = S.transpose();
}
#else
// Rows of W per block of the Gram product: small enough that 784 rows give a dozen blocks to
// share among the threads, large enough that each block is an efficient GEMM.
constexpr Eigen::Index kGramBlock = 64;

// S = W W^T. S is symmetric, so only its lower block-triangle is computed (n^3 flops instead of
// the 2 n^3 of a GEMM) and then mirrored. Eigen's own rank-k update and selfadjoint product run
// on one thread; here row block i of the triangle, S[i, :end_i] = W[i, :] W[:end_i, :]^T, is
// one GEMM per block, the blocks shared (largest first, for balance) by as many OpenMP threads
// as Eigen's own products use (--threads).
template <class T>
void gram(const Mat<T>& W, Mat<T>& S) {
  const Eigen::Index n = W.rows();
  const Eigen::Index blocks = (n + kGramBlock - 1) / kGramBlock;
  S.resize(n, n);
#pragma omp parallel for schedule(dynamic) num_threads(Eigen::nbThreads())
  for (Eigen::Index k = 0; k < blocks; ++k) {
    const Eigen::Index first = (blocks - 1 - k) * kGramBlock;
    const Eigen::Index rows = std::min(kGramBlock, n - first), end = first + rows;
    S.block(first, 0, rows, end).noalias() = W.middleRows(first, rows) * W.topRows(end).transpose();
  }
  S.template triangularView<Eigen::StrictlyUpper>() = S.transpose();
}
#endif

}  // namespace

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

// full: dW += 4 lambda (W W^T - I) W;  offdiag: dW += 4 lambda (W W^T - diag(W W^T)) W.
template <class T>
void OrthogonalityRegulariser<T>::add_layer_gradient(const Mat<T>& W, Mat<T>& S, Mat<T>& dW) const {
  gram(W, S);
  if (params_.mode == "full") {
    S.diagonal().array() -= T(1);
  } else {
    S.diagonal().setZero();
  }
  // A general GEMM: S W has no structure left to save flops on.
  dW.noalias() += T(4 * params_.lambda) * S * W;
}

// When the layers are of one size and share evenly among the threads, each layer runs on one
// thread with single-threaded products (Eigen and OpenBLAS do not thread inside a parallel
// region): no synchronisation inside the products, and 784 x 784 float64, 4 layers, 2 threads
// took 80 ms instead of 87 (docs/performance.md). Otherwise (3 layers on 2 threads, more
// threads than layers, or one large layer among small ones, as in a CNN) every product uses
// all the threads.
template <class T>
void OrthogonalityRegulariser<T>::add_gradient(const Network<T>& net, Gradients<T>& grads) const {
  if (params_.lambda == 0.0) return;
  std::vector<int> layers;
  for (int l = 2; l <= net.depth(); ++l) {
    if (applies(net, l)) layers.push_back(l);
  }
  const int threads = Eigen::nbThreads();
  const int count = static_cast<int>(layers.size());
  const bool one_size = std::all_of(layers.begin(), layers.end(), [&](int l) {
    return net.layer(l).in.W.rows() == net.layer(layers.front()).in.W.rows();
  });
  const bool side_by_side = threads > 1 && count % threads == 0 && one_size;
#pragma omp parallel num_threads(threads) if (side_by_side)
  {
    Mat<T> S;  // W W^T, one buffer per thread for all its layers
#pragma omp for schedule(dynamic, 1)
    for (int i = 0; i < count; ++i) {
      const int l = layers[i];
      add_layer_gradient(net.layer(l).in.W, S, grads.dW[l]);
      net.layer(l).in.mask_update(grads.dW[l]);  // the term reaches existing synapses only
    }
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
