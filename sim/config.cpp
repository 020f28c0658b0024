#include "sim/config.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "datasets/dataset_registry.hpp"
#include "neurons/transfer.hpp"
#include "neurons/weight_init.hpp"
#include "plasticity/learned_feedback.hpp"
#include "plasticity/learning_rule.hpp"
#include "plasticity/optimizer.hpp"
#include "plasticity/orthogonality.hpp"
#include "plasticity/output_loss.hpp"

namespace gaitsim {

namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep = " | ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

// Where a value came from, for messages: "configs/x.yaml: learning.gamma".
struct Where {
  std::string source, key;
  std::string str() const { return source + ": " + key; }
};

[[noreturn]] void bad_value(const Where& w, const YAML::Node& node, const std::string& expected) {
  std::string shown = node.IsScalar() ? node.Scalar() : YAML::Dump(node);
  throw ConfigError(w.str() + " = '" + shown + "': expected " + expected);
}

std::string line_of(const YAML::Node& node) {
  return node.Mark().is_null() ? std::string() : ":" + std::to_string(node.Mark().line + 1);
}

}  // namespace

// yaml-cpp keeps every entry of a map whose key repeats (the last would silently win when
// looked up): a repeated key is an error, naming the line of the repetition.
void check_unique_keys(const YAML::Node& map, const std::string& source,
                       const std::string& prefix) {
  std::vector<std::string> seen;
  for (const auto& item : map) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : YAML::Dump(item.first);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      throw ConfigError(source + line_of(item.first) + ": duplicate key '" +
                        (prefix.empty() ? "" : prefix + ".") + key + "': expected each key once");
    }
    seen.push_back(key);
  }
}

namespace {

template <class V>
V scalar_as(const YAML::Node& node, const Where& w, const std::string& expected) {
  if (!node.IsScalar()) bad_value(w, node, expected);
  try {
    return node.as<V>();
  } catch (const YAML::Exception&) {
    bad_value(w, node, expected);
  }
}

// One key of the schema: how to read it into a Config, how to show it, and its help.
struct KeySpec {
  std::string key;
  std::string allowed;  // human-readable domain
  std::string help;
  std::function<void(Config&, const YAML::Node&, const Where&)> set;
  std::function<YAML::Node(const Config&)> get;
  // Left out of to_yaml while at its default, so that configs written before the key existed
  // (and their run files) stay byte for byte what they were.
  bool omitted_at_default = false;
};

// A key added after run files were first written (see KeySpec::omitted_at_default).
KeySpec added_key(KeySpec spec) {
  spec.omitted_at_default = true;
  return spec;
}

template <class Section, class V>
struct Field {
  Section Config::*section;
  V Section::*member;
  V& operator()(Config& c) const { return c.*section.*member; }
  const V& operator()(const Config& c) const { return c.*section.*member; }
};

template <class S>
KeySpec choice(std::string key, Field<S, std::string> f, std::vector<std::string> choices,
               std::string help) {
  const std::string allowed = join(choices);
  return {key, allowed, std::move(help),
          [f, choices, allowed](Config& c, const YAML::Node& n, const Where& w) {
            const auto v = scalar_as<std::string>(n, w, "one of " + allowed);
            if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
              throw ConfigError(w.str() + " = '" + v + "': expected one of " + allowed +
                                " (did you mean '" + nearest(v, choices) + "'?)");
            }
            f(c) = v;
          },
          [f](const Config& c) { return YAML::Node(f(c)); }};
}

// A real number in (lo, hi] or [lo, hi] etc.; open ends are exclusive.
template <class S>
KeySpec real(std::string key, Field<S, double> f, double lo, bool lo_open, double hi, bool hi_open,
             std::string help) {
  std::ostringstream dom;
  dom << "a number " << (lo_open ? "> " : ">= ") << lo;
  if (std::isfinite(hi)) dom << " and " << (hi_open ? "< " : "<= ") << hi;
  const std::string allowed = dom.str();
  return {key, allowed, std::move(help),
          [=](Config& c, const YAML::Node& n, const Where& w) {
            const auto v = scalar_as<double>(n, w, allowed);
            const bool ok =
                std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
            if (!ok) bad_value(w, n, allowed);
            f(c) = v;
          },
          [f](const Config& c) { return YAML::Node(f(c)); }};
}

template <class S, class I>
KeySpec integer(std::string key, Field<S, I> f, long long lo, std::string help,
                long long hi = std::numeric_limits<I>::max()) {
  const std::string allowed =
      "an integer >= " + std::to_string(lo) +
      (hi < std::numeric_limits<I>::max() ? " and <= " + std::to_string(hi) : std::string());
  return {key, allowed, std::move(help),
          [=](Config& c, const YAML::Node& n, const Where& w) {
            const auto v = scalar_as<long long>(n, w, allowed);
            if (v < lo || v > hi) bad_value(w, n, allowed);
            f(c) = static_cast<I>(v);
          },
          [f](const Config& c) { return YAML::Node(f(c)); }};
}

