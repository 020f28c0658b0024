// A short MNIST training in settle mode reaches the same accuracy as the algebraic engine:
// the small tower net, one epoch on the first 1200 examples. (Labelled "training".)
#include <gtest/gtest.h>

#include "../sim/cli_runner.hpp"
#include "analysis/h5_file.hpp"

namespace gaitsim {
namespace {

using testing::have_test_mnist;
using testing::run_cli;

double accuracy(const std::string& mode, const std::string& extra, const testing::ScratchDir& dir) {
  const std::string out = dir / (mode + std::to_string(extra.size()));
  const auto r = run_cli(
      "train " + testing::source_dir() + "/configs/quickstart.yaml --out " + out +
      " --set data.path=" + std::string(GAITSIM_TEST_DATA_DIR) +
      "/mnist --set data.train_limit=1200 --set data.test_limit=1000 --set output.progress=false"
      " --set network.kind=tower --set network.widths=[784,256,128,64]"
      " --set learning.learning_rate=1e-3 --set output.align_every=0 --set dynamics.mode=" +
      mode + extra);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return h5::File::open_read(out + "/run.h5").read_vector<double>("/metrics/test_accuracy").back();
}

TEST(SettleTraining, SameAccuracyAsAlgebraic) {
  ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
  testing::ScratchDir dir;
  const double algebraic = accuracy("algebraic", "", dir);
  const double euler = accuracy("settle", "", dir);
  const double dopri5 = accuracy("settle", " --set dynamics.stepper=dopri5", dir);
  EXPECT_GT(algebraic, 0.6);
  // updates agree to ~1e-7 relative (the tolerance bound); over 20 steps the weights, and so
  // the classification of 1000 test images, agree to within a handful of borderline images.
  EXPECT_NEAR(euler, algebraic, 0.005);
  EXPECT_NEAR(dopri5, algebraic, 0.005);
}

}  // namespace
}  // namespace gaitsim
