// Config parsing: every key through YAML and --set, and each kind of bad input named clearly.
#include <gtest/gtest.h>

#include <filesystem>

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

// The smallest valid config: an empty one is an error of its own.
const std::string kMinimal = "learning:\n  epochs: 1\n";

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

// dynamics.tau_ms takes one number or one per population; a single number is written as before.
TEST(Config, TauIsANumberOrAListPerPopulation) {
  const Config one = parse_config(kMinimal, "a", {"dynamics.tau_ms=8"});
  EXPECT_EQ(one.dynamics.tau_ms, 8.0);
  EXPECT_TRUE(one.dynamics.population_tau_ms.empty());
  EXPECT_TRUE(has(one.to_yaml(), "tau_ms: 8\n")) << one.to_yaml();
  const Config list = parse_config("dynamics:\n  tau_ms: [10, 2.5, 20]\n  dt_ms: 1\n", "b", {});
  EXPECT_EQ(list.dynamics.population_tau_ms, (std::vector<double>{10, 2.5, 20}));
  EXPECT_EQ(list.dynamics.tau_ms, 2.5);  // the smallest bounds the Euler step
  const Config again = parse_config(list.to_yaml(), "c", {});
  EXPECT_EQ(again.dynamics.population_tau_ms, list.dynamics.population_tau_ms);
  EXPECT_TRUE(has(error_of("dynamics:\n  tau_ms: [10, -1]\n"), "dynamics.tau_ms"));
  EXPECT_TRUE(has(error_of("dynamics:\n  tau_ms: []\n"), "dynamics.tau_ms"));
  EXPECT_TRUE(has(error_of("dynamics:\n  tau_ms: [10, 1]\n  dt_ms: 5\n"), "dt_ms"));
}