template <class S>
KeySpec boolean(std::string key, Field<S, bool> f, std::string help) {
  return {key, "true | false", std::move(help),
          [f](Config& c, const YAML::Node& n, const Where& w) {
            f(c) = scalar_as<bool>(n, w, "true or false");
          },
          [f](const Config& c) { return YAML::Node(f(c)); }};
}

template <class S>
KeySpec text(std::string key, Field<S, std::string> f, std::string help) {
  return {key, "a string", std::move(help),
          [f](Config& c, const YAML::Node& n, const Where& w) {
            f(c) = scalar_as<std::string>(n, w, "a string");
          },
          [f](const Config& c) { return YAML::Node(f(c)); }};
}

template <class S>
KeySpec int_list(std::string key, Field<S, std::vector<int>> f, std::string help) {
  const std::string allowed = "a list of positive integers, e.g. [784, 500, 10]";
  return {key, allowed, std::move(help),
          [=](Config& c, const YAML::Node& n, const Where& w) {
            if (!n.IsSequence()) bad_value(w, n, allowed);
            std::vector<int> v;
            for (const auto& item : n) {
              const auto x = scalar_as<long long>(item, w, allowed);
              if (x < 1 || x > std::numeric_limits<int>::max()) bad_value(w, n, allowed);
              v.push_back(static_cast<int>(x));
            }
            f(c) = v;
          },
          [f](const Config& c) {
            YAML::Node n(YAML::NodeType::Sequence);
            for (int x : f(c)) n.push_back(x);
            n.SetStyle(YAML::EmitterStyle::Flow);
            return n;
          }};
}

// A positive integer field of a network.layers entry.
int layer_field(const YAML::Node& entry, const std::string& field, int fallback, const Where& w) {
  const YAML::Node n = entry[field];
  if (!n) {
    if (fallback > 0) return fallback;
    throw ConfigError(w.str() + ": missing '" + field + "' (a positive integer)");
  }
  const auto v = scalar_as<long long>(n, {w.source, w.key + "." + field}, "a positive integer");
  if (v < 1 || v > std::numeric_limits<int>::max()) {
    bad_value({w.source, w.key + "." + field}, n, "a positive integer");
  }
  return static_cast<int>(v);
}

// One network.layers entry: a map with one key, conv or dense, holding its fields.
LayerSpec layer_spec(const YAML::Node& item, const Where& w) {
  static const std::vector<std::string> kinds = {"conv", "dense"};
  static const std::vector<std::string> conv_fields = {"filters", "kernel", "stride"};
  static const std::vector<std::string> dense_fields = {"units"};
  const std::string expected = "{conv: {filters: F, kernel: K, stride: S}} or {dense: {units: U}}";
  if (!item.IsMap() || item.size() != 1 || !item.begin()->first.IsScalar()) {
    bad_value(w, item, expected);
  }
  const std::string kind = item.begin()->first.Scalar();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    throw ConfigError(w.str() + ": unknown layer kind '" + kind + "' (did you mean '" +
                      nearest(kind, kinds) + "'?); expected " + expected);
  }
  const YAML::Node fields = item.begin()->second;
  const Where at{w.source, w.key + "." + kind};
  if (!fields.IsMap())
    bad_value(at, fields, "a map of " + join(kind == "conv" ? conv_fields : dense_fields, ", "));
  const auto& allowed = kind == "conv" ? conv_fields : dense_fields;
  check_unique_keys(fields, w.source, at.key);
  for (const auto& f : fields) {
    if (!f.first.IsScalar()) bad_value(at, fields, "a map of field names to integers");
    const std::string name = f.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      throw ConfigError(at.str() + ": unknown field '" + name + "' (did you mean '" +
                        nearest(name, allowed) + "'?)");
    }
  }
  LayerSpec spec;
  spec.kind = kind;
  if (kind == "conv") {
    spec.filters = layer_field(fields, "filters", 0, at);
    spec.kernel = layer_field(fields, "kernel", 0, at);
    spec.stride = layer_field(fields, "stride", 1, at);
  } else {
    spec.units = layer_field(fields, "units", 0, at);
  }
  return spec;
}

