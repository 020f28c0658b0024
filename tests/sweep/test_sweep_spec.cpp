// Sweep files: grid, range, log range and random expansion, folder names, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "sim/config.hpp"
#include "sim/network_builder.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sweep_test_util.hpp"

namespace gaitsim {
namespace {

using testing::ScratchDir;

class SweepSpecTest : public ::testing::Test {
 protected:
  SweepSpec parse(const std::string& body) {
    testing::tiny_config(dir);
    return parse_sweep("base: tiny.yaml\n" + body, dir.path() / "s.yaml");
  }
  ScratchDir dir;
};

TEST_F(SweepSpecTest, GridIsTheProductOfAxesTimesSeeds) {
  const auto spec = parse(
      "axes:\n  learning.gamma: [1e-3, 1e-4]\n  learning.learning_rate: {log: [1e-5, 1e-3, 3]}\n"
      "seeds: [1, 2, 3]\n");
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 2u * 3u * 3u);
  EXPECT_EQ(points[0].name, "learning.gamma=0.001__learning.learning_rate=1e-05__seed=1");
  EXPECT_EQ(points[1].name, "learning.gamma=0.001__learning.learning_rate=1e-05__seed=2");
  EXPECT_EQ(points[3].params[1].second, "1e-04");  // log range: 1e-5, 1e-4, 1e-3 exactly
  EXPECT_EQ(points[6].params[1].second, "0.001");
  EXPECT_EQ(points[9].params[0].second, "1e-04");
  EXPECT_EQ(points[17].seed, 3);
  EXPECT_EQ(points[17].sets.back(), "network.seed=3");
  EXPECT_NO_THROW(validate_sweep(spec, points));
  std::set<std::string> names;
  for (const auto& p : points) names.insert(p.name);
  EXPECT_EQ(names.size(), points.size());
}

TEST_F(SweepSpecTest, LinearRangeIncludesItsEnd) {
  const auto spec = parse("axes:\n  learning.ortho_reg: {range: [0, 0.3, 0.1]}\n");
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[3].params[0].second, "0.3");
  EXPECT_EQ(points[0].seed, 1);  // the base config's seed when no seeds are given
}

TEST_F(SweepSpecTest, RandomSamplesAreReproducibleFromTheirSeed) {
  const std::string body =
      "axes:\n  learning.gamma: [1e-3, 1e-4]\n  learning.learning_rate: {log_uniform: [1e-5, "
      "1e-3]}\n"
      "  learning.ortho_reg: {uniform: [0, 1]}\nsamples: 5\nseeds: [1, 2]\n";
  const auto a = expand_sweep(parse(body + "sample_seed: 7\n"));
  const auto b = expand_sweep(parse(body + "sample_seed: 7\n"));
  const auto c = expand_sweep(parse(body + "sample_seed: 8\n"));
  ASSERT_EQ(a.size(), 2u * 5u * 2u);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].name, b[i].name);
  EXPECT_NE(a[0].name, c[0].name);
  EXPECT_EQ(a[0].params[1].second, a[1].params[1].second);  // seeds share a sample
  for (const auto& p : a) {
    const double lr = std::stod(p.params[1].second), ortho = std::stod(p.params[2].second);
    EXPECT_GE(lr, 1e-5);
    EXPECT_LE(lr, 1e-3);
    EXPECT_GE(ortho, 0.0);
    EXPECT_LE(ortho, 1.0);
  }
}

TEST_F(SweepSpecTest, EmptyAxisIsAnError) {
  try {
    parse("axes:\n  learning.gamma: []\n");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(testing::has(e.what(), "axes.learning.gamma: the axis is empty")) << e.what();
  }
  EXPECT_THROW(parse("axes:\n  learning.gamma: {log: [1e-3, 1e-4, 0]}\n"), ConfigError);
  EXPECT_THROW(parse("axes:\n  learning.gamma: {range: [1, 0, 0.1]}\n"), ConfigError);
  EXPECT_THROW(parse("axes: {}\n"), ConfigError);
}

