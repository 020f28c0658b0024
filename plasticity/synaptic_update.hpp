#pragma once
// The local plasticity rule shared by every learning rule: each synapse changes by its
// pre-synaptic rate times the post-synaptic error e_l = D_l * d_l = mult_l (h_l - t_l) f'(a_l):
//   dW_l = mean_n h_{l-1}[:, :k]^T e_l,   db_l = mean_n e_l
// (a conv kernel sums this over the output positions p: dW_l = mean_n sum_p P_p^T e_{l,p}).
// Updates have the sign of a gradient: the optimiser subtracts them. A sparse projection's
// update is masked (connection_mask.hpp): absent synapses get dW = 0.
#include <functional>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/error_signals.hpp"

namespace gaitsim {

template <class T>
struct Gradients {
  std::vector<Mat<T>> dW;     // dW[l], shape of W_l (index 0 unused)
  std::vector<RowVec<T>> db;  // db[l]
};

// layer_done(l), when given, is called as soon as layer l's update is complete (layers 1..L in
// order), e.g. to start reducing it across processes while the next layer is computed.
template <class T>
void synaptic_update(const Network<T>& net, const Activity<T>& act, const ErrorSignals<T>& sig,
                     Gradients<T>& grads, const std::function<void(int)>& layer_done = {});

extern template void synaptic_update<double>(const Network<double>&, const Activity<double>&,
                                             const ErrorSignals<double>&, Gradients<double>&,
                                             const std::function<void(int)>&);
extern template void synaptic_update<float>(const Network<float>&, const Activity<float>&,
                                            const ErrorSignals<float>&, Gradients<float>&,
                                            const std::function<void(int)>&);

}  // namespace gaitsim
