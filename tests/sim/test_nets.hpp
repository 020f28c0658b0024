#pragma once
// Small networks and batches for tests, built through the same config path as real runs.
#include <random>

#include "neurons/weight_init.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"

namespace gaitsim::testing {

struct NetSpec {
  std::string kind = "square";    // square | tower | dense | cnn
  std::vector<int> widths;        // tower/dense
  std::vector<int> image;         // cnn: [channels, height, width]
  std::vector<LayerSpec> layers;  // cnn
  int input = 32;                 // square: width
  int hidden = 2;                 // square: hidden layers
  std::string activation = "leaky_relu";
  std::string output_activation = "same";
  std::string algorithm = "gait";
  std::string loss = "mse";
  double gamma = 1e-3;
  bool adaptive = false;
  int classes = 10;
  long long seed = 3;
};

inline Config config_of(const NetSpec& s) {
  Config c;
  c.source = "<test>";
  c.network.kind = s.kind;
  c.network.widths = s.widths;
  c.network.input = s.image;
  c.network.layers = s.layers;
  c.network.hidden_layers = s.hidden;
  c.network.activation = s.activation;
  c.network.output_activation = s.output_activation;
  c.network.seed = s.seed;
  c.learning.algorithm = s.algorithm;
  c.learning.loss = s.loss;
  c.learning.gamma = s.gamma;
  c.learning.adaptive_gamma = s.adaptive;
  c.learning.ortho_reg = 0.0;
  return c;
}

inline int input_width(const NetSpec& s) {
  if (s.kind == "cnn") return s.image[0] * s.image[1] * s.image[2];
  return s.kind == "square" ? s.input : s.widths[0];
}

// Network with orthogonal weights, biases small and random so that units sit on both pieces.
inline Network<double> orthogonal_net(const NetSpec& s) {
  Network<double> net = build_network(config_of(s), input_width(s), s.classes);
  std::mt19937_64 rng(s.seed + 100);
  std::normal_distribution<double> normal(0.0, 0.1);
  for (auto& layer : net.layers) {
    for (Eigen::Index j = 0; j < layer.in.b.size(); ++j) layer.in.b(j) = normal(rng);
  }
  return net;
}

// The same shapes with i.i.d. Gaussian weights of variance 1/fan_in: far from orthogonal.
inline Network<double> gaussian_net(const NetSpec& s) {
  Network<double> net = orthogonal_net(s);
  std::mt19937_64 rng(s.seed + 200);
  for (auto& layer : net.layers) {
    std::normal_distribution<double> normal(0.0, 1.0 / std::sqrt(double(layer.in.W.rows())));
    layer.in.W =
        Mat<double>::NullaryExpr(layer.in.W.rows(), layer.in.W.cols(), [&] { return normal(rng); });
  }
  return net;
}

struct Batch {
  Mat<double> x;
  Eigen::VectorXi y;
};

inline Batch random_batch(int n, int width, int classes, std::uint64_t seed = 11) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Batch b{Mat<double>::NullaryExpr(n, width, [&] { return u(rng); }), Eigen::VectorXi(n)};
  for (int i = 0; i < n; ++i) b.y(i) = static_cast<int>(rng() % classes);
  return b;
}

template <class T = double>
Engine<T> engine_of(const NetSpec& s, const Network<double>& net) {
  return Engine<T>(net.template cast<T>(), config_of(s).learning, 5);
}

// The ConfigError message of building a network (24 inputs, 10 classes) from yaml with the
// --set overrides sets; empty when the config is accepted.
inline std::string refusal(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    build_network(parse_config(yaml, "c.yaml", sets), 24, 10);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// A small tower for refusal(): 24 -> 24 -> 16 -> 12.
inline const char* const kTower = "network:\n  kind: tower\n  widths: [24, 24, 16, 12]\n";

}  // namespace gaitsim::testing