TEST_F(SweepSpecTest, UnknownParameterIsNamedBeforeAnythingRuns) {
  const auto spec = parse("axes:\n  learning.gamm: [1e-3]\n");
  try {
    validate_sweep(spec, expand_sweep(spec));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(testing::has(e.what(), "learning.gamm")) << e.what();
    EXPECT_TRUE(testing::has(e.what(), "learning.gamma")) << e.what();  // did you mean
  }
  const auto bad_value = parse("axes:\n  learning.algorithm: [gait, gaitt]\n");
  EXPECT_THROW(validate_sweep(bad_value, expand_sweep(bad_value)), ConfigError);
  EXPECT_THROW(parse("axes:\n  learning.gamma: [1]\nsamplez: 3\n"), ConfigError);
  EXPECT_THROW(parse("axes:\n  learning.gamma: {uniform: [0, 1]}\n"), ConfigError);  // no samples
}

// A method that is more than one key (learned feedback: algorithm, feedback mode, warm-up and
// its extra epoch) is one value of a cases axis; its keys override `set:` and nothing else.
TEST_F(SweepSpecTest, CasesAxisSetsEachCasesKeysTogether) {
  const auto spec = parse(
      "set: {learning.epochs: 1}\n"
      "axes:\n"
      "  method:\n"
      "    cases:\n"
      "      bp: {learning.algorithm: bp}\n"
      "      gait_learned: {learning.algorithm: gait, feedback.mode: learned, learning.epochs: 2,"
      " feedback.warmup_epochs: 1}\n"
      "      base: {}\n"
      "  learning.gamma: [1e-3, 1e-4]\n"
      "seeds: [1, 2]\n");
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 3u * 2u * 2u);
  EXPECT_EQ(points[0].name, "method=bp__learning.gamma=0.001__seed=1");
  EXPECT_EQ(points[4].params[0], (std::pair<std::string, std::string>("method", "gait_learned")));
  const std::vector<std::string> learned = {
      "learning.epochs=1", "learning.algorithm=gait",  "feedback.mode=learned",
      "learning.epochs=2", "feedback.warmup_epochs=1", "learning.gamma=0.001",
      "network.seed=1"};
  EXPECT_EQ(points[4].sets, learned);
  EXPECT_EQ(points[8].sets, (std::vector<std::string>{"learning.epochs=1", "learning.gamma=0.001",
                                                      "network.seed=1"}));
  EXPECT_NO_THROW(validate_sweep(spec, points));
  const Config c = load_config(spec.base, points[4].sets);
  EXPECT_EQ(c.learning.epochs, 2);  // the case overrides `set:`
  EXPECT_EQ(c.feedback.mode, "learned");
  EXPECT_EQ(spec.keys(), (std::vector<std::string>{"method", "learning.gamma"}));
}

TEST_F(SweepSpecTest, BadCasesAreRefusedNamingTheCase) {
  const auto error_of = [&](const std::string& axes) {
    try {
      const auto spec = parse("axes:\n" + axes);
      validate_sweep(spec, expand_sweep(spec));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {}}\n"), "axes.m: cases needs a map"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: [a, b]}\n"), "axes.m: cases needs a map"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {a: 1}}\n"), "axes.m.cases.a: expected a map"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {a: {learning.gamma: [1, 2]}}}\n"),
                           "axes.m.cases.a.learning.gamma"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {a: {network.seed: 2}}}\n"),
                           "axes.m.cases.a.network.seed: list seeds under 'seeds'"));
  EXPECT_TRUE(testing::has(error_of("  network.seed: [1, 2]\n"),
                           "axes.network.seed: list seeds under 'seeds'"));
  EXPECT_TRUE(
      testing::has(error_of("  m: {cases: {a: {}, a: {}}}\n"), "duplicate key 'axes.m.cases.a'"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {a: {learning.gamma: 1, learning.gamma: 2}}}\n"),
                           "duplicate key 'axes.m.cases.a.learning.gamma'"));
  EXPECT_TRUE(testing::has(error_of("  m: {cases: {a: {learning.gamma: 1}}}\n"
                                    "  learning.gamma: [1e-3]\n"),
                           "axes.m and axes.learning.gamma both set learning.gamma"));
  const std::string unknown = error_of("  m: {cases: {a: {learning.gamm: 1}}}\n");
  EXPECT_TRUE(testing::has(unknown, "point m=a__seed=1")) << unknown;
  EXPECT_TRUE(testing::has(unknown, "learning.gamm")) << unknown;
  EXPECT_TRUE(testing::has(error_of("  m: {casez: {a: {}}}\n"), "or cases"));
}

