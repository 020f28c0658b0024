// `gaitsim settle`, `train` and `align` with dynamics.mode = settle, end to end on a small MNIST
// network: the trajectory file's names and shapes (read back with the h5 wrapper and, where
// available, h5py), refusal to overwrite, settling statistics in the run file.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "../sim/cli_runner.hpp"
#include "../sim/mnist_cli_test.hpp"
#include "analysis/h5_file.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

using testing::contains;
using testing::run_cli;
using testing::ScratchDir;

std::string small_config(const ScratchDir& dir, const std::string& extra = "") {
  const std::string path = dir / "small.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(240, 100)
                      << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 2\n"
                      << "output:\n  progress: false\n  align_every: 2\n"
                      << "dynamics:\n  mode: settle\n"
                      << extra;
  return path;
}

class SettleCli : public testing::MnistCliTest {};

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
  // one convergence row: the whole batch settled together (the layout of record --trajectories)
  EXPECT_EQ(f.read_vector<long long>("/trajectory_convergence/chunk_stimuli"),
            std::vector<long long>{7});
  EXPECT_EQ(f.read_vector<std::int8_t>("/trajectory_convergence/free_converged").at(0), 1);
  const double since = f.read_vector<double>("/trajectory_convergence/free_time_ms").at(0);
  EXPECT_GT(since, 0.0);
  EXPECT_LE(since, tf.back());
  EXPECT_LT(f.read_vector<double>("/trajectory_convergence/target_residual").at(0), 1e-6);
  const auto names = f.read_strings("/layer_names");
  ASSERT_EQ(names.size(), 4u);
  const std::vector<hsize_t> widths = {64, 48, 32};
  for (int l = 1; l <= 3; ++l) {
    const std::string g = "/layers/" + names[static_cast<std::size_t>(l)];
    const hsize_t n = widths[l - 1];
    EXPECT_EQ(f.shape(g + "/trajectory_free"), (std::vector<hsize_t>{tf.size(), 7, n}));
    EXPECT_EQ(f.shape(g + "/trajectory_target"), (std::vector<hsize_t>{tt.size(), 7, n}));
    EXPECT_EQ(f.shape(g + "/trajectory_target_delta"), (std::vector<hsize_t>{tt.size(), 7, n}));
    EXPECT_EQ(f.shape(g + "/rates"), (std::vector<hsize_t>{7, n}));
    EXPECT_EQ(f.shape(g + "/targets"), (std::vector<hsize_t>{7, n}));
    EXPECT_EQ(f.attr_int(g, "width"), static_cast<long long>(n));
    EXPECT_EQ(f.attr_int(g, "index"), l);
  }
  // the settled delta equals the one-sweep delta
  const auto d_settled = f.read_matrix<double>("/layers/" + names[1] + "/settled_delta");
  const auto d_sweep = f.read_matrix<double>("/layers/" + names[1] + "/target_delta");
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
      "n = [x.decode() for x in f['layer_names'][()]]; L = [f['layers'][k] for k in n[1:]]; "
      "assert all(isinstance(f['layers'][k], h5py.Group) for k in f['layers']); "
      "assert L[1]['trajectory_free'].shape == (T, 3, 48), L[1]['trajectory_free'].shape; "
      "assert L[2]['trajectory_target'].shape == (S, 3, 32); "
      "assert L[0]['rates'].shape == (3, 64); "
      "assert np.abs(L[2]['trajectory_free'][-1] - L[2]['rates'][()]).max() < 1e-5; "
      "assert f['trajectory_convergence/target_converged'][0] == 1; "
      "print('h5py ok')\"";
  EXPECT_EQ(std::system(check.c_str()), 0);
}

// A phase stopped at max_time_ms before its residual fell below tol has no convergence time:
// NaN, as record --trajectories writes (it used to be the end time, indistinguishable from
// convergence at the last step).
TEST_F(SettleCli, SettleWritesNanConvergenceTimeForAPhaseThatDidNotConverge) {
  const std::string cfg = small_config(dir);
  const std::string out = dir / "short.h5";
  const auto r = run_cli("settle " + cfg + " --stimuli 2 --out " + out +
                         " --set dynamics.max_time_ms=10");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "NOT converged")) << r.output;
  const h5::File f = h5::File::open_read(out);
  EXPECT_EQ(f.read_vector<std::int8_t>("/trajectory_convergence/free_converged").at(0), 0);
  EXPECT_TRUE(std::isnan(f.read_vector<double>("/trajectory_convergence/free_time_ms").at(0)));
  EXPECT_GT(f.read_vector<double>("/trajectory_convergence/free_residual").at(0), 0.0);
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
