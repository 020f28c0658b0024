#include "sim/trainer.hpp"

#include <cassert>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <optional>

#include "analysis/atomic_file.hpp"
#include "analysis/dir_lock.hpp"
#include "datasets/batch_stream.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/alignment.hpp"
#include "sim/batches.hpp"
#include "sim/data_parallel.hpp"
#include "sim/engine.hpp"
#include "sim/mpi_comm.hpp"
#include "sim/network_builder.hpp"
#include "sim/progress_bar.hpp"
#include "sim/run_record.hpp"

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

template <class T>
class Trainer {
 public:
  Trainer(const Config& c, const TrainOptions& o, const datasets::SourceSplit& data,
          mpi::Context& comm)
      : c_(c),
        o_(o),
        data_(data),
        file_(o.out_dir / "run.h5"),
        rank_(comm.rank()),
        ranks_(comm.size()),
        reducer_(comm) {}

  int run();

 private:
  void start();
  void epoch(int e);
  void checkpoint(const std::string& status);
  void sample_alignment(const Mat<T>& x, const Eigen::VectorXi& y);
  EpochRecord finish_epoch(int e, double seconds);
  void record_settling(int e);
  BatchResult evaluate(const datasets::BatchSource& set);
  int diverged(const Divergence& d);

  const Config& c_;
  const TrainOptions& o_;
  const datasets::SourceSplit& data_;
  fs::path file_;
  RunRecord run_;
  std::unique_ptr<Engine<T>> engine_;
  long long session_steps_ = 0;
  bool paused_ = false;
  int rank_, ranks_;  // data-parallel: this slice of each batch
  DataParallelReducer<T> reducer_;
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
    }
  } else {
    for (int l = 2; l <= net.depth(); ++l) {
      if (OrthogonalityRegulariser<double>::applies(net, l)) run_.ortho_layers.push_back(l);
    }
  }
  run_.config_yaml = c_.to_yaml();
  run_.precision = c_.learning.precision;
  engine_ = std::make_unique<Engine<T>>(net.template cast<T>(), c_.learning,
                                        feedback_seed(c_.network), c_.dynamics);
  engine_->optimizer().set_state(run_.optimizer);
  if (ranks_ > 1) engine_->set_reducer(&reducer_);
}

template <class T>
void Trainer<T>::checkpoint(const std::string& status) {
  run_.status = status;
  run_.weights = engine_->network().template cast<double>();
  run_.optimizer = engine_->optimizer().state();
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
                  {}};
  if (!reports_top5(engine_->network().classes))
    rec.test_top5 = std::numeric_limits<double>::quiet_NaN();
  for (int l : run_.ortho_layers) {
    rec.ortho_error.push_back(OrthogonalityRegulariser<T>::error(engine_->network().layer(l).in.W));
  }
  return rec;
}

