// Rate noise end to end (biology.md 4, docs/biology.md): a resumed noisy run is bitwise the
// uninterrupted one (weights and angle samples) in both dynamics modes and precisions, a resume
// with other noise is refused, and bad keys exit 2 naming the key.
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

// A small tower net on the first 600 MNIST examples: 10 steps of 60 per epoch, 2 epochs.
std::string noise_config(const ScratchDir& dir) {
  const std::string path = dir / "noise.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(600, 100)
                      << "network:\n  kind: tower\n  widths: [784, 40, 32, 24]\n"
                      << "learning:\n  batch_size: 60\n  epochs: 2\n  learning_rate: 1e-3\n"
                      << "  gamma: 0.01\n"
                      << "dynamics:\n  max_time_ms: 40\n"
                      << "noise:\n  rate_std: 1e-4\n  seed: 3\n"
                      << "output:\n  progress: false\n  align_every: 5\n  checkpoint_every: 4\n";
  return path;
}

class NoiseCli : public testing::MnistCliTest {};

TEST_F(NoiseCli, ResumedNoisyRunEqualsUninterruptedRun) {
  const std::string cfg = noise_config(dir);
  for (const char* precision : {"float64", "float32"}) {
    for (const char* mode : {"algebraic", "settle"}) {
      std::string set =
          std::string(" --set learning.precision=") + precision + " --set dynamics.mode=" + mode;
      if (std::string(mode) == "settle") set += " --set dynamics.average_ms=20";
      const std::string tag = std::string(precision) + "-" + mode;
      const std::string whole = dir / ("whole-" + tag), parts = dir / ("parts-" + tag);
      const std::string quiet = dir / ("quiet-" + tag);
      ASSERT_EQ(run_cli("train " + cfg + set + " --out " + whole).exit_code, 0);
      ASSERT_EQ(run_cli("train " + cfg + set + " --out " + parts + " --max-steps 13").exit_code, 0);
      const auto done = run_cli("train " + cfg + set + " --out " + parts + " --resume");
      ASSERT_EQ(done.exit_code, 0) << done.output;
      EXPECT_FALSE(contains(done.output, "did not converge")) << "noisy phases run a fixed time";
      ASSERT_EQ(run_cli("train " + cfg + set + " --set noise.rate_std=0 --out " + quiet).exit_code,
                0);
      const h5::File a = h5::File::open_read(whole + "/run.h5");
      const h5::File b = h5::File::open_read(parts + "/run.h5");
      const h5::File q = h5::File::open_read(quiet + "/run.h5");
      for (int l = 1; l <= 3; ++l) {
        const std::string W = "/weights/" + std::to_string(l) + "/W";
        EXPECT_EQ(a.read_matrix<double>(W), b.read_matrix<double>(W)) << tag << " layer " << l;
        EXPECT_NE(a.read_matrix<double>(W), q.read_matrix<double>(W)) << tag << " layer " << l;
      }
      EXPECT_EQ(a.read_matrix<double>("/alignment/angle_deg"),
                b.read_matrix<double>("/alignment/angle_deg"))
          << tag;
    }
  }
}

TEST_F(NoiseCli, ResumeWithOtherNoiseIsRefused) {
  const std::string cfg = noise_config(dir);
  const std::string out = dir / "run";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + out + " --max-steps 3").exit_code, 0);
  const auto r = run_cli("train " + cfg + " --set noise.seed=4 --out " + out + " --resume");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "different config")) << r.output;
}

TEST_F(NoiseCli, BadKeysExit2NamingTheKey) {
  const std::string cfg = noise_config(dir);
  const std::string out = " --out " + (dir / "bad");
  for (const std::string set :
       {"noise.rate_std=-1", "noise.seed=-2", "dynamics.average_ms=-5", "dynamics.average_ms=10"}) {
    const auto r = run_cli("train " + cfg + " --set " + set + out);
    EXPECT_EQ(r.exit_code, 2) << set << ": " << r.output;
    EXPECT_TRUE(contains(r.output, set.substr(0, set.find('=')))) << r.output;
  }
  const auto dopri5 =
      run_cli("train " + cfg + " --set dynamics.mode=settle --set dynamics.stepper=dopri5" + out);
  EXPECT_EQ(dopri5.exit_code, 2) << dopri5.output;
  EXPECT_TRUE(contains(dopri5.output, "dynamics.stepper")) << dopri5.output;
  const auto keys = run_cli("keys");
  for (const char* key : {"noise.rate_std", "noise.seed", "dynamics.average_ms"}) {
    EXPECT_TRUE(contains(keys.output, key)) << key;
  }
}

}  // namespace
}  // namespace gaitsim
