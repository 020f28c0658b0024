#pragma once
// What `gaitsim train` shows while the trainer runs: a progress bar per epoch on stderr, a line
// per epoch on stdout, the end of the run, and errors of one process of a data-parallel job.
#include <optional>

#include "sim/cli/progress_bar.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

class TrainPrinter {
 public:
  // rank: this process in its data-parallel job (its stdout is /dev/null when > 0).
  TrainPrinter(const Config& config, const TrainOptions& options, int rank);
  TrainPrinter(const TrainPrinter&) = delete;  // the observer points at this printer
  TrainPrinter& operator=(const TrainPrinter&) = delete;
  // The observer to hand to train(); valid while this printer lives.
  const TrainObserver& observer() const { return observer_; }

 private:
  void started(const TrainStart& s) const;
  void epoch_done(const EpochRecord& rec, const SettlingRecord* settling) const;
  void ended(const TrainEnd& end) const;
  int replica_failed(const std::exception& e, bool setup) const;

  const Config& config_;
  const TrainOptions& options_;
  int rank_;
  std::optional<ProgressBar> bar_;
  TrainObserver observer_;
};

}  // namespace gaitsim
