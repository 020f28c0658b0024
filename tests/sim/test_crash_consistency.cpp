// Crash consistency: training and sweeps SIGKILLed at chosen moments (inside a checkpoint write
// before and after its rename, inside the divergence marking) and at random times, each
// followed by --resume (or by running the sweep again), end with files equal to an uninterrupted
// run: every dataset bitwise, except the wall-clock epoch_seconds, and no temporary file left.
#include <gtest/gtest.h>

#include <random>

#include "cli_runner.hpp"
#include "mnist_cli_test.hpp"
#include "process_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const std::string kBinary = GAITSIM_BINARY;

// 10 steps per epoch, 2 epochs, a checkpoint every 3 steps: about 10 checkpoint writes.
std::string tiny_run_config(const ScratchDir& dir, const std::string& extra = "") {
  const std::string path = dir / "tiny.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(600, 200)
                      << "network:\n  kind: tower\n  widths: [784, 32, 24, 16]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 2\n"
                      << "  learning_rate: 1e-3\n"
                      << "output:\n  progress: false\n  align_every: 4\n  checkpoint_every: 3\n"
                      << extra;
  return path;
}

class CrashConsistency : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
  }

  // Starts `gaitsim ARGS` with the pause hook at `hook`, waits until it pauses there and
  // SIGKILLs it.
  void kill_at(const std::string& hook, const std::string& args, const std::string& log) {
    Background b("GAITSIM_TEST_PAUSE_AT=" + hook + " " + kBinary + " " + args, log);
    ASSERT_TRUE(b.wait_for("gaitsim test hook: paused at " + hook, 60)) << hook << b.output();
    b.kill_all();
  }

  // Continues a killed training run to its end: --resume, or a fresh start when it was killed
  // before its first checkpoint reached run.h5.
  CliResult finish(const std::string& config, const std::string& out, const std::string& sets) {
    const bool started = fs::exists(out + "/run.h5");
    return run_cli("train " + config + " --out " + out + sets + (started ? " --resume" : ""));
  }

  ScratchDir dir;
};

const std::vector<std::string> kRunFolder = {".lock", "run.h5"};

TEST_F(CrashConsistency, TrainingKilledInsideCheckpointWritesResumesToTheUninterruptedRun) {
  const std::string cfg = tiny_run_config(dir);
  const std::string ref = dir / "ref";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + ref).exit_code, 0);
  const auto expected = run_content(ref + "/run.h5");
  // The first checkpoint (no run.h5 yet), mid-epoch ones, the end of epoch 1 and the last.
  int i = 0;
  for (const std::string hook : {"before-rename:1", "before-rename:3", "before-rename:10",
                                 "after-rename:1", "after-rename:5"}) {
    const std::string out = dir / ("kill" + std::to_string(i++));
    kill_at(hook, "train " + cfg + " --out " + out, out + ".log");
    const CliResult done = finish(cfg, out, "");
    ASSERT_EQ(done.exit_code, 0) << hook << "\n" << done.output;
    EXPECT_EQ(run_content(out + "/run.h5"), expected) << hook;
    EXPECT_EQ(entries(out), kRunFolder) << hook << ": a temporary file was left";
  }
}

TEST_F(CrashConsistency, TrainingKilledAtRandomTimesResumesToTheUninterruptedRun) {
  const std::string cfg = tiny_run_config(dir);
  const std::string ref = dir / "ref", out = dir / "killed";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + ref).exit_code, 0);
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> ms(20, 400);
  for (int k = 0; k < 4; ++k) {
    const bool started = fs::exists(out + "/run.h5");
    Background b(kBinary + " train " + cfg + " --out " + out + (started ? " --resume" : ""),
                 out + ".log");
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    b.kill_all();
  }
  const CliResult done = finish(cfg, out, "");
  ASSERT_EQ(done.exit_code, 0) << "seed " << seed << "\n" << done.output;
  EXPECT_EQ(run_content(out + "/run.h5"), run_content(ref + "/run.h5")) << "seed " << seed;
  EXPECT_EQ(entries(out), kRunFolder) << "seed " << seed;
}

