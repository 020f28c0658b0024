#include "sim/engine.hpp"

#include <algorithm>
#include <cmath>

namespace gaitsim {

namespace {

// Elements per chunk of the finiteness scan.
constexpr Eigen::Index kChunk = 4096;

// x * 0 is 0 for finite x and NaN for an infinity or NaN, and a sum of zeros cannot overflow:
// the sum over a chunk is 0 exactly when the chunk is finite. Unlike Eigen's allFinite this
// vectorises, and the chunks are shared by as many threads as Eigen's products use.
template <class T>
bool finite(const T* x, Eigen::Index size) {
  bool ok = true;
#pragma omp parallel for schedule(static) reduction(&& : ok) num_threads(Eigen::nbThreads())
  for (Eigen::Index first = 0; first < size; first += kChunk) {
    const Eigen::Index n = std::min(kChunk, size - first);
    ok = ok &&
         (Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(x + first, n) * T(0)).sum() == T(0);
  }
  return ok;
}

template <class T>
bool all_finite(const Gradients<T>& grads) {
  for (std::size_t l = 1; l < grads.dW.size(); ++l) {
    if (!finite(grads.dW[l].data(), grads.dW[l].size()) || !grads.db[l].allFinite()) return false;
  }
  return true;
}

}  // namespace

template <class T>
Engine<T>::Engine(Network<T> net, const LearningConfig& learning, std::uint64_t seed,
                  const DynamicsConfig& dynamics, const FeedbackConfig& feedback)
    : net_(std::move(net)),
      rule_(make_learning_rule<T>(
          {learning.algorithm, learning.gamma, learning.adaptive_gamma, seed})),
      bp_(make_learning_rule<T>({"bp", 0, false, 0})),
      loss_(make_output_loss<T>(learning.loss)),
      ortho_({learning.ortho_reg, learning.ortho_mode}),
      optimizer_(make_optimizer<T>({learning.optimizer, learning.learning_rate, learning.beta1,
                                    learning.beta2, learning.epsilon})),
      phases_(make_phases<T>(dynamics)),
      max_loss_(learning.max_loss_factor * loss_->zero_output_loss(net_.classes)) {
  rule_->prepare(net_);
  if (feedback.mode == "learned") {
    if (dynamics.mode == "settle" && dynamics.feedback == "transpose") {
      throw ConfigError("feedback.mode = learned needs dynamics.feedback = inverse");
    }
    setup_feedback(feedback, seed + 1);
  } else if (feedback.mode != "exact") {
    throw ConfigError("feedback.mode = '" + feedback.mode + "': expected one of exact | learned");
  }
}

template <class T>
void Engine<T>::set_noise(const RateNoiseParams& params) {
  const long long step = noise_.step();
  try {
    noise_ = RateNoise(params);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  noise_.set_step(step);
  phases_->set_noise(&noise_);
}

template <class T>
void Engine<T>::setup_feedback(const FeedbackConfig& feedback, std::uint64_t seed) {
  if (!rule_->inverts_layers()) {
    throw ConfigError("feedback.mode = learned with learning.algorithm = '" + rule_->name() +
                      "': expected a rule that inverts its layers (gait, tp)");
  }
  feedback_ = std::make_unique<LearnedFeedback<T>>();
  try {
    feedback_->initialize(net_, feedback.init, seed);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
  feedback_rule_ = std::make_unique<FeedbackPlasticity<T>>(
      FeedbackParams{feedback.noise_std, feedback.learning_rate, feedback.steps_per_batch, seed,
                     feedback.step == "normalized"});
  rule_->set_learned_inverse(feedback_.get());
}

template <class T>
void Engine<T>::learn_feedback() {
  if (!feedback_) return;
  feedback_rule_->learn(net_, act_, *feedback_);
  for (int l = 2; l <= net_.depth(); ++l) {
    if (!feedback_->Q[l].allFinite() || !feedback_->c[l].allFinite()) {
      throw Divergence("non-finite learned feedback weights Q_" + std::to_string(l) +
                       " (feedback.learning_rate too large?)");
    }
  }
}

template <class T>
BatchResult Engine<T>::metrics(const Eigen::VectorXi& y) const {
  const Mat<T>& out = act_.h[net_.depth()];
  return {loss_->total(out, y, net_.classes), count_correct(out, y, net_.classes),
          count_top_k(out, y, net_.classes, 5), static_cast<long long>(y.size())};
}

// D_L = h_L - t_L = dl/dh_L (mult_L = 1), then the rule's top-down sweep.
template <class T>
void Engine<T>::target_phase(const LearningRule<T>& rule, const Eigen::VectorXi& y) {
  const int L = net_.depth();
  sig_.resize(L);
  loss_->gradient(act_.h[L], y, net_.classes, sig_.D[L]);
  sig_.mult[L] = ColVec<T>::Ones(act_.batch());
  phases_->target(net_, rule, act_, sig_);
}

template <class T>
void Engine<T>::updates(const LearningRule<T>& rule, const Mat<T>& x, const Eigen::VectorXi& y,
                        Gradients<T>& grads) {
  phases_->free(net_, x, act_);
  target_phase(rule, y);
  synaptic_update(net_, act_, sig_, grads);
}

template <class T>
BatchResult Engine<T>::step(const Mat<T>& x, const Eigen::VectorXi& y) {
  BatchResult result;
  phases_->free(net_, x, act_);
  learn_feedback();
  if (!forward_learning_) {
    result = metrics(y);
    if (reducer_ != nullptr) reducer_->metrics(result);
    return result;
  }
  if (reducer_ == nullptr) {
    target_phase(*rule_, y);
    synaptic_update(net_, act_, sig_, grads_);
    result = metrics(y);
  } else {
    // Global metrics first (their sample count weights the slices), then each layer's update
    // is scaled by n_local / N and its sum started while the next layer is computed.
    target_phase(*rule_, y);
    result = metrics(y);
    const T weight = T(double(result.samples));
    reducer_->metrics(result);
    const T share = weight / T(double(result.samples));
    synaptic_update(net_, act_, sig_, grads_, [&](int l) {
      grads_.dW[l] *= share;
      grads_.db[l] *= share;
      reducer_->layer(l, grads_.dW[l], grads_.db[l]);
    });
    reducer_->finish();
  }
  ortho_.add_gradient(net_, grads_);
  const double loss = result.loss_sum / double(result.samples);
  if (!std::isfinite(result.loss_sum) || !all_finite(grads_)) {
    throw Divergence("loss " + std::to_string(loss) +
                     (all_finite(grads_) ? "" : ", non-finite weight update"));
  }
  if (max_loss_ > 0 && loss > max_loss_) {
    throw Divergence("loss " + std::to_string(loss) + " above the bound " +
                     std::to_string(max_loss_) +
                     " = learning.max_loss_factor x the loss of a zero output");
  }
  optimizer_->step(net_, grads_);
  // Dale's principle as a projected gradient step: the same on every replica, as the weights are.
  clipped_.assign(net_.depth() + 1, 0);
  for (int l = 1; l <= net_.depth(); ++l) clipped_[l] = net_.layer(l).in.project_weights();
  return result;
}

template <class T>
BatchResult Engine<T>::evaluate(const Mat<T>& x, const Eigen::VectorXi& y) {
  net_.forward(x, act_);
  return metrics(y);
}

template class Engine<double>;
template class Engine<float>;

}  // namespace gaitsim
