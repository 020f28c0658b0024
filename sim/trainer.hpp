#pragma once
// Training: epochs of mini-batch learning with per-epoch metrics, angle to BP, orthogonality
// error, atomic checkpoints in the run file, resumption and divergence handling. The trainer
// prints nothing: what it has to say leaves through a TrainObserver (the CLI's fills a progress
// bar and writes lines on stdout), and it trains alone or with the replicas of a ReplicaGroup.
#include <exception>
#include <filesystem>
#include <functional>
#include <string>

#include "sim/config.hpp"
#include "sim/replica_group.hpp"
#include "analysis/run_file.hpp"

namespace gaitsim {

struct TrainOptions {
  std::filesystem::path out_dir;  // the run folder; holds run.h5
  bool resume = false;            // continue from out_dir/run.h5
  bool force = false;             // replace an existing run
  long long max_steps = 0;        // stop (paused, resumable) after this many steps; 0 = no limit
};

// How a training session ended (errors are thrown).
enum class TrainOutcome { kComplete, kPaused, kDiverged };

// The training about to start, once data and run folder are ready.
struct TrainStart {
  std::size_t train_examples = 0, test_examples = 0;
  int replicas = 1;  // processes sharing every batch
};

// Where training stopped or diverged.
struct TrainEnd {
  TrainOutcome outcome = TrainOutcome::kComplete;
  std::filesystem::path file;   // the run file
  long long session_steps = 0;  // steps of this session
  double test_accuracy = 0;     // of the last epoch (0 when none ran)
  // kDiverged: the failed step (1-based) and epoch, why, whether a checkpoint was kept.
  int epoch = 0;
  long long step = 0;
  std::string reason;
  bool checkpoint_kept = false;
};

// What the trainer reports. Every member may be empty (nothing reported). Epochs are 0-based.
struct TrainObserver {
  // n temporary files of a killed writer were removed beside `file` (rank 0).
  std::function<void(int n, const std::filesystem::path& file)> removed_temps;
  std::function<void(const TrainStart&)> started;
  // An epoch's batches begin; `done` of `batches` were finished before (a resumed epoch).
  std::function<void(int epoch, long long batches, long long done)> epoch_started;
  // `done` batches of the epoch finished; running loss and accuracy of the epoch so far.
  std::function<void(long long done, double loss, double accuracy)> batch_done;
  // The epoch's batches stopped (all done, or paused).
  std::function<void()> batches_stopped;
  // An epoch finished: its metrics, and its settling statistics in settle mode (else null).
  std::function<void(const EpochRecord&, const SettlingRecord*)> epoch_done;
  // Training ended (complete, paused or diverged; every rank hears of a divergence).
  std::function<void(const TrainEnd&)> ended;
  // This replica failed where the others cannot see it (a group of several): report it and
  // return the exit code with which the group is then ended. setup: while preparing the run
  // folder (rank 0), else during training.
  std::function<int(const std::exception& e, bool setup)> replica_failed;
};

// Trains as `config` says with the replicas of `group` (a plain ReplicaGroup{} trains alone).
// Throws ConfigError for bad configs and folders, other exceptions for failures.
TrainOutcome train(const Config& config, const TrainOptions& options, ReplicaGroup& group,
                   const TrainObserver& observer);

// The output folder of a config: output.dir, else runs/<config name>.
std::filesystem::path default_run_dir(const Config& config);

}  // namespace gaitsim