template <class T>
void Trainer<T>::epoch(int e) {
  auto& p = run_.progress;
  const auto N = static_cast<Eigen::Index>(data_.train->size());
  const Eigen::Index B = c_.learning.batch_size;
  const Eigen::Index batches = (N + B - 1) / B;
  const auto order = epoch_order(N, static_cast<std::uint64_t>(c_.network.seed), e);
  // This process's part of every remaining batch, read ahead on a background thread.
  std::vector<datasets::RowRange> parts;
  for (Eigen::Index b = p.batch; b < batches; ++b) {
    const Eigen::Index begin = b * B, n = std::min<Eigen::Index>(N, (b + 1) * B) - begin;
    parts.push_back({begin + n * rank_ / ranks_, begin + n * (rank_ + 1) / ranks_});
  }
  datasets::BatchStream stream(*data_.train, order, std::move(parts));
  ProgressBar bar("epoch " + std::to_string(e + 1) + "/" + std::to_string(c_.learning.epochs),
                  batches, c_.output.progress, p.batch);
  const auto t0 = std::chrono::steady_clock::now();
  engine_->phases().reset_stats();
  datasets::Features features;
  Mat<T> x;
  Eigen::VectorXi y;
  while (p.batch < batches) {
    const Eigen::Index begin = p.batch * B, end = std::min<Eigen::Index>(N, (p.batch + 1) * B);
    const bool align = c_.output.align_every > 0 && p.step % c_.output.align_every == 0;
    if (align && rank_ == 0 && ranks_ > 1) {
      // The angle is measured on the whole global batch, not this process's slice.
      gather(*data_.train, order, begin, end, x, y);
      sample_alignment(x, y);
    }
    [[maybe_unused]] const bool delivered = stream.next(features, y);  // this process's slice
    assert(delivered);
    x = features.cast<T>();
    if (align && ranks_ == 1) sample_alignment(x, y);
    const BatchResult r = engine_->step(x, y);
    p.loss_sum += r.loss_sum;
    p.correct += r.correct;
    p.seen += r.samples;
    ++p.step;
    ++p.batch;
    ++session_steps_;
    char status[64];
    std::snprintf(status, sizeof status, "loss %.4f acc %.4f", p.loss_sum / double(p.seen),
                  double(p.correct) / double(p.seen));
    bar.update(p.batch, status);
    if (p.batch == batches) break;
    if (o_.max_steps > 0 && session_steps_ >= o_.max_steps) {
      paused_ = true;
      bar.finish();
      return;
    }
    if (c_.output.checkpoint_every > 0 && p.step % c_.output.checkpoint_every == 0) {
      checkpoint("running");
    }
  }
  bar.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const EpochRecord rec = finish_epoch(e, seconds);
  run_.epochs.push_back(rec);
  if (c_.dynamics.mode == "settle") record_settling(e);
  p = {e + 1, 0, p.step, 0, 0, 0};
  std::printf("epoch %d/%d: train loss %.4f acc %.4f | test loss %.4f acc %.4f", rec.epoch,
              c_.learning.epochs, rec.train_loss, rec.train_accuracy, rec.test_loss,
              rec.test_accuracy);
  if (reports_top5(engine_->network().classes)) std::printf(" top5 %.4f", rec.test_top5);
  std::printf(" | %s\n", format_duration(seconds).c_str());
  if (c_.dynamics.mode == "settle") {
    const SettlingRecord& s = run_.settling.back();
    std::printf(
        "  settling: free %.1f steps (max %.0f), %.1f ms (max %.1f) | target %.1f steps "
        "(max %.0f), %.1f ms (max %.1f)\n",
        s.free_steps_mean, s.free_steps_max, s.free_time_ms_mean, s.free_time_ms_max,
        s.target_steps_mean, s.target_steps_max, s.target_time_ms_mean, s.target_time_ms_max);
  }
  std::fflush(stdout);
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
int Trainer<T>::diverged(const Divergence& d) {
  const auto& p = run_.progress;
  std::cerr << "\nerror: training diverged at epoch " << p.epoch + 1 << ", step " << p.step + 1
            << " (" << d.what() << "); the step was not applied.\n";
  if (rank_ != 0) return kDiverged;
  if (fs::exists(file_)) {
    mark_run_file(file_, "diverged", "step " + std::to_string(p.step + 1) + ": " + d.what());
    std::cerr << "last good checkpoint kept: " << file_.string() << '\n';
  } else {
    std::cerr << "no checkpoint had been written yet\n";
  }
  return kDiverged;
}

template <class T>
int Trainer<T>::run() {
  start();
  if (!o_.resume) checkpoint("running");
  try {
    for (int e = run_.progress.epoch; e < c_.learning.epochs && !paused_; ++e) {
      paused_ = o_.max_steps > 0 && session_steps_ >= o_.max_steps;
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
  if (paused_) {
    checkpoint("paused");
    std::printf("paused after %lld steps (resume with --resume)\nrun file: %s\n", session_steps_,
                file_.string().c_str());
    return kOk;
  }
  checkpoint("complete");
  const double acc = run_.epochs.empty() ? 0.0 : run_.epochs.back().test_accuracy;
  std::printf("test accuracy: %.4f\nrun file: %s\n", acc, file_.string().c_str());
  return kOk;
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
std::optional<DirLock> prepare_run_dir(const TrainOptions& o, bool writer) {
  const fs::path file = o.out_dir / "run.h5";
  if (o.resume && !fs::exists(file)) {
    throw ConfigError(file.string() + ": nothing to resume (no run file)");
  }
  if (!writer) return std::nullopt;
  fs::create_directories(o.out_dir);
  std::optional<DirLock> lock(std::in_place, o.out_dir);
  if (const int n = h5::remove_stale_temps(file)) {
    std::printf("removed %d temporary file%s of an earlier process killed while writing %s\n", n,
                n == 1 ? "" : "s", file.c_str());
  }
  if (!o.resume && !o.force && holds_output(o.out_dir)) {
    throw ConfigError("output folder " + o.out_dir.string() +
                      " already holds a run; use --resume to continue it or --force to replace "
                      "it");
  }
  return lock;
}

}  // namespace

fs::path default_run_dir(const Config& c) {
  if (!c.output.dir.empty()) return c.output.dir;
  return fs::path("runs") / (c.name.empty() ? "run" : c.name);
}

int train(const Config& given, const TrainOptions& options) {
  // Under an MPI launcher with several processes: data-parallel training, every process takes
  // its slice of each batch; only rank 0 writes the run file and prints.
  mpi::Context comm;
  Config config = given;
  if (comm.rank() > 0) {
    config.output.progress = false;
    if (!std::freopen("/dev/null", "w", stdout)) return kFailure;
  }
  const datasets::SourceSplit data = open_data(config);
  network_shape(config, static_cast<int>(data.train->features()), data.train->classes());
  check_data_parallel(config, data.train->size(), comm.size());
  std::optional<DirLock> lock;
  try {
    lock = prepare_run_dir(options, comm.rank() == 0);
  } catch (const std::exception& e) {
    if (comm.size() == 1) throw;
    // Only rank 0 checks the folder: the others would wait for it forever.
    std::cerr << "error: " << e.what() << '\n';
    comm.abort(dynamic_cast<const ConfigError*>(&e) ? kUsage : kFailure);
  }
  comm.barrier();
  std::printf("training %s on %s (%zu train, %zu test examples), %s, run folder %s\n",
              config.learning.algorithm.c_str(), config.data.dataset.c_str(), data.train->size(),
              data.test->size(), config.learning.precision.c_str(), options.out_dir.c_str());
  if (comm.size() > 1) {
    std::printf("data-parallel on %d processes: each takes 1/%d of every batch of %d\n",
                comm.size(), comm.size(), config.learning.batch_size);
  }
  std::fflush(stdout);
  try {
    return with_precision(config.learning,
                          [&]<class T>() { return Trainer<T>(config, options, data, comm).run(); });
  } catch (const std::exception& e) {
    if (comm.size() == 1) throw;
    // The other processes would wait for this one forever: end the job.
    std::cerr << "error on rank " << comm.rank() << ": " << e.what() << '\n';
    comm.abort(kFailure);
  }
}

}  // namespace gaitsim
