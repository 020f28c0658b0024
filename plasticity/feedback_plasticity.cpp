#include "plasticity/feedback_plasticity.hpp"

#include <cmath>
#include <limits>
#include <random>

namespace gaitsim {

template <class T>
double reconstruction_loss(const Projection<T>& in, const Mat<T>& h_noisy, const Mat<T>& Q,
                           const RowVec<T>& c, Mat<T>* dQ, RowVec<T>* dc, double* u_power) {
  // u = a_l(h~) - b_l: through the projection's own drive, so any effective W composes
  Mat<T> u;
  in.drive(h_noisy, u);
  u.rowwise() -= in.b;
  Mat<T> e = u * Q;
  e.rowwise() += c;
  e -= h_noisy;  // e = u Q + c - h~
  const T inv_n = T(1) / T(h_noisy.rows());
  if (dQ != nullptr) dQ->noalias() = inv_n * (u.transpose() * e);
  if (dc != nullptr) *dc = inv_n * e.colwise().sum();
  if (u_power != nullptr) *u_power = double(u.squaredNorm()) / double(h_noisy.rows());
  return 0.5 * double(e.squaredNorm()) / double(h_noisy.rows());
}

template <class T>
Mat<T> FeedbackPlasticity<T>::noise(long long step, int l, Eigen::Index rows,
                                    Eigen::Index cols) const {
  std::seed_seq seq{static_cast<std::uint64_t>(params_.seed), static_cast<std::uint64_t>(step),
                    static_cast<std::uint64_t>(l)};
  std::mt19937_64 rng(seq);
  std::normal_distribution<double> normal(0.0, params_.noise_std);
  Mat<T> xi(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) xi(i, j) = T(normal(rng));
  return xi;
}

// eta, or the normalised mu / (1 + mean_n ||u_n||^2) (feedback_plasticity.hpp)
template <class T>
double FeedbackPlasticity<T>::step_size(double u_power) const {
  return params_.normalized ? params_.learning_rate / (1.0 + u_power) : params_.learning_rate;
}

template <class T>
void FeedbackPlasticity<T>::learn(const Network<T>& net, const Activity<T>& act,
                                  LearnedFeedback<T>& feedback) {
  const int L = net.depth();
  last_loss_.assign(L + 1, std::numeric_limits<double>::quiet_NaN());
  Mat<T> dQ;
  RowVec<T> dc;
  double u_power = 0;
  for (int s = 0; s < params_.steps_per_batch; ++s, ++steps_) {
    for (int l = 2; l <= L; ++l) {
      const Eigen::Index k = feedback.Q[l].cols();
      Mat<T> h = act.h[l - 1].leftCols(k);
      if (params_.noise_std > 0) h += noise(steps_, l, h.rows(), k);
      last_loss_[l] =
          reconstruction_loss(net.layer(l).in, h, feedback.Q[l], feedback.c[l], &dQ, &dc, &u_power);
      const T eta = T(step_size(u_power));
      feedback.Q[l] -= eta * dQ;
      feedback.c[l] -= eta * dc;
    }
  }
}

template double reconstruction_loss(const Projection<double>&, const Mat<double>&,
                                    const Mat<double>&, const RowVec<double>&, Mat<double>*,
                                    RowVec<double>*, double*);
template double reconstruction_loss(const Projection<float>&, const Mat<float>&, const Mat<float>&,
                                    const RowVec<float>&, Mat<float>*, RowVec<float>*, double*);
template class FeedbackPlasticity<double>;
template class FeedbackPlasticity<float>;

}  // namespace gaitsim