template <class S>
KeySpec layer_list(std::string key, Field<S, std::vector<LayerSpec>> f, std::string help) {
  const std::string allowed =
      "a list of {conv: {filters, kernel, stride}} and {dense: {units}} entries";
  return {key, allowed, std::move(help),
          [=](Config& c, const YAML::Node& n, const Where& w) {
            if (!n.IsSequence()) bad_value(w, n, allowed);
            std::vector<LayerSpec> v;
            for (std::size_t i = 0; i < n.size(); ++i) {
              v.push_back(layer_spec(n[i], {w.source, w.key + "[" + std::to_string(i) + "]"}));
            }
            f(c) = v;
          },
          [f](const Config& c) {
            YAML::Node n(YAML::NodeType::Sequence);
            for (const LayerSpec& spec : f(c)) {
              YAML::Node fields(YAML::NodeType::Map);
              if (spec.kind == "conv") {
                fields["filters"] = spec.filters;
                fields["kernel"] = spec.kernel;
                fields["stride"] = spec.stride;
              } else {
                fields["units"] = spec.units;
              }
              fields.SetStyle(YAML::EmitterStyle::Flow);
              YAML::Node entry(YAML::NodeType::Map);
              entry[spec.kind] = fields;
              entry.SetStyle(YAML::EmitterStyle::Flow);
              n.push_back(entry);
            }
            return n;
          }};
}

constexpr double kInf = std::numeric_limits<double>::infinity();

// dynamics.tau_ms: one time constant for every population, or a list of one per population
// 1..L (its length is checked against the network, where the settling phases meet it).
KeySpec tau_key(std::string help) {
  const std::string allowed = "a number > 0, or a list of them, one per population 1..L";
  return {"dynamics.tau_ms", allowed, std::move(help),
          [allowed](Config& c, const YAML::Node& n, const Where& w) {
            auto positive = [&](const YAML::Node& item) {
              const auto v = scalar_as<double>(item, w, allowed);
              if (!std::isfinite(v) || !(v > 0)) bad_value(w, n, allowed);
              return v;
            };
            std::vector<double> list;
            if (n.IsSequence()) {
              if (n.size() == 0) bad_value(w, n, allowed);
              for (const auto& item : n) list.push_back(positive(item));
              c.dynamics.tau_ms = *std::min_element(list.begin(), list.end());
            } else {
              c.dynamics.tau_ms = positive(n);
            }
            c.dynamics.population_tau_ms = std::move(list);
          },
          [](const Config& c) {
            if (c.dynamics.population_tau_ms.empty()) return YAML::Node(c.dynamics.tau_ms);
            YAML::Node n(YAML::NodeType::Sequence);
            for (double t : c.dynamics.population_tau_ms) n.push_back(t);
            n.SetStyle(YAML::EmitterStyle::Flow);
            return n;
          }};
}

std::vector<std::string> with(std::vector<std::string> names, const std::string& extra) {
  names.push_back(extra);
  return names;
}

