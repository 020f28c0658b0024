#include "sim/trainer.hpp"

#include <cassert>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <optional>

#include "analysis/atomic_file.hpp"
#include "analysis/dir_lock.hpp"
#include "datasets/batch_stream.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/alignment.hpp"
#include "sim/batches.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

// Training reads through batch sources: in memory for small datasets, streamed from disk for
// image caches.
datasets::SourceSplit open_data(const Config& c) {
  datasets::SourceSplit data = datasets::open_dataset(c.data.dataset, c.data.folder(),
                                                      static_cast<std::size_t>(c.data.train_limit),
                                                      static_cast<std::size_t>(c.data.test_limit));
  const std::array<int, 3> shape = data.train->shape();
  const int r = c.data.resolution;
  if (r > 0 && (shape[1] != r || shape[2] != r)) {
    throw datasets::DataError(data.train->origin(),
                              "holds " + std::to_string(shape[1]) + "x" + std::to_string(shape[2]) +
                                  " images but data.resolution = " + std::to_string(r) +
                                  " asks for " + std::to_string(r) + "x" + std::to_string(r) +
                                  (c.data.dataset == "imagenet"
                                       ? "; build a cache at that size (gaitsim cache ... --size " +
                                             std::to_string(r) + ")"
                                       : ""));
  }
  return data;
}

// Keys that may change between a run and its resumption.
Config resumable_part(Config c) {
  c.learning.epochs = 1;
  c.output = OutputConfig{};
  return c;
}

void check_resumable(const Config& now, const RunRecord& run, const fs::path& file) {
  if (run.status == "diverged") {
    throw ConfigError(file.string() + ": the run diverged; start a new one (--force)");
  }
  const Config before = parse_config(run.config_yaml, file.string(), {});
  if (resumable_part(before).to_yaml() != resumable_part(now).to_yaml()) {
    throw ConfigError(file.string() +
                      ": the run was made with a different config; only learning.epochs and "
                      "output.* may change on --resume");
  }
}

// Calls an observer's member when it is set.
template <class F, class... Args>
void notify(const F& f, Args&&... args) {
  if (f) f(std::forward<Args>(args)...);
}

template <class T>
class Trainer {
 public:
  Trainer(const Config& c, const TrainOptions& o, const datasets::SourceSplit& data,
          ReplicaGroup& group, const TrainObserver& observer)
      : c_(c),
        o_(o),
        data_(data),
        file_(o.out_dir / "run.h5"),
        group_(group),
        observer_(observer),
        rank_(group.rank()),
        ranks_(group.size()) {}

  TrainOutcome run();

 private:
  void start();
  void epoch(int e);
  std::vector<datasets::RowRange> slices(Eigen::Index batches) const;
  void train_batch(datasets::BatchStream& stream, const std::vector<Eigen::Index>& order);
  void align_on_global_batch(const std::vector<Eigen::Index>& order);
  bool pause_due() const { return o_.max_steps > 0 && session_steps_ >= o_.max_steps; }
  void end_epoch(int e, double seconds);
  void checkpoint(const std::string& status);
  void sample_alignment(const Mat<T>& x, const Eigen::VectorXi& y);
  void start_feedback();
  EpochRecord finish_epoch(int e, double seconds);
  void record_settling(int e);
  void count_clipped();
  BatchResult evaluate(const datasets::BatchSource& set);
  TrainOutcome diverged(const Divergence& d);
  TrainOutcome end(TrainOutcome outcome);

  const Config& c_;
  const TrainOptions& o_;
  const datasets::SourceSplit& data_;
  fs::path file_;
  ReplicaGroup& group_;
  const TrainObserver& observer_;
  RunRecord run_;
  std::unique_ptr<Engine<T>> engine_;
  long long session_steps_ = 0;
  bool paused_ = false;
  int rank_, ranks_;  // data-parallel: this slice of each batch
  datasets::Features features_;
  Mat<T> x_;
  Eigen::VectorXi y_;
};

