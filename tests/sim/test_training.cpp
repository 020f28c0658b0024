// Learning that works: the square MNIST network trained for one epoch on the first 6000
// examples by GAIT-prop reaches a stated accuracy, and BP on the same data lands within a
// stated margin of it. (Slow: labelled "training".)
#include <gtest/gtest.h>

#include "analysis/h5_file.hpp"
#include "cli_runner.hpp"

namespace gaitsim {
namespace {

using testing::have_test_mnist;
using testing::run_cli;

double test_accuracy(const std::string& algorithm, const std::string& precision,
                     const testing::ScratchDir& dir) {
  const std::string out = dir / (algorithm + "-" + precision);
  const auto r =
      run_cli("train " + testing::source_dir() + "/configs/quickstart.yaml --out " + out +
              std::string(" --set data.train_limit=6000 --set data.test_limit=2000"
                          " --set output.progress=false --set learning.precision=") +
              precision);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return h5::File::open_read(out + "/run.h5").read_vector<double>("/metrics/test_accuracy").back();
}

TEST(Training, GaitLearnsMnistAndMatchesBp) {
  ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
  testing::ScratchDir dir;
  const double gait = test_accuracy("gait", "float64", dir);
  const double bp = test_accuracy("bp", "float64", dir);
  const double gait32 = test_accuracy("gait", "float32", dir);
  std::printf("test accuracy after 100 steps: gait %.4f, bp %.4f, gait float32 %.4f\n", gait, bp,
              gait32);
  EXPECT_GT(gait, 0.82);
  EXPECT_NEAR(bp, gait, 0.03);
  EXPECT_NEAR(gait32, gait, 0.01);
}

}  // namespace
}  // namespace gaitsim