// Every key a config may hold. Adding a key means adding one line here and a member above.
const std::vector<KeySpec>& schema() {
  using D = DataConfig;
  using N = NetworkConfig;
  using L = LearningConfig;
  using O = OutputConfig;
  using Y = DynamicsConfig;
  using F = FeedbackConfig;
  using Z = NoiseConfig;
  static const std::vector<KeySpec> keys = {
      choice("data.dataset", Field<D, std::string>{&Config::data, &D::dataset},
             datasets::dataset_names(), "which dataset (idx: any folder of MNIST-format files)"),
      text("data.path", Field<D, std::string>{&Config::data, &D::path},
           "folder holding the dataset files (imagenet: train.h5 and test.h5 from `gaitsim "
           "cache`); empty: data/<dataset>"),
      integer("data.train_limit", Field<D, long long>{&Config::data, &D::train_limit}, 0,
              "use the first N training examples (0 = all)"),
      integer("data.test_limit", Field<D, long long>{&Config::data, &D::test_limit}, 0,
              "use the first N test examples (0 = all)"),
      integer("data.resolution", Field<D, int>{&Config::data, &D::resolution}, 0,
              "required image height and width in pixels, checked against the data (imagenet: "
              "the size the cache was built at); 0 = as stored"),
      choice("network.kind", Field<N, std::string>{&Config::network, &N::kind},
             {"square", "tower", "dense", "cnn"},
             "square: input-wide layers; tower: narrowing with auxiliary units; dense: "
             "all-to-all; cnn: network.layers on an image of shape network.input"),
      int_list("network.widths", Field<N, std::vector<int>>{&Config::network, &N::widths},
               "tower/dense: population widths from input to output"),
      int_list("network.input", Field<N, std::vector<int>>{&Config::network, &N::input},
               "cnn: input image [channels, height, width] (the data's C x H x W order)"),
      layer_list("network.layers", Field<N, std::vector<LayerSpec>>{&Config::network, &N::layers},
                 "cnn: layers from the input up, e.g. [{conv: {filters: 24, kernel: 3, stride: "
                 "2}}, {dense: {units: 10}}]; every layer above the first is square (auxiliary "
                 "channels/units)"),
      integer("network.hidden_layers", Field<N, int>{&Config::network, &N::hidden_layers}, 0,
              "square: number of hidden layers", kMaxHiddenLayers),
      choice("network.activation", Field<N, std::string>{&Config::network, &N::activation},
             transfer_names(), "transfer function of hidden populations"),
      real("network.slope", Field<N, double>{&Config::network, &N::slope}, 0, true, 1, false,
           "leaky-ReLU slope for negative input"),
      choice("network.output_activation",
             Field<N, std::string>{&Config::network, &N::output_activation},
             with(transfer_names(), "same"), "transfer function of the output population"),
      choice("network.init", Field<N, std::string>{&Config::network, &N::init}, weight_init_names(),
             "initial weights"),
      integer("network.seed", Field<N, long long>{&Config::network, &N::seed}, 0,
              "seed of initial weights, feedback weights and shuffling"),
      // Synaptic constraints (biology.md 2, 3).
      added_key(real(
          "network.connection_prob", Field<N, double>{&Config::network, &N::connection_prob}, 0,
          true, 1, false,
          "probability that a synapse exists: a fixed random mask per projection drawn from "
          "network.seed, absent synapses stay 0; every unit keeps >= 1 input; 1 = all-to-all")),
      added_key(
          choice("network.dale", Field<N, std::string>{&Config::network, &N::dale},
                 {"off", "sign", "dann"},
                 "Dale's principle: off; sign: each presynaptic unit excitatory or inhibitory for "
                 "good, W = diag(s)|V|, a synapse whose update flips its sign is set to 0; dann: "
                 "each dense layer gets ceil(inhibitory_fraction x units) linear feedforward "
                 "inhibitory interneurons, W = W^EE - W^IE W^EI with every component >= 0 "
                 "(negative ones set to 0 after each step)")),
      added_key(
          real("network.inhibitory_fraction",
               Field<N, double>{&Config::network, &N::inhibitory_fraction}, 0, false, 1, false,
               "dale sign: fraction of each projection's presynaptic units that are inhibitory "
               "(ceil(fraction x units), drawn from network.seed; default 0.2); dale dann: "
               "interneurons per unit of each layer, n_I = ceil(fraction x units), > 0 (an "
               "unset key takes 0.1 under dann)")),
      choice("learning.algorithm", Field<L, std::string>{&Config::learning, &L::algorithm},
             learning_rule_names(), "learning rule"),
      choice("learning.loss", Field<L, std::string>{&Config::learning, &L::loss},
             output_loss_names(), "loss on the class units"),
      real("learning.gamma", Field<L, double>{&Config::learning, &L::gamma}, 0, true, 1, false,
           "GAIT nudge strength gamma (gamma_0 when adaptive)"),
      boolean("learning.adaptive_gamma", Field<L, bool>{&Config::learning, &L::adaptive_gamma},
              "per-sample normalised gamma (TMLR)"),
      real("learning.ortho_reg", Field<L, double>{&Config::learning, &L::ortho_reg}, 0, false, kInf,
           false, "orthogonality regulariser strength lambda"),
      choice("learning.ortho_mode", Field<L, std::string>{&Config::learning, &L::ortho_mode},
             orthogonality_modes(), "full: ||WW^T - I||^2; offdiag: off-diagonal only"),
      choice("learning.optimizer", Field<L, std::string>{&Config::learning, &L::optimizer},
             optimizer_names(), "optimiser"),
      real("learning.learning_rate", Field<L, double>{&Config::learning, &L::learning_rate}, 0,
           true, kInf, false, "step size"),
      real("learning.beta1", Field<L, double>{&Config::learning, &L::beta1}, 0, false, 1, true,
           "Adam first-moment decay"),
      real("learning.beta2", Field<L, double>{&Config::learning, &L::beta2}, 0, false, 1, true,
           "Adam second-moment decay"),
      real("learning.epsilon", Field<L, double>{&Config::learning, &L::epsilon}, 0, true, kInf,
           false, "Adam denominator offset"),
      added_key(real("learning.max_loss_factor",
                     Field<L, double>{&Config::learning, &L::max_loss_factor}, 0, false, kInf,
                     false, "a batch loss above this times a zero output's loss diverges; 0: off")),
      integer("learning.batch_size", Field<L, int>{&Config::learning, &L::batch_size}, 1,
              "samples per step"),
      integer("learning.epochs", Field<L, int>{&Config::learning, &L::epochs}, 1,
              "passes over the training set"),
      choice("learning.precision", Field<L, std::string>{&Config::learning, &L::precision},
             {"float64", "float32"}, "floating-point type of the engine"),
      text("output.dir", Field<O, std::string>{&Config::output, &O::dir},
           "run folder; empty: runs/<config name>"),
      integer("output.checkpoint_every", Field<O, int>{&Config::output, &O::checkpoint_every}, 0,
              "steps between checkpoints (also at each epoch end); 0 = epoch ends only"),
      integer("output.align_every", Field<O, int>{&Config::output, &O::align_every}, 0,
              "steps between samples of the angle to BP; 0 = never"),
      boolean("output.progress", Field<O, bool>{&Config::output, &O::progress},
              "progress bar on stderr"),
      choice("dynamics.mode", Field<Y, std::string>{&Config::dynamics, &Y::mode},
             {"algebraic", "settle"},
             "algebraic: forward pass and one top-down sweep; settle: integrate the populations' "
             "ODEs to their fixed points"),
      tau_key("population time constant tau, or one per population 1..L [ms]"),
      real("dynamics.dt_ms", Field<Y, double>{&Config::dynamics, &Y::dt_ms}, 0, true, kInf, false,
           "Euler step, dopri5's first step [ms]; euler needs dt_ms <= tau_ms"),
      choice("dynamics.stepper", Field<Y, std::string>{&Config::dynamics, &Y::stepper},
             {"euler", "dopri5"}, "euler: fixed step; dopri5: adaptive Runge-Kutta (Boost.Odeint)"),
      real("dynamics.tol", Field<Y, double>{&Config::dynamics, &Y::tol}, 0, true, 1, true,
           "a phase has converged when max |dx/dt| * tau < tol [rate units]"),
      real("dynamics.abs_tol", Field<Y, double>{&Config::dynamics, &Y::abs_tol}, 0, true, 1, true,
           "dopri5 absolute error tolerance per step"),
      real("dynamics.rel_tol", Field<Y, double>{&Config::dynamics, &Y::rel_tol}, 0, true, 1, true,
           "dopri5 relative error tolerance per step"),
      real("dynamics.max_time_ms", Field<Y, double>{&Config::dynamics, &Y::max_time_ms}, 0, true,
           kInf, false, "a phase not converged by this time stops with a warning [ms]"),
      choice("dynamics.feedback", Field<Y, std::string>{&Config::dynamics, &Y::feedback},
             {"inverse", "transpose"},
             "top-down weights of gait/tp: the layer's inverse, or W^T (gradient flow)"),
      real("dynamics.record_every_ms", Field<Y, double>{&Config::dynamics, &Y::record_every_ms}, 0,
           true, kInf, false, "gaitsim settle: trajectory sampling interval [ms]"),
      boolean("dynamics.fail_on_nonconvergence",
              Field<Y, bool>{&Config::dynamics, &Y::fail_on_nonconvergence},
              "a phase that does not converge within max_time_ms is an error, not a warning"),
      // learned feedback pathways (issue 15, docs/learned-feedback.md)
      added_key(choice(
          "feedback.mode", Field<F, std::string>{&Config::feedback, &F::mode}, {"exact", "learned"},
          "gait/tp: exact inverse of each layer (LU), or learned feedback weights Q_l")),
      added_key(
          choice("feedback.init", Field<F, std::string>{&Config::feedback, &F::init},
                 feedback_init_names(),
                 "learned: initial Q_l (random orthogonal, W_l^T, or the exact inverse W_l^-1)")),
      added_key(real("feedback.noise_std", Field<F, double>{&Config::feedback, &F::noise_std}, 0,
                     false, kInf, false,
                     "learned: std of the noise added to the activity below for reconstruction")),
      added_key(real("feedback.learning_rate",
                     Field<F, double>{&Config::feedback, &F::learning_rate}, 0, false, kInf, false,
                     "learned: SGD step size of Q_l and c_l (0 = fixed feedback); under "
                     "feedback.step normalized the dimensionless mu < 2")),
      added_key(choice("feedback.step", Field<F, std::string>{&Config::feedback, &F::step},
                       {"fixed", "normalized"},
                       "learned: fixed: steps of learning_rate; normalized: learning_rate / (1 + "
                       "mean ||u||^2), u the drive of the layer above (cannot diverge for < 2)")),
      added_key(integer("feedback.steps_per_batch",
                        Field<F, int>{&Config::feedback, &F::steps_per_batch}, 1,
                        "learned: feedback updates per forward update")),
      added_key(integer(
          "feedback.warmup_epochs", Field<F, int>{&Config::feedback, &F::warmup_epochs}, 0,
          "learned: first epochs in which only the feedback learns (forward weights frozen)")),
      // Rates (issue 14): smooth, non-negative transfer functions (biology.md 1).
      added_key(real("network.softplus_beta", Field<N, double>{&Config::network, &N::softplus_beta},
                     0, true, kInf, false,
                     "softplus sharpness beta, f(a) = log(1 + e^(beta a)) / beta [1/rate units]")),
      added_key(real("network.rate_max", Field<N, double>{&Config::network, &N::rate_max}, 0, true,
                     kInf, false,
                     "logistic saturation rate r_max, f(a) = r_max / (1 + e^-a) [rate units]")),
      // Rate noise and averaging (issue 14, biology.md 4; docs/biology.md, "Noise in the rates").
      added_key(real("noise.rate_std", Field<Z, double>{&Config::noise, &Z::rate_std}, 0, false,
                     kInf, false,
                     "std sigma of rate noise: settle: Ornstein-Uhlenbeck (Euler-Maruyama, euler "
                     "only; phases then run max_time_ms); algebraic: Gaussian on each phase; 0 = "
                     "off [rate units]")),
      added_key(integer("noise.seed", Field<Z, long long>{&Config::noise, &Z::seed}, 0,
                        "noise realisation: draws come from network.seed, noise.seed, the step "
                        "and the layer")),
      added_key(real("dynamics.average_ms", Field<Y, double>{&Config::dynamics, &Y::average_ms}, 0,
                     false, kInf, false,
                     "settle: plasticity reads each phase's state averaged over its last "
                     "average_ms; 0 = the last sample [ms]")),
  };
  return keys;
}

