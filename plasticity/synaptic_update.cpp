#include "plasticity/synaptic_update.hpp"

namespace gaitsim {

template <class T>
void synaptic_update(const Network<T>& net, const Activity<T>& act, const ErrorSignals<T>& sig,
                     Gradients<T>& grads, const std::function<void(int)>& layer_done) {
  const int L = net.depth();
  grads.dW.resize(L + 1);
  grads.db.resize(L + 1);
  Mat<T> e;
  for (int l = 1; l <= L; ++l) {
    // e_l = D_l * d_l
    e = sig.D[l].cwiseProduct(act.d[l]);
    net.layer(l).in.weight_gradient(act.h[l - 1], e, grads.dW[l], grads.db[l]);
    net.layer(l).in.mask_update(grads.dW[l]);
    if (layer_done) layer_done(l);
  }
}

template void synaptic_update<double>(const Network<double>&, const Activity<double>&,
                                      const ErrorSignals<double>&, Gradients<double>&,
                                      const std::function<void(int)>&);
template void synaptic_update<float>(const Network<float>&, const Activity<float>&,
                                     const ErrorSignals<float>&, Gradients<float>&,
                                     const std::function<void(int)>&);

}  // namespace gaitsim
