#include "sim/cli/train_printer.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

TrainPrinter::TrainPrinter(const Config& config, const TrainOptions& options, int rank)
    : config_(config), options_(options), rank_(rank) {
  observer_.removed_temps = [](int n, const std::filesystem::path& file) {
    std::printf("removed %d temporary file%s of an earlier process killed while writing %s\n", n,
                n == 1 ? "" : "s", file.c_str());
  };
  observer_.started = [this](const TrainStart& s) { started(s); };
  observer_.epoch_started = [this](int e, long long batches, long long done) {
    bar_.emplace("epoch " + std::to_string(e + 1) + "/" + std::to_string(config_.learning.epochs),
                 batches, config_.output.progress, done);
  };
  observer_.batch_done = [this](long long done, double loss, double accuracy) {
    char status[64];
    std::snprintf(status, sizeof status, "loss %.4f acc %.4f", loss, accuracy);
    bar_->update(done, status);
  };
  observer_.batches_stopped = [this] { bar_->finish(); };
  observer_.epoch_done = [this](const EpochRecord& rec, const SettlingRecord* settling) {
    epoch_done(rec, settling);
  };
  observer_.ended = [this](const TrainEnd& end) { ended(end); };
  observer_.replica_failed = [this](const std::exception& e, bool setup) {
    return replica_failed(e, setup);
  };
}

void TrainPrinter::started(const TrainStart& s) const {
  const Config& c = config_;
  std::printf("training %s on %s (%zu train, %zu test examples), %s, run folder %s\n",
              c.learning.algorithm.c_str(), c.data.dataset.c_str(), s.train_examples,
              s.test_examples, c.learning.precision.c_str(), options_.out_dir.c_str());
  if (s.replicas > 1) {
    std::printf("data-parallel on %d processes: each takes 1/%d of every batch of %d\n", s.replicas,
                s.replicas, c.learning.batch_size);
  }
  std::fflush(stdout);
}

void TrainPrinter::epoch_done(const EpochRecord& rec, const SettlingRecord* settling) const {
  std::printf("epoch %d/%d: train loss %.4f acc %.4f | test loss %.4f acc %.4f", rec.epoch,
              config_.learning.epochs, rec.train_loss, rec.train_accuracy, rec.test_loss,
              rec.test_accuracy);
  if (!std::isnan(rec.test_top5)) std::printf(" top5 %.4f", rec.test_top5);  // reports_top5
  std::printf(" | %s\n", format_duration(rec.seconds).c_str());
  if (settling != nullptr) {
    const SettlingRecord& s = *settling;
    std::printf(
        "  settling: free %.1f steps (max %.0f), %.1f ms (max %.1f) | target %.1f steps "
        "(max %.0f), %.1f ms (max %.1f)\n",
        s.free_steps_mean, s.free_steps_max, s.free_time_ms_mean, s.free_time_ms_max,
        s.target_steps_mean, s.target_steps_max, s.target_time_ms_mean, s.target_time_ms_max);
  }
  std::fflush(stdout);
}

void TrainPrinter::ended(const TrainEnd& end) const {
  const char* file = end.file.c_str();
  switch (end.outcome) {
    case TrainOutcome::kDiverged:
      std::cerr << "\nerror: training diverged at epoch " << end.epoch << ", step " << end.step
                << " (" << end.reason << "); the step was not applied.\n";
      if (rank_ != 0) return;
      if (end.checkpoint_kept) {
        std::cerr << "last good checkpoint kept: " << end.file.string() << '\n';
      } else {
        std::cerr << "no checkpoint had been written yet\n";
      }
      return;
    case TrainOutcome::kPaused:
      std::printf("paused after %lld steps (resume with --resume)\nrun file: %s\n",
                  end.session_steps, file);
      return;
    case TrainOutcome::kComplete:
      std::printf("test accuracy: %.4f\nrun file: %s\n", end.test_accuracy, file);
      return;
  }
}

int TrainPrinter::replica_failed(const std::exception& e, bool setup) const {
  if (setup) {
    std::cerr << "error: " << e.what() << '\n';
    return dynamic_cast<const ConfigError*>(&e) ? kUsage : kFailure;
  }
  std::cerr << "error on rank " << rank_ << ": " << e.what() << '\n';
  return kFailure;
}

}  // namespace gaitsim