std::vector<std::string> schema_keys() {
  std::vector<std::string> names;
  for (const auto& spec : schema()) names.push_back(spec.key);
  return names;
}

const KeySpec* find_key(const std::string& key) {
  for (const auto& spec : schema()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

[[noreturn]] void unknown_key(const std::string& source, const std::string& key) {
  throw ConfigError(source + ": unknown key '" + key + "' (did you mean '" +
                    nearest(key, schema_keys()) + "'?)");
}

bool is_section(const std::string& prefix) {
  for (const auto& spec : schema()) {
    if (spec.key.rfind(prefix + ".", 0) == 0) return true;
  }
  return false;
}

// Flattens nested maps into dotted keys; every leaf must be a schema key, given once.
void flatten(const YAML::Node& node, const std::string& prefix, const std::string& source,
             std::vector<std::pair<std::string, YAML::Node>>& out) {
  check_unique_keys(node, source, prefix);
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      throw ConfigError(source + line_of(item.first) + ": a key must be a plain name, found '" +
                        YAML::Dump(item.first) + "'");
    }
    const std::string key = (prefix.empty() ? "" : prefix + ".") + item.first.Scalar();
    if (find_key(key)) {
      for (const auto& [seen, value] : out) {
        if (seen == key) {
          throw ConfigError(source + line_of(item.first) + ": duplicate key '" + key +
                            "' (also given" +
                            (line_of(value).empty() ? "" : " on line " + line_of(value).substr(1)) +
                            "): expected each key once");
        }
      }
      out.emplace_back(key, item.second);
    } else if (item.second.IsMap() && is_section(key)) {
      flatten(item.second, key, source, out);
    } else {
      unknown_key(source, key);
    }
  }
}

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
}

