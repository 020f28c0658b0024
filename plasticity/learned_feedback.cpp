#include "plasticity/learned_feedback.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include "neurons/weight_init.hpp"

namespace gaitsim {

std::vector<std::string> feedback_init_names() { return {"random", "transpose", "inverse"}; }

namespace {

// Q = W^-1 by one LU solve of W X = I (W square, checked by the caller).
template <class T>
Mat<T> exact_inverse(const Mat<T>& W) {
  return W.partialPivLu().solve(Mat<T>::Identity(W.rows(), W.cols()));
}

template <class T>
Mat<T> initial_feedback(const Mat<T>& W, const std::string& init, std::mt19937_64& rng) {
  if (init == "inverse") return exact_inverse(W);
  if (init == "transpose") return W.transpose();
  if (init == "random") return random_orthogonal(W.cols(), W.rows(), rng).template cast<T>();
  throw std::invalid_argument("feedback.init = '" + init +
                              "': expected one of random | transpose | inverse");
}

}  // namespace

template <class T>
void LearnedFeedback<T>::initialize(const Network<T>& net, const std::string& init,
                                    std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int L = net.depth();
  Q.assign(L + 1, Mat<T>());
  c.assign(L + 1, RowVec<T>());
  for (int l = 2; l <= L; ++l) {
    const Projection<T>& in = net.layer(l).in;
    if (!in.dense() || !in.square()) {
      throw std::invalid_argument("layer " + std::to_string(l) +
                                  " is not a dense square layer: learned feedback (feedback.mode "
                                  "learned) needs dense square layers above the first");
    }
    Q[l] = initial_feedback(in.W, init, rng);
    c[l] = RowVec<T>::Zero(in.W.rows());
  }
}

template <class T>
void LearnedFeedback<T>::solve(int l, const Mat<T>& R, Eigen::Ref<Mat<T>> X) const {
  X.noalias() = R * Q[l];
}

template <class T>
double LearnedFeedback<T>::inverse_error(const Network<T>& net, int l) const {
  const Mat<T>& W = net.layer(l).in.W;
  Mat<double> E = Q[l].template cast<double>() * W.template cast<double>();
  E.diagonal().array() -= 1.0;
  return E.norm() / std::sqrt(double(E.rows()));
}

template class LearnedFeedback<double>;
template class LearnedFeedback<float>;

}  // namespace gaitsim