template <class T>
void Trainer<T>::start() {
  const int input = static_cast<int>(data_.train->features());
  Network<double> net = build_network(c_, input, data_.train->classes());
  if (o_.resume) {
    const long long N = static_cast<long long>(data_.train->size()), B = c_.learning.batch_size;
    const RunExpectation expected{&net, c_.learning.optimizer, (N + B - 1) / B, B};
    run_ = read_run_file(file_, &expected);
    check_resumable(c_, run_, file_);
    // The stored weights, checked against the configured shapes; wiring stays the configured one.
    for (int l = 1; l <= net.depth(); ++l) {
      net.layer(l).in.W = run_.weights.layer(l).in.W;
      net.layer(l).in.b = run_.weights.layer(l).in.b;
      net.layer(l).in.dann = run_.weights.layer(l).in.dann;  // network.dale dann: what learns
    }
  } else {
    for (int l = 2; l <= net.depth(); ++l) {
      if (OrthogonalityRegulariser<double>::applies(net, l)) run_.ortho_layers.push_back(l);
    }
    if (c_.network.dale != "off") run_.progress.clipped_synapses.assign(net.depth(), 0);
  }
  for (const auto& layer : net.layers) run_.records_clipped |= layer.f->bounded();
  run_.config_yaml = c_.to_yaml();
  run_.precision = c_.learning.precision;
  engine_ = std::make_unique<Engine<T>>(net.template cast<T>(), c_.learning,
                                        feedback_seed(c_.network), c_.dynamics, c_.feedback);
  engine_->optimizer().set_state(run_.optimizer);
  engine_->set_noise({c_.noise.rate_std, static_cast<std::uint64_t>(c_.network.seed),
                      static_cast<std::uint64_t>(c_.noise.seed),
                      static_cast<std::uint64_t>(rank_)});
  if (engine_->learned_feedback()) start_feedback();
  engine_->set_reducer(group_.reducer(static_cast<T*>(nullptr)));
}

// Learned feedback: each replica would learn its own Q_l from its slice, so it trains alone;
// a resumed run continues from the stored Q_l, c_l and feedback step count.
template <class T>
void Trainer<T>::start_feedback() {
  if (ranks_ > 1) {
    throw ConfigError("feedback.mode = learned trains in one process: expected 1 replica, got " +
                      std::to_string(ranks_));
  }
  if (!o_.resume) return;
  const FeedbackState& st = run_.feedback_state;
  if (!st.learned()) throw RunFileError(file_.string() + ": /state/feedback: missing group");
  LearnedFeedback<T>& fb = *engine_->learned_feedback();
  for (int l = 2; l <= engine_->network().depth(); ++l) {
    fb.Q[l] = st.Q[l].template cast<T>();
    fb.c[l] = st.c[l].template cast<T>();
  }
  engine_->feedback_plasticity()->set_steps(st.steps);
}

template <class T>
void Trainer<T>::checkpoint(const std::string& status) {
  run_.status = status;
  run_.weights = engine_->network().template cast<double>();
  run_.optimizer = engine_->optimizer().state();
  if (const LearnedFeedback<T>* fb = engine_->learned_feedback()) {
    FeedbackState& st = run_.feedback_state;
    st.steps = engine_->feedback_plasticity()->steps();
    st.Q.assign(fb->Q.size(), Mat<double>());
    st.c.assign(fb->c.size(), RowVec<double>());
    for (int l = 2; l <= fb->depth(); ++l) {
      st.Q[l] = fb->Q[l].template cast<double>();
      st.c[l] = fb->c[l].template cast<double>();
    }
  }
  if (rank_ == 0) write_run_file(file_, run_);
}

template <class T>
void Trainer<T>::sample_alignment(const Mat<T>& x, const Eigen::VectorXi& y) {
  const SettlingStats training = engine_->phases().stats();  // alignment batches not counted
  const auto result = measure_alignment(*engine_, x, y);
  engine_->phases().set_stats(training);
  AlignmentRecord rec{run_.progress.step, {}, {}};
  for (const auto& layer : result.layers) {
    rec.cosine.push_back(layer.cosine);
    rec.angle_deg.push_back(layer.angle_deg);
  }
  run_.alignment.push_back(rec);
  if (const LearnedFeedback<T>* fb = engine_->learned_feedback()) {
    FeedbackRecord f{run_.progress.step, {}, {}};
    const auto& loss = engine_->feedback_plasticity()->last_loss();
    for (int l = 2; l <= fb->depth(); ++l) {
      f.inverse_error.push_back(fb->inverse_error(engine_->network(), l));
      f.reconstruction_loss.push_back(
          l < static_cast<int>(loss.size()) ? loss[l] : std::numeric_limits<double>::quiet_NaN());
    }
    run_.feedback.push_back(std::move(f));
  }
}

