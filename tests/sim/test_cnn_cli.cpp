// network.kind cnn end to end through the gaitsim program on MNIST as a 1 x 28 x 28 image:
// training to above chance, exact resumption, the run file's conv weights and wiring, and an
// align dump whose conv W is the D x D kernel matrix.
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

// 1x28x28 -> conv 4/3/1 -> conv 8/3/2 (D = 36, 14x14) -> conv 8/3/2 (D = 72, 7x7) -> dense
// output 392 wide with the 10 classes first; 600 examples, batch 20: 30 steps per epoch.
std::string cnn_config(const ScratchDir& dir, const std::string& algorithm) {
  const std::string path = dir / ("cnn_" + algorithm + ".yaml");
  std::ofstream(path) << testing::mnist_data_yaml(600, 200)
                      << "network:\n  kind: cnn\n  input: [1, 28, 28]\n  layers:\n"
                      << "    - conv: {filters: 4, kernel: 3, stride: 1}\n"
                      << "    - conv: {filters: 8, kernel: 3, stride: 2}\n"
                      << "    - conv: {filters: 8, kernel: 3, stride: 2}\n"
                      << "    - dense: {units: 10}\n  output_activation: linear\n"
                      << "learning:\n  algorithm: " << algorithm
                      << "\n  loss: cross_entropy\n  batch_size: 20\n  epochs: 2\n"
                      << "  learning_rate: 3e-3\n"
                      << "output:\n  progress: false\n  align_every: 5\n  checkpoint_every: 4\n";
  return path;
}

class CnnCli : public testing::MnistCliTest {};

TEST_F(CnnCli, EveryRuleTrainsAboveChance) {
  for (const char* algorithm : {"bp", "gait", "tp", "fa"}) {
    const std::string out = dir / (std::string("run-") + algorithm);
    const auto r = run_cli("train " + cnn_config(dir, algorithm) + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto acc =
        h5::File::open_read(out + "/run.h5").read_vector<double>("/metrics/test_accuracy");
    ASSERT_EQ(acc.size(), 2u);
    // Chance is 0.1; after 60 steps bp, gait and tp reach about 0.79, fa 0.58.
    EXPECT_GT(acc[1], 0.45) << algorithm;
  }
}

TEST_F(CnnCli, RunFileHoldsKernelsAndWiringAndResumesExactly) {
  const std::string cfg = cnn_config(dir, "gait");
  const std::string whole = dir / "whole", parts = dir / "parts";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + whole).exit_code, 0);
  ASSERT_EQ(run_cli("train " + cfg + " --out " + parts + " --max-steps 37").exit_code, 0);
  const auto done = run_cli("train " + cfg + " --out " + parts + " --resume");
  ASSERT_EQ(done.exit_code, 0) << done.output;
  h5::File a = h5::File::open_read(whole + "/run.h5"), b = h5::File::open_read(parts + "/run.h5");
  for (int l = 1; l <= 4; ++l) {
    const std::string W = "/weights/" + std::to_string(l) + "/W";
    EXPECT_EQ(a.read_matrix<double>(W), b.read_matrix<double>(W)) << "layer " << l;
  }
  EXPECT_EQ(a.attr_string("/weights/2", "wiring"), "conv");
  EXPECT_EQ(a.attr_int("/weights/2", "kernel"), 3);
  EXPECT_EQ(a.attr_int("/weights/2", "stride"), 2);
  EXPECT_EQ(a.attr_int("/weights/2", "in_channels"), 4);
  EXPECT_EQ(a.attr_int("/weights/2", "width"), 14 * 14 * 36);
  EXPECT_EQ(a.attr_string("/weights/4", "wiring"), "dense");
  const Mat<double> K = a.read_matrix<double>("/weights/3/W");
  EXPECT_EQ(K.rows(), 72);
  EXPECT_EQ(K.cols(), 72);
  const Mat<double> ortho = a.read_matrix<double>("/orthogonality/error");
  EXPECT_GT(ortho.size(), 0);
  EXPECT_TRUE(ortho.allFinite());
}

TEST_F(CnnCli, AlignDumpsTheKernelMatrixAndIsCloseToBp) {
  const std::string cfg = cnn_config(dir, "gait");
  const std::string dump = dir / "align.h5";
  const auto r = run_cli("align " + cfg + " --dump " + dump + " --set learning.gamma=1e-5");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  h5::File f = h5::File::open_read(dump);
  EXPECT_EQ(f.attr_string("/layers/3", "wiring"), "conv");
  const Mat<double> W = f.read_matrix<double>("/layers/3/W");
  const Mat<double> dW = f.read_matrix<double>("/layers/3/dW");
  const Mat<double> dW_bp = f.read_matrix<double>("/layers/3/dW_bp");
  EXPECT_EQ(W.rows(), 72);
  EXPECT_EQ(W.cols(), 72);
  EXPECT_EQ(dW.rows(), 72);
  // Freshly initialised orthogonal kernels: GAIT's update is BP's.
  const double cosine = dW.cwiseProduct(dW_bp).sum() / (dW.norm() * dW_bp.norm());
  EXPECT_GT(cosine, 0.9999) << r.output;
}

TEST_F(CnnCli, ShapesThatCannotBeInvertedStopBeforeAnyWork) {
  const std::string cfg = cnn_config(dir, "gait");
  const std::string out = dir / "bad";
  const auto r = run_cli("train " + cfg + " --out " + out +
                         " --set 'network.layers=[{conv: {filters: 40, kernel: 3, stride: 2}}, "
                         "{conv: {filters: 400, kernel: 3, stride: 2}}, {dense: {units: 10}}]'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "network.layers[1]")) << r.output;
  EXPECT_TRUE(contains(r.output, "at most D")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/run.h5"));
}

}  // namespace
}  // namespace gaitsim