// Where a YAML document starts: its first token and its content (the line a reader looks for).
struct DocumentStart {
  YAML::Mark token, content;
  bool has_content = false;
};

// Records where each document of a text starts, and nothing else.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<DocumentStart> documents;

  void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({mark, mark}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (documents.back().has_content) return;
    documents.back().content = mark;
    documents.back().has_content = true;
  }
};

// The documents of a text. yaml-cpp 0.7's LoadAll never returns on a stray flow token at the top
// level (a lone ',', found by fuzz_config): each document ends without consuming it, so the next
// starts at the same token, forever. Here a document starting where the previous one started is
// a syntax error, and as every other document consumes a token, the loop ends.
std::vector<DocumentStart> document_starts(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  while (parser.HandleNextDocument(starts)) {
    const auto& d = starts.documents;
    if (d.size() > 1 && d[d.size() - 1].token.pos == d[d.size() - 2].token.pos) {
      const auto at = static_cast<std::size_t>(d.back().token.pos);
      throw ConfigError(source + ":" + std::to_string(d.back().token.line + 1) +
                        ": invalid YAML: unexpected '" + text.substr(at, 1) +
                        "' outside any list or map");
    }
  }
  return starts.documents;
}

}  // namespace

// A config or sweep file is one YAML document: an empty or comment-only file, or several
// documents (--- separators, of which yaml-cpp's Load would read the first only), are errors
// rather than the default job.
YAML::Node parse_yaml_document(const std::string& text, const std::string& source,
                               const std::string& kind, const std::string& expected) {
  // YAML allows no C0 control characters but tab, LF and CR; yaml-cpp 0.7 loops forever on some
  // texts holding a NUL byte, so they are refused before it sees them.
  for (std::size_t i = 0, line = 1; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    line += c == '\n';
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02X", c);
      throw ConfigError(source + ":" + std::to_string(line) + ": control character " + code +
                        ": expected a YAML text file");
    }
  }
  std::vector<DocumentStart> documents;
  YAML::Node first;
  try {
    documents = document_starts(text, source);
    if (!documents.empty()) first = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (documents.size() > 1) {
    throw ConfigError(source + ":" + std::to_string(documents[1].content.line + 1) + ": holds " +
                      std::to_string(documents.size()) +
                      " YAML documents (--- separators): expected one " + kind + " per file");
  }
  if (documents.empty() || first.IsNull() || !first.IsDefined()) {
    throw ConfigError(source + ": empty " + kind +
                      " (nothing but comments or blank lines): expected " + expected);
  }
  return first;
}