template <class T>
BatchResult Trainer<T>::evaluate(const datasets::BatchSource& set) {
  constexpr Eigen::Index kChunk = 1000;
  const auto n = static_cast<Eigen::Index>(set.size());
  std::vector<Eigen::Index> order(set.size());
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::vector<datasets::RowRange> chunks;
  for (Eigen::Index begin = 0; begin < n; begin += kChunk) {
    chunks.push_back({begin, std::min(begin + kChunk, n)});
  }
  datasets::BatchStream stream(set, std::move(order), std::move(chunks));
  BatchResult total;
  datasets::Features features;
  Mat<T> x;
  Eigen::VectorXi y;
  while (stream.next(features, y)) {
    x = features.cast<T>();
    const BatchResult r = engine_->evaluate(x, y);
    total.loss_sum += r.loss_sum;
    total.correct += r.correct;
    total.top5 += r.top5;
    total.samples += r.samples;
  }
  return total;
}

template <class T>
EpochRecord Trainer<T>::finish_epoch(int e, double seconds) {
  const auto& p = run_.progress;
  const BatchResult test = evaluate(*data_.test);
  const double n = double(std::max<long long>(test.samples, 1));
  EpochRecord rec{e + 1,
                  p.loss_sum / double(p.seen),
                  double(p.correct) / double(p.seen),
                  test.loss_sum / n,
                  double(test.correct) / n,
                  double(test.top5) / n,
                  seconds,
                  {},
                  {},
                  {}};
  if (!reports_top5(engine_->network().classes))
    rec.test_top5 = std::numeric_limits<double>::quiet_NaN();
  for (int l : run_.ortho_layers) {
    rec.ortho_error.push_back(OrthogonalityRegulariser<T>::error(engine_->network().layer(l).in.W));
  }
  rec.clipped_synapses = p.clipped_synapses;
  if (run_.records_clipped) {
    rec.clipped_units = p.clipped_units;
    rec.clipped_units.resize(static_cast<std::size_t>(engine_->network().depth()), 0);
  }
  return rec;
}

// This process's part of every remaining batch of the epoch.
template <class T>
std::vector<datasets::RowRange> Trainer<T>::slices(Eigen::Index batches) const {
  const auto N = static_cast<Eigen::Index>(data_.train->size());
  const Eigen::Index B = c_.learning.batch_size;
  std::vector<datasets::RowRange> parts;
  for (Eigen::Index b = run_.progress.batch; b < batches; ++b) {
    const Eigen::Index begin = b * B, n = std::min<Eigen::Index>(N, (b + 1) * B) - begin;
    parts.push_back({begin + n * rank_ / ranks_, begin + n * (rank_ + 1) / ranks_});
  }
  return parts;
}

// The angle is measured on the whole global batch, not this process's slice.
template <class T>
void Trainer<T>::align_on_global_batch(const std::vector<Eigen::Index>& order) {
  const auto N = static_cast<Eigen::Index>(data_.train->size());
  const Eigen::Index B = c_.learning.batch_size, b = run_.progress.batch;
  Mat<T> x;
  Eigen::VectorXi y;
  gather(*data_.train, order, b * B, std::min<Eigen::Index>(N, (b + 1) * B), x, y);
  sample_alignment(x, y);
}

// One optimiser step on this process's slice of the next batch (after the angle to BP, when
// one is due at this step).
template <class T>
void Trainer<T>::train_batch(datasets::BatchStream& stream,
                             const std::vector<Eigen::Index>& order) {
  auto& p = run_.progress;
  const bool align = c_.output.align_every > 0 && p.step % c_.output.align_every == 0;
  engine_->set_noise_step(p.step);  // the alignment sample and the step draw the same noise
  if (align && rank_ == 0 && ranks_ > 1) align_on_global_batch(order);
  [[maybe_unused]] const bool delivered = stream.next(features_, y_);
  assert(delivered);
  x_ = features_.cast<T>();
  if (align && ranks_ == 1) sample_alignment(x_, y_);
  const BatchResult r = engine_->step(x_, y_);
  p.loss_sum += r.loss_sum;
  p.correct += r.correct;
  p.seen += r.samples;
  for (std::size_t l = 0; l < p.clipped_synapses.size(); ++l) {
    p.clipped_synapses[l] += engine_->clipped_synapses()[l + 1];
  }
  if (run_.records_clipped) count_clipped();
  ++p.step;
  ++p.batch;
  ++session_steps_;
  notify(observer_.batch_done, p.batch, p.loss_sum / double(p.seen),
         double(p.correct) / double(p.seen));
}

