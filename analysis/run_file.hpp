#pragma once
// Everything a training run has produced so far: the run file's content. The run file is also
// the checkpoint: it is rewritten atomically (temp + rename) at each checkpoint, so a killed run
// leaves the last complete one, and --resume continues from it.
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/h5_file.hpp"
#include "neurons/network.hpp"
#include "plasticity/optimizer.hpp"

namespace gaitsim {

struct EpochRecord {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0;
  double test_loss = 0, test_accuracy = 0;
  double test_top5 = std::numeric_limits<double>::quiet_NaN();  // when reports_top5(classes)
  double seconds = 0;                                           // wall time of the epoch [s]
  std::vector<double> ortho_error;          // ||W W^T - I||_F per regularised layer
  std::vector<long long> clipped_synapses;  // network.dale: per layer 1..L, summed [count]
  // Nudged activities clipped into the range of a bounded f, per layer 1..L, summed over the
  // epoch's steps (RunRecord::records_clipped) [count]
  std::vector<long long> clipped_units;
};

struct AlignmentRecord {
  long long step = 0;
  std::vector<double> cosine;     // per layer 1..L
  std::vector<double> angle_deg;  // per layer 1..L [deg]
};

// Settling statistics of one epoch (dynamics.mode = settle): accepted integrator steps and time
// to converge per batch, mean and max, per phase; batches whose phase did not converge.
struct SettlingRecord {
  int epoch = 0;  // 1-based
  double free_steps_mean = 0, free_steps_max = 0, free_time_ms_mean = 0, free_time_ms_max = 0;
  double target_steps_mean = 0, target_steps_max = 0, target_time_ms_mean = 0,
         target_time_ms_max = 0;
  double free_not_converged = 0, target_not_converged = 0;  // batches [count]
};

// The learned feedback pathway sampled every output.align_every steps (feedback.mode learned):
// per inverted layer 2..L, ||Q_l W_l - I||_F / sqrt(n_l) and the last reconstruction loss.
struct FeedbackRecord {
  long long step = 0;
  std::vector<double> inverse_error;        // per layer 2..L [1]
  std::vector<double> reconstruction_loss;  // per layer 2..L [rate^2]
};

// The learned feedback weights and their (SGD) optimiser state, for --resume; empty Q in exact
// mode (then nothing is written).
struct FeedbackState {
  long long steps = 0;            // feedback updates so far (seeds their noise)
  std::vector<Mat<double>> Q;     // Q[l]: n_l x k_l for l = 2..L
  std::vector<RowVec<double>> c;  // c[l]: k_l
  bool learned() const { return !Q.empty(); }
};

// Where training stands: the epoch in progress and the metrics accumulated in it.
struct TrainingProgress {
  int epoch = 0;        // epochs completed
  long long batch = 0;  // batches completed in the current epoch
  long long step = 0;   // optimiser steps in total
  double loss_sum = 0;  // current epoch, over the samples seen
  long long correct = 0, seen = 0;
  std::vector<long long> clipped_synapses;  // network.dale: current epoch, per layer 1..L [count]
  std::vector<long long> clipped_units;  // current epoch, per layer 1..L (records_clipped) [count]
};

struct RunRecord {
  std::string config_yaml;         // the resolved config
  std::string status = "running";  // running | paused | complete | diverged
  std::string precision = "float64";
  std::vector<EpochRecord> epochs;
  std::vector<AlignmentRecord> alignment;
  std::vector<SettlingRecord> settling;  // one per epoch; empty in algebraic mode
  std::vector<int> ortho_layers;         // layers whose orthogonality error is logged
  // Some layer's f is bounded (softplus, logistic): clipped nudged activities are counted, in
  // /constraints/clipped_units and /state/clipped_units
  bool records_clipped = false;
  TrainingProgress progress;
  OptimizerState optimizer;
  Network<double> weights;
  std::vector<FeedbackRecord> feedback;  // feedback.mode learned; empty otherwise
  FeedbackState feedback_state;          // feedback.mode learned; empty otherwise
};

// What a configured run implies about its run file (--resume): read_run_file then checks the
// stored weights, optimiser moments and progress against it, not only against the file's schema.
struct RunExpectation {
  const Network<double>* net = nullptr;  // the configured network: shapes of W and b
  std::string optimizer;                 // adam | sgd: which moments are stored
  long long batches_per_epoch = 0;       // [count]
  long long batch_size = 0;              // [samples]
};

// A run file that does not hold what docs/file-formats.md says: names the file, the object and
// what was expected.
class RunFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The schema details the writer and the reader share (docs/file-formats.md).
// Fields of /state/progress, in order; the attribute progress_fields lists them.
const std::vector<std::string>& progress_fields();
// Shape of the stored optimiser moment `name` (e.g. "m/b/3") of a tensor of rows x cols.
std::vector<hsize_t> moment_shape(const std::string& name, Eigen::Index rows, Eigen::Index cols);

// Writes `path` atomically: the old file stays whole until the new one is complete.
void write_run_file(const std::filesystem::path& path, const RunRecord& run);
// Checks the file against its schema (format, version, status, shapes and lengths, ranges) and,
// when given, against `expected`, before anything is used; RunFileError otherwise.
RunRecord read_run_file(const std::filesystem::path& path,
                        const RunExpectation* expected = nullptr);

// Loads the weights of a run file or checkpoint into `net`; throws std::runtime_error naming the
// file and layer when shapes differ.
void load_weights(const std::filesystem::path& path, Network<double>& net);

// Attributes of a layer group naming its f: activation, slope, and the parameter of its kind
// (softplus: beta, logistic: rate_max; absent for the others).
void write_transfer(h5::File& f, const std::string& path, const TransferParams& transfer);

// Attributes of a layer group saying how its W connects: wiring = "dense", or "conv" with
// in_channels, in_height, in_width, in_layout, kernel, stride, channels (conv_wiring.hpp).
void write_wiring(h5::File& f, const std::string& path, const Wiring* wiring);

// Marks an existing run file's status (e.g. "diverged"), keeping its content; atomically, like
// write_run_file.
void mark_run_file(const std::filesystem::path& path, const std::string& status,
                   const std::string& detail);

}  // namespace gaitsim