namespace {

std::pair<std::string, YAML::Node> parse_override(const std::string& item) {
  const auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw ConfigError("--set '" + item + "': expected key=value, e.g. learning.gamma=1e-4");
  }
  const std::string key = item.substr(0, eq);
  if (!find_key(key)) unknown_key("--set", key);
  return {key, parse_yaml(item.substr(eq + 1), "--set " + key)};
}

// Learned feedback replaces the inverse of rules that invert their layers, in the algebraic
// sweep and in the settling pathway `inverse`; transposed settling feedback needs no inverse.
void check_feedback_keys(const Config& c) {
  if (c.feedback.mode != "learned") return;
  const std::string& a = c.learning.algorithm;
  if (a != "gait" && a != "tp") {
    throw ConfigError(c.source + ": feedback.mode = learned with learning.algorithm = '" + a +
                      "': expected gait or tp (the rules that invert their layers; bp uses W^T "
                      "and fa its fixed random feedback)");
  }
  if (c.dynamics.mode == "settle" && c.dynamics.feedback == "transpose") {
    throw ConfigError(c.source +
                      ": feedback.mode = learned with dynamics.feedback = transpose: expected "
                      "dynamics.feedback = inverse (its pathway then runs through Q_l; the "
                      "transpose pathway uses W_l^T and would ignore Q_l)");
  }
  // mu < 2 bounds eta_t lambda_max of every step (feedback_plasticity.hpp); a larger mu could
  // diverge, which the normalised step exists to prevent.
  if (c.feedback.step == "normalized" && c.feedback.learning_rate >= 2) {
    std::ostringstream msg;
    msg << c.source << ": feedback.learning_rate = " << c.feedback.learning_rate
        << " with feedback.step = normalized: expected mu < 2 (the step is mu / (1 + mean ||u||^2),"
           " stable only for mu < 2)";
    throw ConfigError(msg.str());
  }
  if (c.feedback.warmup_epochs >= c.learning.epochs) {
    throw ConfigError(
        c.source + ": feedback.warmup_epochs = " + std::to_string(c.feedback.warmup_epochs) +
        ": expected fewer than learning.epochs = " + std::to_string(c.learning.epochs) +
        " (the forward weights would never learn)");
  }
}

using KeyValues = std::vector<std::pair<std::string, YAML::Node>>;

bool given(const KeyValues& values, const std::string& key) {
  return std::any_of(values.begin(), values.end(), [&](const auto& v) { return v.first == key; });
}

const char* const kFractionKey = "network.inhibitory_fraction";

// Defaults that depend on another key: network.inhibitory_fraction is 0.2 under dale sign
// (and off) and 0.1 under dale dann (issue 14).
double default_inhibitory_fraction(const std::string& dale) {
  return dale == "dann" ? 0.1 : Config().network.inhibitory_fraction;
}

void apply_form_defaults(Config& c, const KeyValues& values, const KeyValues& sets) {
  if (!given(values, kFractionKey) && !given(sets, kFractionKey)) {
    c.network.inhibitory_fraction = default_inhibitory_fraction(c.network.dale);
  }
}

// dann needs interneurons: n_I = ceil(fraction x units) >= 1.
void check_dale_keys(const Config& c) {
  if (c.network.dale == "dann" && c.network.inhibitory_fraction <= 0.0) {
    throw ConfigError(c.source +
                      ": network.inhibitory_fraction = 0 with network.dale = dann: expected a "
                      "number > 0 and <= 1 (each layer needs at least one interneuron)");
  }
}

