// `gaitsim settle`, `train` and `align` with dynamics.mode = settle, end to end on a small MNIST
// network: the trajectory file's names and shapes (read back with the h5 wrapper and, where
// available, h5py), refusal to overwrite, settling statistics in the run file.
#include <gtest/gtest.h>

#include <fstream>

#include "../sim/cli_runner.hpp"
#include "analysis/h5_file.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

using testing::contains;
using testing::have_test_mnist;
using testing::run_cli;
using testing::ScratchDir;

std::string small_config(const ScratchDir& dir, const std::string& extra = "") {
  const std::string path = dir / "small.yaml";
  std::ofstream(path) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                      << "/mnist\n  train_limit: 240\n  test_limit: 100\n"
                      << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 2\n"
                      << "output:\n  progress: false\n  align_every: 2\n"
                      << "dynamics:\n  mode: settle\n"
                      << extra;
  return path;
}

class SettleCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
  }
  ScratchDir dir;
};

TEST_F(SettleCli, WritesTrajectoriesOfBothPhases) {
  const std::string cfg = small_config(dir, "  record_every_ms: 5\n");
  const std::string out = dir / "traj.h5";
  const auto r = run_cli("settle " + cfg + " --stimuli 7 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "free    converged")) << r.output;

  const h5::File f = h5::File::open_read(out);
  const auto tf = f.read_vector<double>("/time_ms/free");
  const auto tt = f.read_vector<double>("/time_ms/target");
  ASSERT_GT(tf.size(), 2u);
  ASSERT_GT(tt.size(), 2u);
  EXPECT_EQ(tf.front(), 0.0);
  EXPECT_EQ(f.attr_int("/time_ms/free", "converged"), 1);
  EXPECT_NEAR(f.attr_double("/time_ms/free", "convergence_time_ms"), tf.back(), 1e-9);
  EXPECT_LT(f.attr_double("/time_ms/target", "final_residual"), 1e-6);
  const std::vector<hsize_t> widths = {64, 48, 32};
  for (int l = 1; l <= 3; ++l) {
    const std::string g = "/layers/" + std::to_string(l);
    const hsize_t n = widths[l - 1];
    EXPECT_EQ(f.shape(g + "/free"), (std::vector<hsize_t>{tf.size(), 7, n}));
    EXPECT_EQ(f.shape(g + "/target"), (std::vector<hsize_t>{tt.size(), 7, n}));
    EXPECT_EQ(f.shape(g + "/forward"), (std::vector<hsize_t>{7, n}));
    EXPECT_EQ(f.shape(g + "/onesweep_target"), (std::vector<hsize_t>{7, n}));
    EXPECT_EQ(f.attr_int(g, "width"), static_cast<long long>(n));
  }
  // the settled delta equals the one-sweep delta
  const auto d_settled = f.read_matrix<double>("/layers/1/settled_delta");
  const auto d_sweep = f.read_matrix<double>("/layers/1/onesweep_delta");
  EXPECT_LT((d_settled - d_sweep).cwiseAbs().maxCoeff(), 1e-5);

  const auto again = run_cli("settle " + cfg + " --stimuli 7 --out " + out);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.output, "--force")) << again.output;
  EXPECT_EQ(run_cli("settle " + cfg + " --stimuli 3 --out " + out + " --force").exit_code, 0);

  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py"), "python3-h5py not installed");
  const std::string check =
      "/usr/bin/python3 -c \"import h5py, numpy as np; f = h5py.File('" + out +
      "', 'r'); "
      "T = len(f['time_ms/free']); S = len(f['time_ms/target']); "
      "assert f['layers/2/free'].shape == (T, 3, 48), f['layers/2/free'].shape; "
      "assert f['layers/3/target'].shape == (S, 3, 32); "
      "assert f['layers/1/forward'].shape == (3, 64); "
      "assert np.abs(f['layers/3/free'][-1] - f['layers/3/forward'][()]).max() < 1e-5; "
      "assert bool(f['time_ms/target'].attrs['converged']); "
      "print('h5py ok')\"";
  EXPECT_EQ(std::system(check.c_str()), 0);
}

TEST_F(SettleCli, TrainRecordsSettlingStatisticsAndAlignHonoursSettle) {
  const std::string cfg = small_config(dir);
  const std::string out = dir / "run";
  const auto r = run_cli("train " + cfg + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "settling: free")) << r.output;
  const h5::File f = h5::File::open_read(out + "/run.h5");
  for (const char* name :
       {"free_steps_mean", "free_steps_max", "free_time_ms_mean", "free_time_ms_max",
        "target_steps_mean", "target_steps_max", "target_time_ms_mean", "target_time_ms_max"}) {
    const auto v = f.read_vector<double>(std::string("/settling/") + name);
    ASSERT_EQ(v.size(), 2u) << name;
    EXPECT_GT(v[0], 0.0) << name;
  }
  const auto a =
      run_cli("align " + cfg + " --checkpoint " + out + "/run.h5 --dump " + (dir / "dump.h5"));
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_TRUE(contains(a.output, "cosine")) << a.output;
  const auto strict = run_cli("settle " + cfg + " --stimuli 2 --out " + (dir / "s.h5") +
                              " --set dynamics.max_time_ms=10 --set "
                              "dynamics.fail_on_nonconvergence=true");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_TRUE(contains(strict.output, "did not converge")) << strict.output;
  const auto bad = run_cli("settle " + cfg + " --stimuli 2 --out " + (dir / "s.h5") +
                           " --set dynamics.dt_ms=20");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(contains(bad.output, "dynamics.dt_ms")) << bad.output;
}

}  // namespace
}  // namespace gaitsim
