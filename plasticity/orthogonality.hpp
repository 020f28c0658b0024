#pragma once
// Soft orthogonality regulariser on the inverted (square, l >= 2) layers:
//   full:    lambda ||W W^T - I||_F^2,        gradient 4 lambda (W W^T - I) W   (TMLR)
//   offdiag: lambda ||offdiag(W W^T)||_F^2,   gradient 4 lambda (W W^T - diag(W W^T)) W  (NeurIPS)
#include <string>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/synaptic_update.hpp"

namespace gaitsim {

struct OrthogonalityParams {
  double lambda = 0.1;        // strength lambda [1]
  std::string mode = "full";  // full | offdiag
};

std::vector<std::string> orthogonality_modes();

template <class T>
class OrthogonalityRegulariser {
 public:
  explicit OrthogonalityRegulariser(OrthogonalityParams params);
  // True for the layers the term applies to: square projections above the first.
  static bool applies(const Network<T>& net, int l);
  // dW_l += gradient, for every layer it applies to. No-op when lambda = 0.
  void add_gradient(const Network<T>& net, Gradients<T>& grads) const;
  // ||W W^T - I||_F
  static double error(const Mat<T>& W);

 private:
  // dW += the gradient of one layer with weights W; S is scratch space for W W^T.
  void add_layer_gradient(const Mat<T>& W, Mat<T>& S, Mat<T>& dW) const;

  OrthogonalityParams params_;
};

extern template class OrthogonalityRegulariser<double>;
extern template class OrthogonalityRegulariser<float>;

}  // namespace gaitsim