// Adds the step's clipped nudged activities (this process's slice) to the epoch's counts.
template <class T>
void Trainer<T>::count_clipped() {
  auto& counts = run_.progress.clipped_units;
  const int L = engine_->network().depth();
  counts.resize(static_cast<std::size_t>(L), 0);
  const auto& clipped = engine_->signals().clipped;
  for (int l = 1; l <= L && l < static_cast<int>(clipped.size()); ++l) counts[l - 1] += clipped[l];
}

template <class T>
void Trainer<T>::epoch(int e) {
  auto& p = run_.progress;
  const auto N = static_cast<Eigen::Index>(data_.train->size());
  const Eigen::Index B = c_.learning.batch_size;
  const Eigen::Index batches = (N + B - 1) / B;
  const auto order = epoch_order(N, static_cast<std::uint64_t>(c_.network.seed), e);
  // Read ahead on a background thread.
  datasets::BatchStream stream(*data_.train, order, slices(batches));
  notify(observer_.epoch_started, e, static_cast<long long>(batches), p.batch);
  const auto t0 = std::chrono::steady_clock::now();
  engine_->phases().reset_stats();
  engine_->set_forward_learning(!engine_->learned_feedback() || e >= c_.feedback.warmup_epochs);
  while (p.batch < batches) {
    train_batch(stream, order);
    if (p.batch == batches) break;
    if (pause_due()) {
      paused_ = true;
      notify(observer_.batches_stopped);
      return;
    }
    if (c_.output.checkpoint_every > 0 && p.step % c_.output.checkpoint_every == 0) {
      checkpoint("running");
    }
  }
  notify(observer_.batches_stopped);
  end_epoch(e, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

template <class T>
void Trainer<T>::end_epoch(int e, double seconds) {
  auto& p = run_.progress;
  const EpochRecord rec = finish_epoch(e, seconds);
  run_.epochs.push_back(rec);
  const bool settle = c_.dynamics.mode == "settle";
  if (settle) record_settling(e);
  p = {e + 1, 0, p.step, 0, 0, 0, std::vector<long long>(p.clipped_synapses.size(), 0), {}};
  notify(observer_.epoch_done, rec, settle ? &run_.settling.back() : nullptr);
}

template <class T>
void Trainer<T>::record_settling(int e) {
  const SettlingStats& s = engine_->phases().stats();
  SettlingRecord r;
  r.epoch = e + 1;
  r.free_steps_mean = s.free.steps_mean();
  r.free_steps_max = s.free.steps_max;
  r.free_time_ms_mean = s.free.time_mean();
  r.free_time_ms_max = s.free.time_max;
  r.free_not_converged = double(s.free.not_converged);
  r.target_steps_mean = s.target.steps_mean();
  r.target_steps_max = s.target.steps_max;
  r.target_time_ms_mean = s.target.time_mean();
  r.target_time_ms_max = s.target.time_max;
  r.target_not_converged = double(s.target.not_converged);
  run_.settling.push_back(r);
}

template <class T>
TrainOutcome Trainer<T>::diverged(const Divergence& d) {
  const auto& p = run_.progress;
  TrainEnd ended;
  ended.outcome = TrainOutcome::kDiverged;
  ended.file = file_;
  ended.session_steps = session_steps_;
  ended.epoch = p.epoch + 1;
  ended.step = p.step + 1;
  ended.reason = d.what();
  // Only rank 0 writes the run file.
  if (rank_ == 0 && fs::exists(file_)) {
    mark_run_file(file_, "diverged", "step " + std::to_string(p.step + 1) + ": " + d.what());
    ended.checkpoint_kept = true;
  }
  notify(observer_.ended, ended);
  return TrainOutcome::kDiverged;
}

template <class T>
TrainOutcome Trainer<T>::end(TrainOutcome outcome) {
  checkpoint(outcome == TrainOutcome::kPaused ? "paused" : "complete");
  TrainEnd ended;
  ended.outcome = outcome;
  ended.file = file_;
  ended.session_steps = session_steps_;
  ended.test_accuracy = run_.epochs.empty() ? 0.0 : run_.epochs.back().test_accuracy;
  notify(observer_.ended, ended);
  return outcome;
}

template <class T>
TrainOutcome Trainer<T>::run() {
  start();
  if (!o_.resume) checkpoint("running");
  try {
    for (int e = run_.progress.epoch; e < c_.learning.epochs && !paused_; ++e) {
      paused_ = pause_due();
      if (paused_) break;
      epoch(e);
      if (!paused_) checkpoint("running");
    }
  } catch (const Divergence& d) {
    return diverged(d);
  } catch (const IllConditionedLayer& e) {
    // Weights blown up (e.g. by a huge learning rate) until a layer cannot be inverted: the run
    // ends like a non-finite loss, as resuming it would fail at the same step again.
    return diverged(Divergence(e.what()));
  }
  return end(paused_ ? TrainOutcome::kPaused : TrainOutcome::kComplete);
}

// Whether the run folder holds anything besides its lock file (temporary files of killed
// writers are deleted first, under the lock).
bool holds_output(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!DirLock::is_lock_file(entry.path())) return true;
  }
  return false;
}

