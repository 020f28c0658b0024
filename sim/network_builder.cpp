#include "sim/network_builder.hpp"

#include <cmath>
#include <random>
#include <sstream>

#include "neurons/connection_mask.hpp"
#include "neurons/dann_weights.hpp"
#include "neurons/presynaptic_signs.hpp"
#include "neurons/weight_init.hpp"
#include "plasticity/layer_inverse.hpp"
#include "plasticity/learning_rule.hpp"

namespace gaitsim {

namespace {

std::string list(const std::vector<int>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

std::vector<int> widths_of(const Config& c, int input_width) {
  const auto& net = c.network;
  if (net.kind == "square") {
    // input -> k hidden -> output, all as wide as the input
    return std::vector<int>(net.hidden_layers + 2, input_width);
  }
  if (net.widths.size() < 2) {
    throw ConfigError(c.source + ": network.widths = " + list(net.widths) +
                      ": expected at least [input, output] widths for network.kind " + net.kind);
  }
  if (net.widths[0] != input_width) {
    throw ConfigError(c.source + ": network.widths[0] = " + std::to_string(net.widths[0]) +
                      ": expected the input width of " + c.data.dataset + ", " +
                      std::to_string(input_width));
  }
  return net.widths;
}

// Layer l of a cnn (1-based) as named in messages: "network.layers[i] (conv)".
std::string layer_key(const Config& c, int l) {
  return c.source + ": network.layers[" + std::to_string(l - 1) + "] (" +
         c.network.layers[l - 1].kind + ", layer " + std::to_string(l) + ")";
}

// The image the first layer of a cnn sees, checked against the data.
ConvParams input_image(const Config& c, int input_width) {
  const auto& in = c.network.input;
  if (in.size() != 3) {
    throw ConfigError(c.source + ": network.input = " + list(in) +
                      ": expected [channels, height, width] for network.kind cnn");
  }
  if (static_cast<long long>(in[0]) * in[1] * in[2] != input_width) {
    throw ConfigError(c.source + ": network.input = " + list(in) + " holds " +
                      std::to_string(static_cast<long long>(in[0]) * in[1] * in[2]) +
                      " values, but each example of " + c.data.dataset + " has " +
                      std::to_string(input_width));
  }
  ConvParams p;
  p.in_channels = in[0];
  p.in_height = in[1];
  p.in_width = in[2];
  p.in_layout = ImageLayout::kPlanar;
  return p;
}

// A conv layer reading `image`: the first is a plain convolution with `filters` channels; the
// ones above are square (D = c_in k k channels, the first `filters` passed on).
ConvParams conv_layer(const Config& c, int l, ConvParams image, const LayerSpec& spec) {
  image.kernel = spec.kernel;
  image.stride = spec.stride;
  const int D = image.in_channels * spec.kernel * spec.kernel;
  if (l >= 2 && spec.filters > D) {
    throw ConfigError(
        layer_key(c, l) + ": filters = " + std::to_string(spec.filters) +
        " but an invertible conv layer has D = c_in*k*k = " + std::to_string(image.in_channels) +
        "*" + std::to_string(spec.kernel) + "*" + std::to_string(spec.kernel) + " = " +
        std::to_string(D) + " channels and can pass on at most D");
  }
  if (l >= 2 && spec.stride > spec.kernel) {
    throw ConfigError(layer_key(c, l) + ": stride " + std::to_string(spec.stride) + " > kernel " +
                      std::to_string(spec.kernel) +
                      " leaves pixels outside every receptive field, so its inverse cannot "
                      "recover them; use stride <= kernel");
  }
  image.channels = l == 1 ? spec.filters : D;
  image.passed_on = spec.filters;
  return image;
}

NetworkShape cnn_shape(const Config& c, int input_width, int classes) {
  const auto& specs = c.network.layers;
  if (specs.empty() || specs.back().kind != "dense") {
    throw ConfigError(c.source +
                      ": network.layers must end with the dense output layer, e.g. {dense: "
                      "{units: " +
                      std::to_string(classes) + "}}");
  }
  if (specs.back().units != classes) {
    throw ConfigError(layer_key(c, int(specs.size())) +
                      ": units = " + std::to_string(specs.back().units) +
                      ": the output layer has one unit per "
                      "class of " +
                      c.data.dataset + ", " + std::to_string(classes));
  }
  const int L = static_cast<int>(specs.size());
  NetworkShape shape;
  shape.widths.assign(L + 1, 0);
  shape.reads.assign(L + 1, 0);
  shape.passed.assign(L + 1, 0);
  shape.conv.assign(L + 1, std::nullopt);
  ConvParams image = input_image(c, input_width);
  shape.widths[0] = shape.passed[0] = input_width;
  bool flat = false;  // a dense layer has come: no conv above it
  for (int l = 1; l <= L; ++l) {
    const LayerSpec& spec = specs[l - 1];
    const int k = shape.passed[l - 1];
    shape.reads[l] = k;
    if (spec.kind == "conv") {
      if (flat) {
        throw ConfigError(layer_key(c, l) + ": a conv layer cannot follow a dense layer");
      }
      const ConvParams p = conv_layer(c, l, image, spec);
      const ConvWiring wiring(p);
      shape.conv[l] = p;
      shape.widths[l] = static_cast<int>(wiring.post_units());
      shape.passed[l] = wiring.geometry().positions * p.passed_on;
      image = {p.passed_on, wiring.geometry().out_height, wiring.geometry().out_width,
               ImageLayout::kInterleaved};
    } else {
      flat = true;
      if (l >= 2 && spec.units > k) {
        throw ConfigError(layer_key(c, l) + ": units = " + std::to_string(spec.units) +
                          " but it reads only the " + std::to_string(k) +
                          " units passed on by layer " + std::to_string(l - 1) +
                          "; layers above the first are square (inverted by gait/tp), so "
                          "units must be <= " +
                          std::to_string(k));
      }
      shape.widths[l] = l == 1 ? spec.units : k;
      shape.passed[l] = spec.units;
    }
  }
  return shape;
}

bool rule_inverts(const std::string& algorithm) {
  return make_learning_rule<double>({algorithm, 1e-3, false, 1})->inverts_layers();
}

// All layers' weights together within kMaxWeights, so that a mistyped width is refused by name
// rather than by a failed allocation.
void check_weight_count(const Config& c, const NetworkShape& shape) {
  long double total = 0;
  for (std::size_t l = 1; l < shape.widths.size(); ++l) {
    const auto& conv = shape.conv[l];
    total += conv ? static_cast<long double>(conv->in_channels) * conv->kernel * conv->kernel *
                        conv->channels
                  : static_cast<long double>(shape.reads[l]) * shape.widths[l];
  }
  if (total > static_cast<long double>(kMaxWeights)) {
    throw ConfigError(c.source + ": network." +
                      (c.network.kind == "cnn"      ? "layers"
                       : c.network.kind == "square" ? "hidden_layers (with the input width)"
                                                    : "widths = " + list(c.network.widths)) +
                      ": the network would have " + std::to_string(static_cast<double>(total)) +
                      " weights, more than the limit of " + std::to_string(kMaxWeights));
  }
}

NetworkShape unchecked_shape(const Config& c, int input_width, int classes) {
  if (c.network.kind == "cnn") {
    if (c.dynamics.mode != "algebraic") {
      throw ConfigError(c.source + ": dynamics.mode = " + c.dynamics.mode +
                        ": settling dynamics are implemented for dense networks; network.kind "
                        "cnn uses dynamics.mode algebraic");
    }
    return cnn_shape(c, input_width, classes);
  }
  NetworkShape shape{widths_of(c, input_width), {}, {}, {}};
  const auto& w = shape.widths;
  const int L = static_cast<int>(w.size()) - 1;
  const bool inverts = rule_inverts(c.learning.algorithm);
  shape.reads.assign(L + 1, 0);
  shape.reads[1] = w[0];
  for (int l = 2; l <= L; ++l) {
    // tower: layer l reads the first n_l units of l-1 (the rest are auxiliary) so it is square.
    shape.reads[l] = c.network.kind == "tower" ? w[l] : w[l - 1];
    const bool fits = shape.reads[l] <= w[l - 1];
    const bool square = shape.reads[l] == w[l];
    if (!fits || (inverts && !square)) {
      throw ConfigError(c.source + ": network.widths = " + list(w) + ": layer " +
                        std::to_string(l) + " (" + std::to_string(w[l]) + " units) cannot be " +
                        (fits ? "inverted" : "built") + " under learning.algorithm " +
                        c.learning.algorithm + " with network.kind " + c.network.kind +
                        (fits ? "; layers above the first must be square (use kind tower "
                                "with non-increasing widths)"
                              : "; tower widths must not increase"));
    }
  }
  shape.passed.assign(L + 1, 0);
  shape.conv.assign(L + 1, std::nullopt);
  for (int l = 0; l < L; ++l) shape.passed[l] = shape.reads[l + 1];
  shape.passed[L] = classes;
  if (w[L] < classes) {
    throw ConfigError(c.source + ": the output population has " + std::to_string(w[L]) +
                      " units, fewer than the " + std::to_string(classes) + " classes of " +
                      c.data.dataset);
  }
  return shape;
}

// Sparse connectivity (network.connection_prob = p < 1): layer l's mask comes from its own
// stream, seeded by (network.seed, l), so the weights' stream is the one of a dense net; the
// weights become W = M * V with V the usual initial weights divided by sqrt(p), which keeps the
// mean square of each unit's input weights, hence the activity's scale, of the dense net.
void add_mask(const Config& c, int l, Projection<double>& in) {
  const double p = c.network.connection_prob;
  if (p >= 1.0) return;
  std::seed_seq seeds{static_cast<std::uint64_t>(c.network.seed), std::uint64_t{0x6d61736b},
                      static_cast<std::uint64_t>(l)};
  std::mt19937_64 rng(seeds);
  in.mask = std::make_shared<const ConnectionMask>(
      ConnectionMask::random(in.W.rows(), in.W.cols(), p, rng));
  in.W /= std::sqrt(p);
  in.mask->apply(in.W);
}

// s_i |V| alone gives every unit a drive of mean (n_E - n_I) E|V| h from equal presynaptic
// rates h, which grows layer by layer. Excitatory rows are scaled by sqrt(n_I / n_E) and
// inhibitory ones by sqrt(n_E / n_I): excitation and inhibition then balance in expectation
// (n_E a = n_I b) and the mean square of each unit's input weights is the plain net's
// (n_E a^2 + n_I b^2 = n_E + n_I). Without inhibitory units nothing can balance: unscaled.
void balance_signs(const PresynapticSigns& signs, Mat<double>& W) {
  const auto inhibitory = static_cast<double>((signs.signs().array() < 0).count());
  const double excitatory = double(signs.size()) - inhibitory;
  if (inhibitory == 0.0 || excitatory == 0.0) return;
  for (Eigen::Index i = 0; i < W.rows(); ++i) {
    W.row(i) *= signs.signs()(i) > 0 ? std::sqrt(inhibitory / excitatory)
                                     : std::sqrt(excitatory / inhibitory);
  }
}

// Dale's principle, sign form (network.dale = sign): layer l's presynaptic signs come from
// their own stream, seeded by (network.seed, l), and the initial weights become s_i |V(i, j)|.
// A conv kernel matrix has one row per (channel, offset) of a patch, not per presynaptic unit:
// refused.
void refuse_conv(const Config& c, int l, const Projection<double>& in) {
  if (!in.dense()) {
    throw ConfigError(layer_key(c, l) + ": network.dale = " + c.network.dale +
                      " applies to dense projections only (a conv kernel row is not one "
                      "presynaptic unit); use network.dale off with conv layers");
  }
}

void add_signs(const Config& c, int l, Projection<double>& in) {
  if (c.network.dale != "sign") return;
  refuse_conv(c, l, in);
  std::seed_seq seeds{static_cast<std::uint64_t>(c.network.seed), std::uint64_t{0x64616c65},
                      static_cast<std::uint64_t>(l)};
  std::mt19937_64 rng(seeds);
  in.signs = std::make_shared<const PresynapticSigns>(
      PresynapticSigns::random(in.W.rows(), c.network.inhibitory_fraction, rng));
  in.signs->apply(in.W);
  balance_signs(*in.signs, in.W);
}

// Dale's principle, dann form (network.dale = dann): layer l gets n_I = ceil(fraction x n_l)
// interneurons whose weights come from their own stream, seeded by (network.seed, l); the
// components are balanced so that the effective W is the plain (or masked) initial W
// (balanced_dann_weights). A conv layer is refused as for the sign form.
void add_dann(const Config& c, int l, Projection<double>& in) {
  if (c.network.dale != "dann") return;
  refuse_conv(c, l, in);
  std::seed_seq seeds{static_cast<std::uint64_t>(c.network.seed), std::uint64_t{0x64616e6e},
                      static_cast<std::uint64_t>(l)};
  std::mt19937_64 rng(seeds);
  const Eigen::Index n_I = dann_interneurons(in.W.cols(), c.network.inhibitory_fraction);
  in.dann = balanced_dann_weights(in.W, n_I, in.mask.get(), rng);
  in.dann->effective(in.W);
}

// The keys that shaped a constrained layer's weights, for messages.
std::string constraint_keys(const Config& c) {
  std::string keys;
  if (c.network.connection_prob < 1.0) {
    std::ostringstream p;
    p << c.network.connection_prob;
    keys = "network.connection_prob = " + p.str();
  }
  if (c.network.dale != "off") {
    keys += (keys.empty() ? "" : ", ") + std::string("network.dale = ") + c.network.dale;
  }
  return keys;
}

// A rule that inverts layers 2..L needs their constrained weights invertible in the run's precision
// (the condition limit of plasticity/layer_inverse.hpp): refused now rather than at step 1.
template <class T>
void check_invertible(const Config& c, const Network<double>& net) {
  try {
    LayerInverse<T>().factorize(net.template cast<T>());
  } catch (const IllConditionedLayer& e) {
    throw ConfigError(
        c.source + ": " + constraint_keys(c) + ": the constrained weights leave layer " +
        std::to_string(e.layer) + " (" + net.layer(e.layer).pop.name +
        ") singular or ill-conditioned (condition estimate " + std::to_string(e.condition) +
        "), but learning.algorithm " + c.learning.algorithm +
        " inverts it; raise network.connection_prob or change network.seed");
  }
}

}  // namespace

NetworkShape network_shape(const Config& c, int input_width, int classes) {
  NetworkShape shape = unchecked_shape(c, input_width, classes);
  check_weight_count(c, shape);
  return shape;
}

Network<double> build_network(const Config& c, int input_width, int classes) {
  const NetworkShape shape = network_shape(c, input_width, classes);
  const int L = static_cast<int>(shape.widths.size()) - 1;
  std::mt19937_64 rng(static_cast<std::uint64_t>(c.network.seed));
  Network<double> net;
  net.classes = classes;
  net.input = {"input", shape.widths[0], shape.passed[0], {"linear", 1.0}};
  const std::string out_kind =
      c.network.output_activation == "same" ? c.network.activation : c.network.output_activation;
  for (int l = 1; l <= L; ++l) {
    const bool output = l == L;
    const std::string name = (output          ? "output"
                              : shape.conv[l] ? "conv" + std::to_string(l)
                                              : "hidden" + std::to_string(l));
    PopulationParams pop{name,
                         shape.widths[l],
                         shape.passed[l],
                         {output ? out_kind : c.network.activation, c.network.slope,
                          c.network.softplus_beta, c.network.rate_max}};
    Projection<double> in;
    if (shape.conv[l]) {
      const ConvParams& p = *shape.conv[l];
      in.wiring = std::make_shared<ConvWiring>(p);
      in.W = initial_weights(c.network.init, Eigen::Index(p.in_channels) * p.kernel * p.kernel,
                             p.channels, rng);
      in.b = RowVec<double>::Zero(p.channels);
    } else {
      in.W = initial_weights(c.network.init, shape.reads[l], shape.widths[l], rng);
      in.b = RowVec<double>::Zero(shape.widths[l]);
    }
    add_mask(c, l, in);
    add_signs(c, l, in);
    add_dann(c, l, in);
    net.layers.push_back({pop, make_transfer(pop.transfer), std::move(in)});
  }
  if (!constraint_keys(c).empty() && rule_inverts(c.learning.algorithm)) {
    with_precision(c.learning, [&]<class T>() { check_invertible<T>(c, net); });
  }
  return net;
}

}  // namespace gaitsim
