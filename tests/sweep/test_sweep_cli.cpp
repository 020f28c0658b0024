// `gaitsim sweep` end to end on a tiny network: local jobs, the summary files, divergence,
// refusal of a different sweep, resumption after the sweep was killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "analysis/h5_file.hpp"
#include "sweep_test_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
    tiny_config(dir);
  }
  ScratchDir dir;
};

const char* kGrid =
    "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n"
    "  learning.learning_rate: {log: [1e-3, 1e-2, 2]}\nseeds: [1, 2]\n";

TEST_F(SweepCli, LocalJobsRunEveryPointAndWriteTheSummary) {
  const std::string sweep = write_file(dir, "grid.yaml", kGrid);
  const std::string out = dir / "out";
  const auto r = run_cli("sweep " + sweep + " --out " + out + " --jobs 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "sweep 8/8 (0 diverged, 0 failed)")) << r.output;
  EXPECT_TRUE(has(r.output, "8 complete, 0 diverged, 0 unfinished")) << r.output;
  const std::string csv = read_file(out + "/summary.csv");
  EXPECT_TRUE(has(csv,
                  "name,learning.gamma,learning.learning_rate,seed,status,epochs,diverged,"
                  "final_test_accuracy,best_test_accuracy"))
      << csv;
  EXPECT_TRUE(has(csv,
                  "learning.gamma=0.001__learning.learning_rate=0.01__seed=2,0.001,0.01,2,"
                  "complete,2,0,"))
      << csv;
  EXPECT_TRUE(has(read_file(out + "/summary_aggregate.csv"),
                  "learning.gamma,learning.learning_rate,seeds,complete,diverged,unfinished,"
                  "final_test_accuracy_mean,final_test_accuracy_sd"));

  h5::File f = h5::File::open_read(out + "/summary.h5");
  EXPECT_EQ(f.attr_int("/", "complete"), 8);
  const auto gamma = f.read_vector<double>("/points/learning__gamma");
  const auto acc = f.read_vector<double>("/points/final_test_accuracy");
  ASSERT_EQ(acc.size(), 8u);
  EXPECT_DOUBLE_EQ(gamma[0], 1e-3);
  EXPECT_GT(acc[3], 0.3);  // lr 1e-2 learns in 20 steps
  const auto mean = f.read_vector<double>("/aggregate/final_test_accuracy_mean");
  ASSERT_EQ(mean.size(), 4u);
  EXPECT_NEAR(mean[1], (acc[2] + acc[3]) / 2, 1e-12);
  // The point's run file equals a plain `gaitsim train` of the same overrides.
  const auto point = h5::File::open_read(
      out + "/points/learning.gamma=0.001__learning.learning_rate=0.01__seed=2/run.h5");
  EXPECT_TRUE(has(point.attr_string("/", "config"), "seed: 2"));

  // Run again: nothing to do.
  const auto again = run_cli("sweep " + sweep + " --out " + out + " --jobs 2");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(has(again.output, "8 already finished, 0 to run")) << again.output;

  // A different sweep in the same folder is refused unless --force.
  const std::string other =
      write_file(dir, "other.yaml", "base: tiny.yaml\naxes:\n  learning.gamma: [1e-2]\n");
  const auto refused = run_cli("sweep " + other + " --out " + out);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(has(refused.output, "holds a different sweep")) << refused.output;
  const auto forced = run_cli("sweep " + other + " --out " + out + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_FALSE(std::filesystem::exists(
      out + "/points/learning.gamma=0.001__learning.learning_rate=0.01__seed=2"));
}

TEST_F(SweepCli, BadSweepFilesRunNothing) {
  const auto unknown =
      run_cli("sweep " + write_file(dir, "u.yaml", "base: tiny.yaml\naxes:\n  learning.lr: [1]\n") +
              " --out " + (dir / "u"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(has(unknown.output, "learning.lr")) << unknown.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "u"));
  const auto empty = run_cli(
      "sweep " + write_file(dir, "e.yaml", "base: tiny.yaml\naxes:\n  learning.gamma: []\n") +
      " --out " + (dir / "e"));
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_TRUE(has(empty.output, "the axis is empty")) << empty.output;
}

TEST_F(SweepCli, ADivergingPointIsRecordedAndTheSweepGoesOn) {
  const std::string sweep =
      write_file(dir, "div.yaml",
                 "base: tiny.yaml\nset: {learning.algorithm: bp, learning.optimizer: sgd}\n"
                 "axes:\n  learning.learning_rate: [0.1, 1000]\n");
  const std::string out = dir / "out";
  const auto r = run_cli("sweep " + sweep + " --out " + out + " --jobs 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "learning.learning_rate=1000__seed=1 DIVERGED")) << r.output;
  EXPECT_TRUE(has(r.output, "1 complete, 1 diverged, 0 unfinished")) << r.output;
  EXPECT_TRUE(
      has(read_file(out + "/summary.csv"), "learning.learning_rate=1000__seed=1,1000,1,diverged,"));
  h5::File f = h5::File::open_read(out + "/summary.h5");
  EXPECT_EQ(f.read_vector<long long>("/points/diverged"), (std::vector<long long>{0, 1}));
}

// Starts the sweep in its own process group; returns its pid.
pid_t start_sweep(const std::string& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const std::string cmd = std::string(GAITSIM_BINARY) + " " + args + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

TEST_F(SweepCli, AKilledSweepResumesToTheSameSummary) {
  tiny_config(dir, 30);  // ~1 s per point
  const std::string sweep =
      write_file(dir, "grid.yaml", "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n");
  const std::string out = dir / "killed";
  const std::string first = out + "/points/learning.gamma=0.001__seed=1/run.h5";
  const pid_t pid = start_sweep("sweep " + sweep + " --out " + out + " --jobs 1 --threads 1");
  // Kill the sweep and its points once the first point has checkpointed an epoch or two.
  bool killed_mid_run = false;
  for (int i = 0; i < 1000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      if (!std::filesystem::exists(first)) continue;
      const auto f = h5::File::open_read(first);
      if (f.attr_string("/", "status") == "running" &&
          f.read_vector<double>("/metrics/test_accuracy").size() >= 2) {
        killed_mid_run = true;
        break;
      }
    } catch (const std::exception&) {
    }
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_TRUE(killed_mid_run) << "the first point never checkpointed";

  const auto summary = run_cli("sweep " + sweep + " --out " + out + " --summary");
  EXPECT_EQ(summary.exit_code, 1) << summary.output;
  EXPECT_TRUE(has(summary.output, "unfinished points")) << summary.output;
  EXPECT_TRUE(has(summary.output, "learning.gamma=0.001__seed=1 (running)")) << summary.output;
  EXPECT_TRUE(
      has(read_file(out + "/summary.csv"), "learning.gamma=0.001__seed=1,0.001,1,running,"));

  const auto resumed = run_cli("sweep " + sweep + " --out " + out + " --jobs 2");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(has(resumed.output, "(1 resumed)")) << resumed.output;
  EXPECT_TRUE(has(read_file(out + "/logs/learning.gamma=0.001__seed=1.log"), "epoch 30/30"));

  const std::string fresh = dir / "fresh";
  const auto uninterrupted = run_cli("sweep " + sweep + " --out " + fresh + " --jobs 2");
  ASSERT_EQ(uninterrupted.exit_code, 0) << uninterrupted.output;
  EXPECT_EQ(summary_core(out + "/summary.csv"), summary_core(fresh + "/summary.csv"));
}

}  // namespace
}  // namespace gaitsim
