#pragma once
// The experiment description: a YAML file plus --set overrides, checked against one schema
// (in config.cpp) that knows every key, its type, default, allowed values and help text.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace gaitsim {

struct DataConfig {
  std::string dataset = "mnist";  // mnist | fashion-mnist | kmnist | cifar10 | idx | imagenet
  std::string path;               // folder with the files; "" = data/<dataset>
  long long train_limit = 0;      // first N training examples, 0 = all [count]
  long long test_limit = 0;       // first N test examples, 0 = all [count]
  int resolution = 0;             // required image height and width, 0 = as stored [pixels]

  // The folder the files are read from: path, or data/<dataset> when path is empty.
  std::filesystem::path folder() const;
};

// One entry of network.layers (kind cnn): {conv: {filters, kernel, stride}} or {dense: {units}}.
struct LayerSpec {
  std::string kind = "conv";  // conv | dense
  int filters = 0;            // conv: channels passed on to the layer above [count]
  int kernel = 3;             // conv: side of the square receptive field [pixels]
  int stride = 1;             // conv: step between receptive fields [pixels]
  int units = 0;              // dense: units passed on (the output layer: the classes) [count]
};

// Limits of network sizes, far above any network that fits in memory, so that a typo'd width
// is refused by name instead of failing an allocation (docs/configs.md).
inline constexpr int kMaxHiddenLayers = 1024;        // network.hidden_layers [count]
inline constexpr long long kMaxWeights = 1LL << 31;  // all layers' W together [count]

struct NetworkConfig {
  std::string kind = "square";             // square | tower | dense | cnn
  std::vector<int> widths;                 // tower/dense: widths incl. input [count]
  std::vector<int> input;                  // cnn: input image [channels, height, width]
  std::vector<LayerSpec> layers;           // cnn: layers from the input up
  int hidden_layers = 4;                   // square: hidden layers k [count]
  std::string activation = "leaky_relu";   // hidden transfer function
  double slope = 0.1;                      // leaky-ReLU slope alpha [1]
  std::string output_activation = "same";  // output transfer function, "same" = activation
  double softplus_beta = 1.0;              // softplus sharpness beta [1/rate units]
  double rate_max = 1.0;                   // logistic saturation rate r_max [rate units]
  std::string init = "orthogonal";         // orthogonal | xavier
  long long seed = 1;                      // seed of weights, feedback and shuffling [1]
  // Synaptic constraints (biology.md 2, 3; neurons/connection_mask.hpp).
  double connection_prob = 1.0;  // probability that a synapse exists, fixed mask, 0 < p <= 1 [1]
  std::string dale = "off";      // Dale's principle: off | sign | dann
  // sign: fraction of presynaptic units inhibitory; dann: interneurons per unit of a layer,
  // n_I = ceil(fraction x n) (0.1 when unset under dann) [1]
  double inhibitory_fraction = 0.2;
};

struct LearningConfig {
  std::string algorithm = "gait";     // bp | gait | tp | fa
  std::string loss = "mse";           // mse | cross_entropy
  double gamma = 1e-3;                // nudge strength gamma, gamma_0 when adaptive [1]
  bool adaptive_gamma = false;        // per-sample normalised gamma (TMLR)
  double ortho_reg = 0.1;             // orthogonality strength lambda [1]
  std::string ortho_mode = "full";    // full | offdiag
  std::string optimizer = "adam";     // adam | sgd
  double learning_rate = 1e-4;        // step size eta [1]
  double beta1 = 0.9;                 // Adam first-moment decay [1]
  double beta2 = 0.999;               // Adam second-moment decay [1]
  double epsilon = 1e-8;              // Adam denominator offset [1]
  int batch_size = 60;                // samples per step [count]
  int epochs = 1;                     // passes over the training set [count]
  std::string precision = "float64";  // float64 | float32
  // A step whose batch-mean loss exceeds max_loss_factor times the loss of a zero output (mse:
  // 1/2, cross_entropy: log C) diverges like a non-finite one (exit 3); 0 = off [1]
  double max_loss_factor = 100.0;
};

struct OutputConfig {
  std::string dir;  // run folder, "" = runs/<config name>
  int checkpoint_every =
      500;  // steps between checkpoints (and at each epoch end), 0 = epochs only [steps]
  int align_every = 100;  // steps between angle-to-BP samples, 0 = never [steps]
  bool progress = true;   // progress bar on stderr
};