// Locks the run folder for this process's lifetime (rank 0, the writer; the others only
// check) and refuses what would lose a result. The old run of --force stays until the first
// checkpoint of the new one replaces it atomically, so a run that fails early loses nothing.
std::optional<DirLock> prepare_run_dir(const TrainOptions& o, bool writer,
                                       const TrainObserver& observer) {
  const fs::path file = o.out_dir / "run.h5";
  if (o.resume && !fs::exists(file)) {
    throw ConfigError(file.string() + ": nothing to resume (no run file)");
  }
  if (!writer) return std::nullopt;
  fs::create_directories(o.out_dir);
  std::optional<DirLock> lock(std::in_place, o.out_dir);
  if (const int n = h5::remove_stale_temps(file)) notify(observer.removed_temps, n, file);
  if (!o.resume && !o.force && holds_output(o.out_dir)) {
    throw ConfigError("output folder " + o.out_dir.string() +
                      " already holds a run; use --resume to continue it or --force to replace "
                      "it");
  }
  return lock;
}

// An error on one replica of a group that the others cannot see: reported, then the whole
// group ends (the others would wait for this one forever).
[[noreturn]] void end_group(ReplicaGroup& group, const TrainObserver& observer,
                            const std::exception& e, bool setup) {
  assert(observer.replica_failed);
  group.abort(observer.replica_failed(e, setup));
  std::abort();  // not reached: ReplicaGroup::abort does not return
}

}  // namespace

fs::path default_run_dir(const Config& c) {
  if (!c.output.dir.empty()) return c.output.dir;
  return fs::path("runs") / (c.name.empty() ? "run" : c.name);
}

TrainOutcome train(const Config& config, const TrainOptions& options, ReplicaGroup& group,
                   const TrainObserver& observer) {
  // With several replicas every one takes its slice of each batch; only rank 0 writes the run
  // file.
  const datasets::SourceSplit data = open_data(config);
  network_shape(config, static_cast<int>(data.train->features()), data.train->classes());
  check_replica_slices(config, data.train->size(), group.size());
  std::optional<DirLock> lock;
  try {
    lock = prepare_run_dir(options, group.rank() == 0, observer);
  } catch (const std::exception& e) {
    if (group.size() == 1) throw;
    end_group(group, observer, e, true);  // only rank 0 checks the folder
  }
  group.barrier();
  notify(observer.started, TrainStart{data.train->size(), data.test->size(), group.size()});
  try {
    return with_precision(config.learning, [&]<class T>() {
      return Trainer<T>(config, options, data, group, observer).run();
    });
  } catch (const std::exception& e) {
    if (group.size() == 1) throw;
    end_group(group, observer, e, false);
  }
}

}  // namespace gaitsim