// BP with plain SGD at this rate leaves the last good checkpoint at step 3 and diverges after.
const std::string kDiverging =
    " --set learning.algorithm=bp --set learning.optimizer=sgd --set learning.learning_rate=30";

TEST_F(CrashConsistency,
       TrainingKilledInsideTheDivergenceMarkingEndsMarkedLikeTheUninterruptedRun) {
  const std::string cfg = tiny_run_config(dir);
  const std::string ref = dir / "ref", out = dir / "killed";
  const CliResult whole = run_cli("train " + cfg + " --out " + ref + kDiverging);
  ASSERT_EQ(whole.exit_code, 3) << whole.output;
  const auto expected = run_content(ref + "/run.h5");
  ASSERT_EQ(expected.at("@status"), "diverged");

  kill_at("mark-edited:1", "train " + cfg + " --out " + out + kDiverging, out + ".log");
  // The edit happened on a copy: the run file is the last checkpoint, whole and unmarked.
  EXPECT_EQ(run_content(out + "/run.h5").at("@status"), "running");
  const CliResult again = finish(cfg, out, kDiverging);
  EXPECT_EQ(again.exit_code, 3) << again.output;
  EXPECT_EQ(run_content(out + "/run.h5"), expected);
  EXPECT_EQ(entries(out), kRunFolder);
}

// Two points (one value, two seeds): every point is a `gaitsim train`.
const char* kSweep = "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3]\nseeds: [1, 2]\n";

std::string summary_without_times(const std::string& csv_path) {
  std::istringstream in(file_text(csv_path));
  std::string line, out;
  while (std::getline(in, line)) {
    int commas = 0;
    std::size_t i = 0;
    // name, learning.gamma, seed, status, epochs, diverged and four metrics; wall_seconds after
    while (i < line.size() && !(line[i] == ',' && ++commas == 10)) ++i;
    out += line.substr(0, i) + "\n";
  }
  return out;
}

TEST_F(CrashConsistency, SweepKilledAtChosenAndRandomMomentsResumesToTheUninterruptedSweep) {
  tiny_run_config(dir);
  const std::string sweep = dir / "sweep.yaml";
  std::ofstream(sweep) << kSweep;
  const std::string ref = dir / "ref", out = dir / "killed";
  const CliResult whole = run_cli("sweep " + sweep + " --out " + ref);
  ASSERT_EQ(whole.exit_code, 0) << whole.output;

  // Inside a point's checkpoint write (every process of the sweep has the hook: the first to
  // reach it pauses, the sweep waits for it), then at random times.
  {
    Background b(
        "GAITSIM_TEST_PAUSE_AT=before-rename:4 " + kBinary + " sweep " + sweep + " --out " + out,
        out + ".log");
    const std::string log = out + "/logs/learning.gamma=0.001__seed=1.log";
    bool paused = false;
    for (int i = 0; i < 3000 && !paused; ++i) {
      paused = file_text(log).find("paused at before-rename:4") != std::string::npos;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(paused) << b.output() << file_text(log);
    b.kill_all();
  }
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> ms(50, 600);
  for (int k = 0; k < 3; ++k) {
    Background b(kBinary + " sweep " + sweep + " --out " + out, out + ".log");
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    b.kill_all();
  }
  const CliResult done = run_cli("sweep " + sweep + " --out " + out);
  ASSERT_EQ(done.exit_code, 0) << "seed " << seed << "\n" << done.output;
  for (const std::string point : {"learning.gamma=0.001__seed=1", "learning.gamma=0.001__seed=2"}) {
    const std::string run = "/points/" + point;
    EXPECT_EQ(run_content(out + run + "/run.h5"), run_content(ref + run + "/run.h5"))
        << point << ", seed " << seed;
    EXPECT_EQ(entries(out + run), kRunFolder) << point << ", seed " << seed;
  }
  EXPECT_EQ(summary_without_times(out + "/summary.csv"),
            summary_without_times(ref + "/summary.csv"));
}

}  // namespace
}  // namespace gaitsim