// Rate noise integrates by Euler-Maruyama; averaging is over settling time.
void check_noise_keys(const Config& c) {
  const DynamicsConfig& d = c.dynamics;
  std::ostringstream msg;
  if (c.noise.rate_std > 0 && d.mode == "settle" && d.stepper != "euler") {
    msg << c.source << ": dynamics.stepper = '" << d.stepper
        << "' with noise.rate_std = " << c.noise.rate_std
        << ": expected euler (Euler-Maruyama; dopri5 has no stochastic form)";
  } else if (d.average_ms > 0 && d.mode != "settle") {
    msg << c.source << ": dynamics.average_ms = " << d.average_ms << " with dynamics.mode = '"
        << d.mode << "': expected dynamics.mode settle (averaging is over settling time) or 0";
  } else if (d.average_ms > d.max_time_ms) {
    msg << c.source << ": dynamics.average_ms = " << d.average_ms
        << " is longer than a phase (dynamics.max_time_ms = " << d.max_time_ms << ")";
  }
  if (!msg.str().empty()) throw ConfigError(msg.str());
}

// Constraints between keys, checked once every key is read.
void check_cross_keys(const Config& c) {
  check_dale_keys(c);
  const DynamicsConfig& d = c.dynamics;
  if (d.stepper == "euler" && d.dt_ms > d.tau_ms) {
    std::ostringstream msg;
    msg << c.source << ": dynamics.dt_ms = " << d.dt_ms
        << " is larger than dynamics.tau_ms = " << d.tau_ms
        << ": the euler stepper needs dt_ms <= tau_ms (it overshoots the fixed point "
        << "and is unstable beyond 2 tau)";
    throw ConfigError(msg.str());
  }
  check_feedback_keys(c);
  check_noise_keys(c);
  if (d.mode == "settle" && d.max_time_ms < d.dt_ms) {
    std::ostringstream msg;
    msg << c.source << ": dynamics.max_time_ms = " << d.max_time_ms
        << " is shorter than one step (dynamics.dt_ms = " << d.dt_ms << ")";
    throw ConfigError(msg.str());
  }
}

}  // namespace

std::string nearest(const std::string& key, const std::vector<std::string>& keys) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& candidate : keys) {
    // A key's last part alone (e.g. "gama" for "learning.gamma") should also find it.
    const auto dot = candidate.rfind('.');
    const std::size_t d =
        std::min(edit_distance(key, candidate),
                 dot == std::string::npos ? edit_distance(key, candidate)
                                          : edit_distance(key, candidate.substr(dot + 1)) + 1);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

static Config parse_checked(const std::string& yaml, const std::string& source,
                            const std::vector<std::string>& overrides) {
  const YAML::Node root = parse_yaml_document(
      yaml, source, "config", "a map of sections (data, network, learning, output, dynamics)");
  std::vector<std::pair<std::string, YAML::Node>> values;
  if (!root.IsMap()) {
    throw ConfigError(source + ": expected a map of sections (data, network, learning, output)");
  }
  flatten(root, "", source, values);
  std::vector<std::pair<std::string, YAML::Node>> sets;
  for (const auto& item : overrides) sets.push_back(parse_override(item));

  Config config;
  config.source = source;
  for (const auto& [key, node] : values) find_key(key)->set(config, node, {source, key});
  for (const auto& [key, node] : sets) find_key(key)->set(config, node, {"--set", key});
  apply_form_defaults(config, values, sets);
  check_cross_keys(config);
  return config;
}

Config parse_config(const std::string& yaml, const std::string& source,
                    const std::vector<std::string>& overrides) {
  try {
    return parse_checked(yaml, source, overrides);
  } catch (const YAML::Exception& e) {
    // A node of a shape no check above anticipated: still an error naming the file and line.
    throw ConfigError(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot open config file");
  std::stringstream text;
  text << in.rdbuf();
  Config config = parse_config(text.str(), file.string(), overrides);
  config.name = file.stem().string();
  return config;
}

std::filesystem::path DataConfig::folder() const {
  return path.empty() ? std::filesystem::path("data") / dataset : std::filesystem::path(path);
}

std::string Config::to_yaml() const {
  YAML::Node root;
  const Config defaults;
  // A key whose default depends on another is left out at the default it takes in this config,
  // which reading the text back gives it again (apply_form_defaults).
  Config form_defaults;
  form_defaults.network.inhibitory_fraction = default_inhibitory_fraction(network.dale);
  for (const auto& spec : schema()) {
    const Config& d = spec.key == kFractionKey ? form_defaults : defaults;
    if (spec.omitted_at_default && YAML::Dump(spec.get(*this)) == YAML::Dump(spec.get(d))) {
      continue;
    }
    const auto dot = spec.key.find('.');
    root[spec.key.substr(0, dot)][spec.key.substr(dot + 1)] = spec.get(*this);
  }
  YAML::Emitter out;
  out << root;
  return out.c_str();
}

std::string config_reference() {
  std::ostringstream out;
  const Config defaults;
  for (const auto& spec : schema()) {
    out << "  " << spec.key << " = " << YAML::Dump(spec.get(defaults)) << "\n      " << spec.help
        << " (" << spec.allowed << ")\n";
  }
  return out.str();
}

}  // namespace gaitsim
