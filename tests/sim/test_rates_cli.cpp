// Softplus and logistic rates end to end (biology.md 1, docs/file-formats.md): the clipped
// nudged activities in the run file against a count known in closed form, resumption bitwise
// with the counts carried over, layer attributes, bad values refused by key, `gaitsim keys`,
// and default runs left without any of it.
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/h5_file.hpp"
#include "cli_runner.hpp"
#include "mnist_cli_test.hpp"
#include "neurons/types.hpp"

namespace gaitsim {
namespace {

using testing::contains;
using testing::run_cli;
using testing::ScratchDir;

using Counts = Eigen::Matrix<long long, Eigen::Dynamic, Eigen::Dynamic>;

// A small tower net on the first 600 MNIST examples: 10 steps of 60 per epoch, 2 epochs.
std::string rates_config(const ScratchDir& dir, const std::string& network,
                         const std::string& algorithm) {
  const std::string path = dir / "rates.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(600, 100)
                      << "network:\n  kind: tower\n  widths: [784, 40, 32, 24]\n"
                      << network << "learning:\n  algorithm: " << algorithm
                      << "\n  batch_size: 60\n  epochs: 2\n  learning_rate: 1e-3\n"
                      << "output:\n  progress: false\n  align_every: 5\n  checkpoint_every: 4\n";
  return path;
}

class RatesCli : public testing::MnistCliTest {};

// TP with logistic rates in (0, 1) and MSE to one-hot: the output target is the one-hot vector
// itself, on the bounds of the range, so every class unit of every sample is clipped at the
// output (and no auxiliary unit, whose target is its own activity): 10 steps x 60 samples x
// 10 classes per epoch, in both dynamics modes (settle counts at the settled state, where the
// output is clamped to the same nudge).
TEST_F(RatesCli, TpToOneHotClipsEveryClassUnitOfTheOutput) {
  for (const char* mode : {"algebraic", "settle"}) {
    const std::string cfg = rates_config(dir, "  activation: logistic\n  rate_max: 1\n", "tp");
    const std::string out = dir / (std::string("tp-") + mode);
    const auto r = run_cli("train " + cfg + " --set dynamics.mode=" + mode + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const h5::File f = h5::File::open_read(out + "/run.h5");
    const Counts c = f.read_matrix<long long>("/constraints/clipped_units");
    ASSERT_EQ(c.rows(), 2);
    ASSERT_EQ(c.cols(), 3);
    EXPECT_EQ(c(0, 2), 10 * 60 * 10) << mode;
    EXPECT_EQ(c(1, 2), 10 * 60 * 10) << mode;
    EXPECT_GE(c.minCoeff(), 0);
    EXPECT_EQ(c(0, 0), 0) << "layer 1 is never inverted";
    EXPECT_EQ(f.attr_double("/weights/1", "rate_max"), 1.0);
    EXPECT_FALSE(f.has_attr("/weights/1", "beta"));
    EXPECT_EQ(f.read_vector<long long>("/state/clipped_units"), (std::vector<long long>{0, 0, 0}));
  }
}

TEST_F(RatesCli, ResumedRunEqualsUninterruptedRunWithItsCounts) {
  for (const char* precision : {"float64", "float32"}) {
    for (const char* mode : {"algebraic", "settle"}) {
      const std::string cfg = rates_config(
          dir, "  activation: softplus\n  softplus_beta: 2\n  output_activation: logistic\n",
          "gait");
      const std::string set = std::string(" --set learning.precision=") + precision +
                              " --set dynamics.mode=" + mode + " --set learning.gamma=0.5";
      const std::string tag = std::string(precision) + "-" + mode;
      const std::string whole = dir / ("whole-" + tag), parts = dir / ("parts-" + tag);
      ASSERT_EQ(run_cli("train " + cfg + set + " --out " + whole).exit_code, 0);
      ASSERT_EQ(run_cli("train " + cfg + set + " --out " + parts + " --max-steps 13").exit_code, 0);
      const auto done = run_cli("train " + cfg + set + " --out " + parts + " --resume");
      ASSERT_EQ(done.exit_code, 0) << done.output;
      const h5::File a = h5::File::open_read(whole + "/run.h5");
      const h5::File b = h5::File::open_read(parts + "/run.h5");
      for (int l = 1; l <= 3; ++l) {
        const std::string W = "/weights/" + std::to_string(l) + "/W";
        EXPECT_EQ(a.read_matrix<double>(W), b.read_matrix<double>(W)) << tag << " layer " << l;
      }
      EXPECT_EQ(a.read_matrix<long long>("/constraints/clipped_units"),
                b.read_matrix<long long>("/constraints/clipped_units"))
          << tag;
      EXPECT_EQ(a.attr_double("/weights/1", "beta"), 2.0);
      EXPECT_EQ(a.attr_string("/weights/3", "activation"), "logistic");
      EXPECT_EQ(a.attr_double("/weights/3", "rate_max"), 1.0);
    }
  }
}

TEST_F(RatesCli, BadValuesAreRefusedNamingTheKey) {
  const std::string cfg = rates_config(dir, "  activation: softplus\n", "gait");
  for (const std::string key : {"network.softplus_beta", "network.rate_max"}) {
    for (const char* bad : {"0", "-1"}) {
      const auto r =
          run_cli("train " + cfg + " --set " + key + "=" + bad + " --out " + (dir / "bad"));
      EXPECT_EQ(r.exit_code, 2) << r.output;
      EXPECT_TRUE(contains(r.output, key)) << r.output;
      EXPECT_TRUE(contains(r.output, "> 0")) << r.output;
    }
  }
  const auto unknown =
      run_cli("train " + cfg + " --set network.activation=tanh --out " + (dir / "bad"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.output, "network.activation")) << unknown.output;
}

TEST_F(RatesCli, KeysDocumentUnitAndRange) {
  const auto r = run_cli("keys");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "network.softplus_beta = 1")) << r.output;
  EXPECT_TRUE(contains(r.output, "[1/rate units] (a number > 0)")) << r.output;
  EXPECT_TRUE(contains(r.output, "network.rate_max = 1")) << r.output;
  EXPECT_TRUE(contains(r.output, "[rate units] (a number > 0)")) << r.output;
  EXPECT_TRUE(contains(r.output, "logistic")) << r.output;
  EXPECT_TRUE(contains(r.output, "softplus")) << r.output;
}

// With the new keys at their defaults nothing of them reaches the run file.
TEST_F(RatesCli, DefaultRunsCarryNoneOfIt) {
  const std::string cfg = rates_config(dir, "", "gait");
  const std::string out = dir / "plain";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + out + " --max-steps 3").exit_code, 0);
  const h5::File f = h5::File::open_read(out + "/run.h5");
  EXPECT_FALSE(f.exists("/constraints"));
  EXPECT_FALSE(f.exists("/state/clipped_units"));
  EXPECT_FALSE(f.has_attr("/weights/1", "beta"));
  EXPECT_FALSE(f.has_attr("/weights/1", "rate_max"));
  EXPECT_FALSE(contains(f.attr_string("/", "config"), "softplus_beta"));
  EXPECT_FALSE(contains(f.attr_string("/", "config"), "rate_max"));
}

}  // namespace
}  // namespace gaitsim