// How the two phases reach their fixed points (docs/dynamics.md). algebraic: forward pass and
// one top-down sweep; settle: rate populations integrate ODEs in time.
struct DynamicsConfig {
  std::string mode = "algebraic";  // algebraic | settle
  double tau_ms = 10.0;            // population time constant tau [ms]
  // dynamics.tau_ms given as a list: tau of populations 1..L (tau_ms then holds the smallest,
  // which bounds the Euler step) [ms]
  std::vector<double> population_tau_ms;
  double dt_ms = 5.0;                   // Euler step (dopri5: first step) [ms]
  std::string stepper = "euler";        // euler | dopri5
  double tol = 1e-6;                    // a phase ends when max |dx/dt| * tau < tol [rate units]
  double abs_tol = 1e-6;                // dopri5 per-step absolute error tolerance [rate units]
  double rel_tol = 1e-6;                // dopri5 per-step relative error tolerance [1]
  double max_time_ms = 1000.0;          // a phase that has not converged by then stops [ms]
  std::string feedback = "inverse";     // inverse | transpose (gait, tp)
  double record_every_ms = 1.0;         // `gaitsim settle`: sampling interval of trajectories [ms]
  bool fail_on_nonconvergence = false;  // a phase that does not converge is an error
  // settle: plasticity reads each phase's state averaged over its last average_ms; 0 = the last
  // sample (neurons/trailing_average.hpp) [ms]
  double average_ms = 0.0;
};

// Noise in the rates (biology.md 4; neurons/rate_noise.hpp): settle mode Ornstein-Uhlenbeck
// noise by Euler-Maruyama, algebraic mode Gaussian noise on each phase's activity.
struct NoiseConfig {
  double rate_std = 0.0;  // stationary std sigma of a population's state, 0 = off [rate units]
  long long seed = 0;     // noise realisation; draws also depend on network.seed [1]
};

// Where the top-down sweep of gait/tp gets the inverse of each layer (docs/learned-feedback.md).
// exact: LU solves with W_l; learned: feedback weights Q_l, c_l learned by noisy difference
// reconstruction (plasticity/feedback_plasticity.hpp).
struct FeedbackConfig {
  std::string mode = "exact";   // exact | learned
  std::string init = "random";  // random | transpose | inverse: initial Q_l
  double noise_std = 0.1;       // std of the corruption of the activity below [rate]
  double learning_rate = 1e-3;  // SGD step size of Q_l and c_l (normalized: mu) [1]
  std::string step = "fixed";   // fixed: eta; normalized: mu / (1 + mean_n ||u_n||^2)
  int steps_per_batch = 1;      // feedback updates per forward update [count]
  int warmup_epochs = 0;        // first epochs with feedback learning only (W_l frozen) [count]
};

struct Config {
  DataConfig data;
  NetworkConfig network;
  LearningConfig learning;
  OutputConfig output;
  DynamicsConfig dynamics;
  FeedbackConfig feedback;
  NoiseConfig noise;
  std::string source;  // where it came from (file path or "<string>")
  std::string name;    // file stem, used for default output folders

  // Every key with its resolved value, as YAML (stored in run files).
  std::string to_yaml() const;
};

// Seed of the learning rule's random parts (FA's feedback weights B_l): network.seed + 1, so
// that they are not drawn from the initial weights' stream (network.seed).
inline std::uint64_t feedback_seed(const NetworkConfig& network) {
  return static_cast<std::uint64_t>(network.seed) + 1;
}

// Seed of the learned feedback pathway (feedback.init random, and its corruption noise):
// network.seed + 2, apart from the weights' and FA's streams.
inline std::uint64_t learned_feedback_seed(const NetworkConfig& network) {
  return static_cast<std::uint64_t>(network.seed) + 2;
}

// Runs run.template operator()<T>() with T the engine's floating-point type for
// learning.precision (float for float32, double for float64): the one place it is chosen.
template <class Run>
decltype(auto) with_precision(const LearningConfig& learning, Run&& run) {
  if (learning.precision == "float32") return run.template operator()<float>();
  return run.template operator()<double>();
}

// A config that cannot be used: the message names the source, the key and what was expected.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides);
Config parse_config(const std::string& yaml, const std::string& source,
                    const std::vector<std::string>& overrides);

// The YAML checks every file of settings gets (configs, sweep files), throwing ConfigError
// naming the source and line: one document, not empty, no control characters. `kind` names the
// file ("config"), `expected` what its document should hold.
YAML::Node parse_yaml_document(const std::string& text, const std::string& source,
                               const std::string& kind, const std::string& expected);
// Each key of `map` once (yaml-cpp keeps repeated keys); `prefix` is the map's dotted key.
void check_unique_keys(const YAML::Node& map, const std::string& source, const std::string& prefix);

// Help text: one line per key with its default and allowed values.
std::string config_reference();
// The key in `keys` nearest to `key` (edit distance), for "did you mean" messages.
std::string nearest(const std::string& key, const std::vector<std::string>& keys);

}  // namespace gaitsim
