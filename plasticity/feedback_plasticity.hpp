#pragma once
// Local plasticity of the learned feedback pathway (issue 15): difference reconstruction with
// noise (Lee et al. 2015; Meulemans et al. 2020). For every inverted layer l = 2..L:
//     h~ = h_{l-1}[:, :k] + sigma xi,  xi ~ N(0, 1)        (corrupted activity below)
//     u  = a_l(h~) - b_l = h~ W_l                          (layer l driven by it)
//     e  = u Q_l + c_l - h~                                (reconstruction error at layer l-1)
//     loss_l = 1/(2N) sum_n ||e_n||^2
//     dQ_l = u^T e / N,  dc_l = mean_n e,  Q_l -= eta dQ_l, c_l -= eta dc_l   (SGD)
// The Hessian of loss_l in (Q_l, c_l) is z^T z / N with z = [u, 1], so a fixed eta diverges
// once eta lambda_max > 2: activity that grows while the forward weights learn can push a
// stable eta past it. The normalised step eta_t = mu / (1 + mean_n ||u_n||^2) divides by the
// Hessian's trace, an upper bound of lambda_max, so eta_t lambda_max <= mu < 2 at every step
// (normalised LMS; a population-wide gain, not a per-synapse quantity).
// Pre-synaptic: layer l's drive u (its rate code's pre-activation, f^-1(h_l) - b_l);
// post-synaptic: the reconstruction error e below. The minimum is Q_l = W_l^-1, c_l = 0 for any
// sigma (u is an invertible linear map of h~, so the reconstruction can be exact); the noise
// makes the second-moment matrix of h~ full rank, so that every direction, also those the data
// never visit, converges (docs/learned-feedback.md derives the rate).
#include <cstdint>
#include <vector>

#include "neurons/network.hpp"
#include "plasticity/learned_feedback.hpp"

namespace gaitsim {

struct FeedbackParams {
  double noise_std = 0.1;       // std sigma of the corruption of h_{l-1} [rate]
  double learning_rate = 1e-3;  // SGD step size eta of Q_l and c_l [1]
  int steps_per_batch = 1;      // feedback updates per forward update [count]
  std::uint64_t seed = 3;       // seed of the corruption noise [1]
  bool normalized = false;      // step mu / (1 + mean_n ||u_n||^2) in place of eta [1]
};

// loss_l of one corrupted batch h_noisy (N x k) for the projection `in` of layer l and the
// feedback (Q, c); with dQ and dc set, also its gradient, and with u_power, mean_n ||u_n||^2.
template <class T>
double reconstruction_loss(const Projection<T>& in, const Mat<T>& h_noisy, const Mat<T>& Q,
                           const RowVec<T>& c, Mat<T>* dQ = nullptr, RowVec<T>* dc = nullptr,
                           double* u_power = nullptr);

template <class T>
class FeedbackPlasticity {
 public:
  explicit FeedbackPlasticity(const FeedbackParams& params) : params_(params) {}
  // steps_per_batch SGD steps of every Q_l, c_l on the free-phase rates of a batch. Each step
  // draws fresh noise from (seed, steps()), so a resumed run draws what an uninterrupted one
  // would.
  void learn(const Network<T>& net, const Activity<T>& act, LearnedFeedback<T>& feedback);
  // The step size of an update whose drive has mean_n ||u_n||^2 = u_power.
  double step_size(double u_power) const;
  // The corruption of layer l - 1's first k units for feedback step `step` (N x k).
  Mat<T> noise(long long step, int l, Eigen::Index rows, Eigen::Index cols) const;

  // Feedback steps so far (the optimiser state of plain SGD; saved in the run file).
  long long steps() const { return steps_; }
  void set_steps(long long steps) { steps_ = steps; }
  // loss_l of the last step, before its update, for l = 2..L (NaN before any step).
  const std::vector<double>& last_loss() const { return last_loss_; }

 private:
  FeedbackParams params_;
  long long steps_ = 0;
  std::vector<double> last_loss_;
};

extern template class FeedbackPlasticity<double>;
extern template class FeedbackPlasticity<float>;

}  // namespace gaitsim
