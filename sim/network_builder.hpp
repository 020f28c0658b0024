#pragma once
// Builds the network a config describes, checking every shape against the data and the rule.
#include <optional>

#include "neurons/conv_wiring.hpp"
#include "neurons/network.hpp"
#include "sim/config.hpp"

namespace gaitsim {

// Population widths from input to output, how many units each layer reads from the one below
// (reads[l] for l = 1..L; reads[0] unused) and how many it passes on (passed[L]: the classes),
// and for conv layers (kind cnn) their geometry.
struct NetworkShape {
  std::vector<int> widths;
  std::vector<int> reads;
  std::vector<int> passed;
  std::vector<std::optional<ConvParams>> conv;
};

// Throws ConfigError naming the key when the shape does not fit the data or, for rules that
// invert layers, when a layer above the first cannot be square (for cnn: for any rule, so that
// every rule trains the same network).
NetworkShape network_shape(const Config& config, int input_width, int classes);

// Initial network in float64 (weights drawn with network.seed).
Network<double> build_network(const Config& config, int input_width, int classes);

}  // namespace gaitsim