// Issue 13: sweep files lacked the config files' YAML checks. A repeated key at any depth was
// silently resolved by yaml-cpp (one of the two values won).
TEST_F(SweepSpecTest, DuplicateKeyIsRefusedNamingTheKeyAndLine) {
  const auto error_of = [&](const std::string& body) {
    try {
      parse(body);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string message = error_of("axes:\n  learning.gamma: [1e-3]\nseeds: [1]\nseeds: [2, 3]\n");
  EXPECT_TRUE(testing::has(message, "s.yaml:5: duplicate key 'seeds'")) << message;
  message =
      error_of("set: {learning.epochs: 1, learning.epochs: 2}\naxes:\n  learning.gamma: [1]\n");
  EXPECT_TRUE(testing::has(message, "duplicate key 'set.learning.epochs'")) << message;
  message = error_of("axes:\n  learning.gamma: {range: [1, 2, 1], range: [1, 3, 1]}\n");
  EXPECT_TRUE(testing::has(message, "s.yaml:3: duplicate key 'axes.learning.gamma.range'"))
      << message;
  message = error_of("axes:\n  learning.gamma: [1]\n  learning.gamma: [2]\n");
  EXPECT_TRUE(testing::has(message, "s.yaml:4: duplicate key 'axes.learning.gamma'")) << message;
}

// Issue 13: an empty or comment-only sweep file said only "expected a map", a second document
// (--- separator) was ignored and a NUL byte could hang yaml-cpp, as in configs.
TEST_F(SweepSpecTest, EmptyMultiDocumentOrControlCharacterSweepIsRefused) {
  const auto error_of = [&](const std::string& text) {
    try {
      parse_sweep(text, dir.path() / "s.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  testing::tiny_config(dir);
  for (const std::string text : {"", "\n\n", "# only a comment\n", "---\n"}) {
    const std::string message = error_of(text);
    EXPECT_TRUE(testing::has(message, "s.yaml: empty sweep")) << "'" << text << "': " << message;
  }
  const std::string one = "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3]\n";
  std::string message = error_of(one + "---\n" + one);
  EXPECT_TRUE(testing::has(message, "s.yaml:5: holds 2 YAML documents")) << message;
  message = error_of(one + "seeds: [1]" + std::string(1, '\0') + "\n");
  EXPECT_TRUE(testing::has(message, "s.yaml:4: control character 0x00")) << message;
  EXPECT_NO_THROW(parse_sweep(one, dir.path() / "s.yaml"));
}

// A sweep file names its base config; the other files in configs/studies/ are such bases.
bool is_sweep_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("base:", 0) == 0) return true;
  return false;
}

void expect_network_fits_dataset(const Config& c, const std::string& where) {
  const int input = c.data.dataset == "cifar10" ? 3072 : 784;
  EXPECT_NO_THROW(network_shape(c, input, 10)) << where;
}

// Every study in configs/studies/ runs as shipped: each sweep parses and every point is a valid
// config whose network fits its dataset (a typo would otherwise surface hours into a study).
TEST(ShippedStudies, EveryPointOfEverySweepIsAValidConfig) {
  const auto dir = std::filesystem::path(GAITSIM_TEST_DATA_DIR).parent_path() / "configs/studies";
  int sweeps = 0;
  std::size_t points = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    if (!is_sweep_file(entry.path())) {
      expect_network_fits_dataset(load_config(entry.path(), {}), entry.path().string());
      continue;
    }
    const SweepSpec spec = load_sweep(entry.path());
    const auto expanded = expand_sweep(spec);
    EXPECT_FALSE(expanded.empty()) << entry.path();
    EXPECT_NO_THROW(validate_sweep(spec, expanded)) << entry.path();
    for (const auto& p : expanded)
      expect_network_fits_dataset(load_config(spec.base, p.sets),
                                  entry.path().string() + " point " + p.name);
    ++sweeps;
    points += expanded.size();
  }
  EXPECT_GE(sweeps, 20);
  EXPECT_GE(points, 300u);
}

TEST(SweepNames, ValuesAreShortAndFoldersSafe) {
  EXPECT_EQ(format_value(1e-3), "0.001");
  EXPECT_EQ(format_value(std::pow(10.0, -4.0 + 1.0 / 3.0 * 3.0)), "0.001");
  EXPECT_EQ(format_value(60), "60");
  EXPECT_EQ(sanitise("a/b c=1"), "a_b_c=1");
  EXPECT_NE(digest("a"), digest("b"));
}

}  // namespace
}  // namespace gaitsim
