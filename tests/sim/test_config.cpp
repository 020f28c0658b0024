// Config parsing: every key through YAML and --set, and each kind of bad input named clearly.
#include <gtest/gtest.h>

#include "sim/config.hpp"
#include "sim/network_builder.hpp"

namespace gaitsim {
namespace {

std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    parse_config(yaml, "cfg.yaml", sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Config, DefaultsAndValuesFromYamlAndSet) {
  const Config c = parse_config(
      "learning:\n  algorithm: bp\n  gamma: 1e-4\nnetwork:\n  kind: tower\n  widths: [784, 500, "
      "10]\n",
      "cfg.yaml", {"learning.gamma=2e-5", "data.train_limit=100", "learning.adaptive_gamma=true"});
  EXPECT_EQ(c.learning.algorithm, "bp");
  EXPECT_DOUBLE_EQ(c.learning.gamma, 2e-5);
  EXPECT_TRUE(c.learning.adaptive_gamma);
  EXPECT_EQ(c.data.train_limit, 100);
  EXPECT_EQ(c.network.widths, (std::vector<int>{784, 500, 10}));
  EXPECT_EQ(c.learning.batch_size, 60);
  EXPECT_EQ(c.network.slope, 0.1);
}

TEST(Config, ResolvedYamlRoundTrips) {
  const Config c =
      parse_config("network:\n  kind: dense\n  widths: [4, 4]\n", "a", {"learning.epochs=3"});
  const Config again = parse_config(c.to_yaml(), "b", {});
  EXPECT_EQ(again.to_yaml(), c.to_yaml());
  EXPECT_EQ(again.learning.epochs, 3);
}

TEST(Config, UnknownKeySuggestsTheNearest) {
  const std::string e = error_of("learning:\n  gama: 0.1\n");
  EXPECT_TRUE(has(e, "cfg.yaml")) << e;
  EXPECT_TRUE(has(e, "learning.gama")) << e;
  EXPECT_TRUE(has(e, "did you mean 'learning.gamma'")) << e;
  EXPECT_TRUE(has(error_of("", {"learning.batchsize=3"}), "learning.batch_size"));
  EXPECT_TRUE(has(error_of("netwrk:\n  kind: square\n"), "unknown key 'netwrk'"));
}

TEST(Config, BadChoiceSuggestsTheNearest) {
  const std::string e = error_of("learning:\n  algorithm: giat\n");
  EXPECT_TRUE(has(e, "learning.algorithm")) << e;
  EXPECT_TRUE(has(e, "'giat'")) << e;
  EXPECT_TRUE(has(e, "did you mean 'gait'")) << e;
}

TEST(Config, OutOfRangeValuesAreNamed) {
  EXPECT_TRUE(has(error_of("learning:\n  gamma: -1e-3\n"),
                  "learning.gamma = '-1e-3': expected a number > 0"));
  EXPECT_TRUE(has(error_of("learning:\n  batch_size: 0\n"), "learning.batch_size"));
  EXPECT_TRUE(has(error_of("", {"learning.learning_rate=abc"}), "--set: learning.learning_rate"));
  EXPECT_TRUE(has(error_of("learning:\n  beta1: 1.0\n"), "< 1"));
  EXPECT_TRUE(has(error_of("network:\n  widths: [784, -3]\n"), "network.widths"));
  EXPECT_TRUE(has(error_of("learning:\n  epochs: 2.5\n"), "an integer"));
  EXPECT_TRUE(has(error_of("", {"learning.gamma"}), "expected key=value"));
  EXPECT_TRUE(has(error_of("learning: [1, 2\n"), "invalid YAML"));
}

TEST(NetworkShape, NonInvertibleWidthsAreRefusedForGaitAndTp) {
  Config c = parse_config("network:\n  kind: dense\n  widths: [784, 500, 300, 10]\n", "w.yaml", {});
  for (const char* alg : {"gait", "tp"}) {
    c.learning.algorithm = alg;
    try {
      network_shape(c, 784, 10);
      FAIL() << alg;
    } catch (const ConfigError& e) {
      EXPECT_TRUE(has(e.what(), "network.widths")) << e.what();
      EXPECT_TRUE(has(e.what(), "layer 2")) << e.what();
      EXPECT_TRUE(has(e.what(), "square")) << e.what();
    }
  }
  c.learning.algorithm = "bp";
  EXPECT_NO_THROW(network_shape(c, 784, 10));
  c.network.kind = "tower";
  c.learning.algorithm = "gait";
  const NetworkShape tower = network_shape(c, 784, 10);
  EXPECT_EQ(tower.reads, (std::vector<int>{0, 784, 300, 10}));
  c.network.widths = {784, 100, 200, 10};
  EXPECT_THROW(network_shape(c, 784, 10), ConfigError);
  c.network.widths = {784, 784, 5};
  EXPECT_TRUE(has(
      [&] {
        try {
          network_shape(c, 784, 10);
        } catch (const ConfigError& e) {
          return std::string(e.what());
        }
        return std::string();
      }(),
      "fewer than the 10 classes"));
  c.network.widths = {100, 10};
  EXPECT_THROW(network_shape(c, 784, 10), ConfigError);
}

}  // namespace
}  // namespace gaitsim
