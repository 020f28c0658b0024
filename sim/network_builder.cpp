#include "sim/network_builder.hpp"

#include <random>

#include "neurons/weight_init.hpp"
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

bool rule_inverts(const std::string& algorithm) {
  return make_learning_rule<double>({algorithm, 1e-3, false, 1})->inverts_layers();
}

}  // namespace

NetworkShape network_shape(const Config& c, int input_width, int classes) {
  NetworkShape shape{widths_of(c, input_width), {}};
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
  if (w[L] < classes) {
    throw ConfigError(c.source + ": the output population has " + std::to_string(w[L]) +
                      " units, fewer than the " + std::to_string(classes) + " classes of " +
                      c.data.dataset);
  }
  return shape;
}

Network<double> build_network(const Config& c, int input_width, int classes) {
  const NetworkShape shape = network_shape(c, input_width, classes);
  const int L = static_cast<int>(shape.widths.size()) - 1;
  std::mt19937_64 rng(static_cast<std::uint64_t>(c.network.seed));
  Network<double> net;
  net.classes = classes;
  net.input = {"input", shape.widths[0], shape.reads[1], {"linear", 1.0}};
  const std::string out_kind =
      c.network.output_activation == "same" ? c.network.activation : c.network.output_activation;
  for (int l = 1; l <= L; ++l) {
    const bool output = l == L;
    PopulationParams pop{output ? "output" : "hidden" + std::to_string(l),
                         shape.widths[l],
                         output ? classes : shape.reads[l + 1],
                         {output ? out_kind : c.network.activation, c.network.slope}};
    DenseProjection<double> in{
        initial_weights(c.network.init, shape.reads[l], shape.widths[l], rng),
        RowVec<double>::Zero(shape.widths[l])};
    net.layers.push_back({pop, make_transfer(pop.transfer), std::move(in)});
  }
  return net;
}

}  // namespace gaitsim