TEST(Config, UnknownKeySuggestsTheNearest) {
  const std::string e = error_of("learning:\n  gama: 0.1\n");
  EXPECT_TRUE(has(e, "cfg.yaml")) << e;
  EXPECT_TRUE(has(e, "learning.gama")) << e;
  EXPECT_TRUE(has(e, "did you mean 'learning.gamma'")) << e;
  EXPECT_TRUE(has(error_of(kMinimal, {"learning.batchsize=3"}), "learning.batch_size"));
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
  EXPECT_TRUE(
      has(error_of(kMinimal, {"learning.learning_rate=abc"}), "--set: learning.learning_rate"));
  EXPECT_TRUE(has(error_of("learning:\n  beta1: 1.0\n"), "< 1"));
  EXPECT_TRUE(has(error_of("network:\n  widths: [784, -3]\n"), "network.widths"));
  EXPECT_TRUE(has(error_of("learning:\n  epochs: 2.5\n"), "an integer"));
  EXPECT_TRUE(has(error_of(kMinimal, {"learning.gamma"}), "expected key=value"));
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

// ---------------------------------------------------------------- network.kind cnn
const char* kCnn =
    "network:\n  kind: cnn\n  input: [3, 8, 8]\n  layers:\n"
    "    - conv: {filters: 4, kernel: 3, stride: 1}\n"
    "    - conv: {filters: 8, kernel: 3, stride: 2}\n"
    "    - dense: {units: 10}\n";

std::string shape_error(const Config& c, int input_width = 192, int classes = 10) {
  try {
    network_shape(c, input_width, classes);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(CnnConfig, LayersParseAndRoundTripThroughYaml) {
  const Config c = parse_config(kCnn, "cnn.yaml", {});
  ASSERT_EQ(c.network.layers.size(), 3u);
  EXPECT_EQ(c.network.layers[1].kind, "conv");
  EXPECT_EQ(c.network.layers[1].filters, 8);
  EXPECT_EQ(c.network.layers[1].stride, 2);
  EXPECT_EQ(c.network.layers[2].units, 10);
  EXPECT_EQ(c.network.input, (std::vector<int>{3, 8, 8}));
  const Config again = parse_config(c.to_yaml(), "again.yaml", {});
  ASSERT_EQ(again.network.layers.size(), 3u);
  EXPECT_EQ(again.network.layers[0].kernel, 3);
  const Config set = parse_config(kCnn, "cnn.yaml",
                                  {"network.layers=[{conv: {filters: 2, kernel: 5}}, {dense: "
                                   "{units: 10}}]"});
  ASSERT_EQ(set.network.layers.size(), 2u);
  EXPECT_EQ(set.network.layers[0].stride, 1);  // the default
  const NetworkShape shape = network_shape(c, 192, 10);
  // 8x8x4, then 4x4 positions x D = 4*3*3 = 36 channels (8 passed on), then 4*4*8 = 128 wide.
  EXPECT_EQ(shape.widths, (std::vector<int>{192, 256, 576, 128}));
  EXPECT_EQ(shape.passed, (std::vector<int>{192, 256, 128, 10}));
}

TEST(CnnConfig, BadLayerEntriesAreNamed) {
  const std::string kind = error_of(
      "network:\n  layers:\n    - conv: {filters: 4, kernel: 3}\n    - dens: {units: 10}\n");
  EXPECT_TRUE(has(kind, "network.layers[1]")) << kind;
  EXPECT_TRUE(has(kind, "did you mean 'dense'")) << kind;
  const std::string field = error_of("network:\n  layers:\n    - conv: {filter: 4, kernel: 3}\n");
  EXPECT_TRUE(has(field, "network.layers[0].conv")) << field;
  EXPECT_TRUE(has(field, "did you mean 'filters'")) << field;
  const std::string missing = error_of("network:\n  layers:\n    - conv: {filters: 4}\n");
  EXPECT_TRUE(has(missing, "missing 'kernel'")) << missing;
  const std::string zero = error_of("network:\n  layers:\n    - dense: {units: 0}\n");
  EXPECT_TRUE(has(zero, "network.layers[0].dense.units")) << zero;
}

TEST(CnnConfig, ShapesThatCannotBeInvertedAreRefusedAtStart) {
  Config c = parse_config(kCnn, "cnn.yaml", {});
  EXPECT_EQ(shape_error(c), "");
  EXPECT_TRUE(has(shape_error(c, 784), "network.input")) << shape_error(c, 784);
  c.network.layers[1].filters = 40;  // D = 36
  EXPECT_TRUE(has(shape_error(c), "at most D")) << shape_error(c);
  EXPECT_TRUE(has(shape_error(c), "network.layers[1]")) << shape_error(c);
  c.network.layers[1].filters = 8;
  c.network.layers[1].stride = 4;
  EXPECT_TRUE(has(shape_error(c), "outside every receptive field")) << shape_error(c);
  c.network.layers[1].stride = 2;
  c.network.layers[2].units = 5;
  EXPECT_TRUE(has(shape_error(c), "one unit per class")) << shape_error(c);
  c.network.layers[2].units = 10;
  c.network.layers[1].filters = 1;  // 4 x 4 x 1 = 16 passed on: enough for 10 classes
  EXPECT_EQ(shape_error(c), "");
  c.network.layers.insert(c.network.layers.begin() + 2, LayerSpec{"dense", 0, 3, 1, 20});
  EXPECT_TRUE(has(shape_error(c), "units must be <= 16")) << shape_error(c);
  c.network.layers[2].units = 12;
  c.network.layers.insert(c.network.layers.begin() + 3, LayerSpec{"conv", 2, 3, 1, 0});
  EXPECT_TRUE(has(shape_error(c), "cannot follow a dense layer")) << shape_error(c);
  Config settle = parse_config(kCnn, "cnn.yaml", {"dynamics.mode=settle"});
  EXPECT_TRUE(has(shape_error(settle), "dynamics.mode")) << shape_error(settle);
}

// Every config in configs/ is runnable as is: it parses and its network fits its dataset's
// shape (input width and classes of each dataset, an ImageNet example being network.input).
TEST(ShippedConfigs, EveryOneParsesAndBuildsItsNetwork) {
  const auto dir = std::filesystem::path(GAITSIM_TEST_DATA_DIR).parent_path() / "configs";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    const Config c = load_config(entry.path(), {});
    int input = c.data.dataset == "cifar10" ? 3072 : 784, classes = 10;
    if (c.data.dataset == "imagenet") {
      input = c.network.input.at(0) * c.network.input.at(1) * c.network.input.at(2);
      classes = 1000;
      EXPECT_EQ(c.data.resolution, c.network.input.at(1)) << entry.path();
    }
    EXPECT_EQ(shape_error(c, input, classes), "") << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 27);
}

// Issue 13 item 13: yaml-cpp keeps both entries of a repeated key and the last one won silently.
TEST(Config, DuplicateKeyIsRefusedNamingTheKeyAndLine) {
  const std::string nested = error_of("learning:\n  gamma: 0.1\n  gamma: 0.2\n");
  EXPECT_TRUE(has(nested, "cfg.yaml:3")) << nested;
  EXPECT_TRUE(has(nested, "duplicate key 'learning.gamma'")) << nested;
  const std::string section = error_of("learning:\n  gamma: 0.1\nlearning:\n  epochs: 2\n");
  EXPECT_TRUE(has(section, "duplicate key 'learning'")) << section;
  const std::string dotted = error_of("learning.gamma: 0.1\nlearning:\n  gamma: 0.2\n");
  EXPECT_TRUE(has(dotted, "duplicate key 'learning.gamma'")) << dotted;
  const std::string layer =
      error_of("network:\n  kind: cnn\n  layers: [{dense: {units: 10, units: 12}}]\n");
  EXPECT_TRUE(has(layer, "duplicate key")) << layer;
}

// Issue 13 item 13: an empty config trained the full default MNIST job.
TEST(Config, EmptyOrCommentOnlyConfigIsRefused) {
  for (const std::string yaml : {"", "\n\n", "# only a comment\n# and another\n", "---\n"}) {
    const std::string message = error_of(yaml);
    EXPECT_TRUE(has(message, "cfg.yaml: empty config")) << "'" << yaml << "': " << message;
  }
}

// Issue 13 item 13: yaml-cpp's Load reads the first document of several and ignores the rest.
TEST(Config, MultiDocumentYamlIsRefused) {
  const std::string message = error_of("learning:\n  gamma: 0.1\n---\nlearning:\n  gamma: 0.2\n");
  EXPECT_TRUE(has(message, "2 YAML documents")) << message;
  EXPECT_TRUE(has(message, "cfg.yaml:4")) << message;
}

// Issue 13 item 12: widths of billions of units ended in a bare std::bad_alloc.
TEST(NetworkShape, HugeWidthsAreRefusedNamingTheKey) {
  const Config tower = parse_config(
      "network:\n  kind: tower\n  widths: [784, 2000000000, 10]\nlearning:\n  algorithm: bp\n",
      "w.yaml", {});
  try {
    network_shape(tower, 784, 10);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(has(e.what(), "w.yaml: network.widths")) << e.what();
    EXPECT_TRUE(has(e.what(), "limit")) << e.what();
  }
  EXPECT_TRUE(has(error_of("learning:\n  epochs: 1\n", {"network.hidden_layers=2000000000"}),
                  "network.hidden_layers"));
  // Just inside the limit is a network (not built here: 16 GiB).
  const Config square = parse_config("network:\n  hidden_layers: 2\n", "s.yaml", {});
  EXPECT_NO_THROW(network_shape(square, 784, 10));
}

// Found by fuzz_config: yaml-cpp never returned from this 44-byte text with a NUL byte in it.
TEST(Config, ControlCharacterIsRefusedNamingTheLine) {
  const std::string text = std::string("data:\n  path: a") + '\0' + "b\n";
  const std::string message = error_of(text);
  EXPECT_TRUE(has(message, "cfg.yaml:2: control character 0x00")) << message;
  EXPECT_TRUE(has(error_of("learning:\n\tgamma: 1\x01\n"), "control character 0x01"));
}

// Found by fuzz_config: yaml-cpp 0.7's LoadAll never returned on a text holding a stray ',' at
// the top level (every document ended before it, the next began at it again).
TEST(Config, StrayTopLevelCommaIsRefusedInsteadOfHanging) {
  EXPECT_TRUE(has(error_of(","), "cfg.yaml:1: invalid YAML: unexpected ','")) << error_of(",");
  // After a complete (flow) document: the second would start at the ',' forever.
  const std::string message = error_of("{learning: {gamma: 0.1}}\n,\n");
  EXPECT_TRUE(has(message, "cfg.yaml:2: invalid YAML: unexpected ','")) << message;
}

// Keys that are not plain names are refused by name, not by a yaml-cpp conversion exception.
TEST(Config, NonScalarKeyIsRefusedNamingTheFile) {
  const std::string message = error_of("? [a, b]\n: 1\n");
  EXPECT_TRUE(has(message, "cfg.yaml:1")) << message;
  EXPECT_TRUE(has(message, "plain name")) << message;
}

}  // namespace
}  // namespace gaitsim
