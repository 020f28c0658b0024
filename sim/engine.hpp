#pragma once
// The algebraic two-phase engine: a free phase (forward pass), a target phase (the rule's
// top-down sweep), local plasticity, the orthogonality term, and the optimiser step.
#include <memory>
#include <stdexcept>
#include <vector>

#include "plasticity/feedback_plasticity.hpp"
#include "plasticity/learned_feedback.hpp"
#include "plasticity/learning_rule.hpp"
#include "plasticity/optimizer.hpp"
#include "plasticity/orthogonality.hpp"
#include "plasticity/output_loss.hpp"
#include "plasticity/synaptic_update.hpp"
#include "sim/config.hpp"
#include "sim/phases.hpp"

namespace gaitsim {

// Training produced a non-finite loss or update: the step was not applied.
class Divergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BatchResult {
  double loss_sum = 0.0;  // sum over the batch of the per-sample loss
  long long correct = 0;  // samples classified correctly
  long long top5 = 0;     // samples with the label among the 5 largest class units
  long long samples = 0;
};

// Data-parallel training: each process computes the updates of its slice of a global batch;
// a reducer turns the local batch metrics and updates into the global ones (the trainer takes
// it from its ReplicaGroup, sim/replica_group.hpp; over MPI: sim/sweep/data_parallel.hpp).
// Updates are batch means, so a slice's update is weighted by its share of the global batch.
template <class T>
class StepReducer {
 public:
  virtual ~StepReducer() = default;
  // Sums the metrics over all processes (in place), before any update is computed.
  virtual void metrics(BatchResult& local_to_global) = 0;
  // Layer l's weighted local update is ready: start summing it (may return before it is done).
  virtual void layer(int l, Mat<T>& dW, RowVec<T>& db) = 0;
  // Completes every sum started by layer().
  virtual void finish() = 0;
};

template <class T>
class Engine {
 public:
  // seed: of the rule's random parts (FA's feedback weights); seed + 1 seeds the learned
  // feedback (learned_feedback_seed). dynamics.mode picks how the two phases are computed
  // (sim/phases.hpp); the default is the algebraic one. feedback.mode learned gives the rule
  // learned feedback weights Q_l in place of its exact inverses (ConfigError where it cannot).
  Engine(Network<T> net, const LearningConfig& learning, std::uint64_t seed,
         const DynamicsConfig& dynamics = {}, const FeedbackConfig& feedback = {});

  // One training step on a batch: updates the weights, returns the pre-update batch metrics.
  // Throws Divergence (weights untouched) when the loss or an update is not finite, or when the
  // batch-mean loss exceeds learning.max_loss_factor times a zero output's loss (a finite
  // blow-up: the activity and loss growing without bound, as FA's on the tower, docs/studies.md).
  BatchResult step(const Mat<T>& x, const Eigen::VectorXi& y);
  // Set: step() sums metrics and updates over processes through it (not owned; null = alone).
  void set_reducer(StepReducer<T>* reducer) { reducer_ = reducer; }
  // Updates of `rule` for a batch, without the orthogonality term and without applying them.
  void updates(const LearningRule<T>& rule, const Mat<T>& x, const Eigen::VectorXi& y,
               Gradients<T>& grads);
  // Metrics of the current weights on a batch.
  BatchResult evaluate(const Mat<T>& x, const Eigen::VectorXi& y);

  Network<T>& network() { return net_; }
  const Network<T>& network() const { return net_; }
  const LearningRule<T>& rule() const { return *rule_; }
  const LearningRule<T>& bp() const { return *bp_; }
  Optimizer<T>& optimizer() { return *optimizer_; }
  const Activity<T>& activity() const { return act_; }
  const ErrorSignals<T>& signals() const { return sig_; }
  // Synapses the last step's sign projection set to 0 (network.dale sign), per layer 1..L
  // (index 0 unused) [count].
  const std::vector<long long>& clipped_synapses() const { return clipped_; }
  Phases<T>& phases() { return *phases_; }
  // feedback.mode learned: Q_l, c_l and their plasticity; null in exact mode.
  LearnedFeedback<T>* learned_feedback() { return feedback_.get(); }
  const LearnedFeedback<T>* learned_feedback() const { return feedback_.get(); }
  FeedbackPlasticity<T>* feedback_plasticity() { return feedback_rule_.get(); }
  // false (feedback.warmup_epochs): step() trains the feedback only, the forward weights stay.
  void set_forward_learning(bool on) { forward_learning_ = on; }
  // Rate noise in both phases of step() and updates() (noise.*; neurons/rate_noise.hpp); throws
  // ConfigError where the phases cannot take it (settle with dopri5).
  void set_noise(const RateNoiseParams& params);
  // The global training step whose noise draws the next phases take (a resumed run sets the step
  // it resumes at, so that it draws what the uninterrupted run drew).
  void set_noise_step(long long step) { noise_.set_step(step); }

 private:
  BatchResult metrics(const Eigen::VectorXi& y) const;
  void target_phase(const LearningRule<T>& rule, const Eigen::VectorXi& y);
  void setup_feedback(const FeedbackConfig& feedback, std::uint64_t seed);
  // The feedback updates of a step, on the free phase's rates (no-op in exact mode).
  void learn_feedback();

  Network<T> net_;
  std::unique_ptr<LearningRule<T>> rule_, bp_;
  std::unique_ptr<OutputLoss<T>> loss_;
  OrthogonalityRegulariser<T> ortho_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  std::unique_ptr<Phases<T>> phases_;  // free and target phase: algebraic or settling
  Activity<T> act_;
  ErrorSignals<T> sig_;
  Gradients<T> grads_;
  StepReducer<T>* reducer_ = nullptr;
  std::unique_ptr<LearnedFeedback<T>> feedback_;
  std::unique_ptr<FeedbackPlasticity<T>> feedback_rule_;
  bool forward_learning_ = true;
  std::vector<long long> clipped_;
  RateNoise noise_;
  double max_loss_ = 0.0;  // batch-mean loss above which a step diverges, 0 = no bound [1]
};

extern template class Engine<double>;
extern template class Engine<float>;

}  // namespace gaitsim
