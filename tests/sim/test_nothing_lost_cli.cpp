// Regression tests of issue 13's data-loss paths, one per failure, through the program: a sweep
// deleting run files it cannot read, divergence marking in place, train --force deleting the
// old run first, two processes writing one run folder, lr 1e308 leaving a run "running", and
// temporary files of killed runs.
#include <gtest/gtest.h>

#include "analysis/h5_file.hpp"
#include "cli_runner.hpp"
#include "mnist_cli_test.hpp"
#include "process_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;
namespace fs = std::filesystem;

const std::string kBinary = GAITSIM_BINARY;

class NothingLost : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
    cfg_ = dir / "tiny.yaml";
    std::ofstream(cfg_) << testing::mnist_data_yaml(600, 100)
                        << "network:\n  kind: tower\n  widths: [784, 32, 24, 16]\n"
                        << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 1\n"
                        << "output:\n  progress: false\n  align_every: 0\n  checkpoint_every: 3\n";
  }
  std::string train(const std::string& out, const std::string& more = "") const {
    return "train " + cfg_ + " --out " + out + more;
  }

  ScratchDir dir;
  std::string cfg_;
};

// Item 2: the sweep relaunched such a point with --force, deleting the run file.
TEST_F(NothingLost, SweepKeepsAnUnreadableRunFileInsteadOfDeletingIt) {
  std::ofstream(dir / "s.yaml") << "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3]\nseeds: [1]\n";
  const std::string sweep = "sweep " + (dir / "s.yaml") + " --out " + (dir / "sw");
  ASSERT_EQ(run_cli(sweep).exit_code, 0);
  const fs::path run = dir.path() / "sw/points/learning.gamma=0.001__seed=1/run.h5";
  const std::string whole = file_text(run);

  {  // held open read-write by another process: HDF5's file locking refuses the sweep's read
    h5::File held = h5::File::open_rw(run);
    const CliResult r = run_cli(sweep);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, run.string() + " cannot be read")) << r.output;
  }
  EXPECT_EQ(file_text(run), whole);

  fs::resize_file(run, whole.size() / 2);  // damaged
  const CliResult r = run_cli(sweep);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, run.string() + " cannot be read")) << r.output;
  EXPECT_TRUE(contains(r.output, "move it away to train the point again")) << r.output;
  EXPECT_EQ(file_text(run), whole.substr(0, whole.size() / 2));
}

// BP with plain SGD at this rate passes step 2 and diverges later, to a non-finite loss (the loss
// bound, learning.max_loss_factor, would stop it within 2 steps).
const std::string kDiverging =
    " --set learning.algorithm=bp --set learning.optimizer=sgd --set learning.learning_rate=30"
    " --set learning.max_loss_factor=0";

// Item 3: the run file was edited in place, which a reader holding it refused (exit 1, unmarked).
TEST_F(NothingLost, DivergenceIsMarkedWhileAReaderHoldsTheRunFile) {
  const std::string out = dir / "run";
  ASSERT_EQ(run_cli(train(out, kDiverging + " --max-steps 2")).exit_code, 0);
  {
    const h5::File reader = h5::File::open_read(out + "/run.h5");
    const CliResult r = run_cli(train(out, kDiverging + " --resume"));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_TRUE(contains(r.output, "last good checkpoint kept")) << r.output;
    EXPECT_EQ(reader.attr_string("/", "status"), "paused");  // the reader's file is untouched
  }
  const h5::File f = h5::File::open_read(out + "/run.h5");
  EXPECT_EQ(f.attr_string("/", "status"), "diverged");
  EXPECT_TRUE(contains(f.attr_string("/", "status_detail"), "step "))
      << f.attr_string("/", "status_detail");
}

// Item 5: --force deleted run.h5 before the new run existed; a run failing early (here: a layer
// too large for memory) left nothing.
TEST_F(NothingLost, TrainForceKeepsTheOldRunWhenTheNewOneFailsEarly) {
  const std::string out = dir / "run";
  ASSERT_EQ(run_cli(train(out)).exit_code, 0);
  const std::string old = file_text(out + "/run.h5");
  const CliResult r = run_cli(train(out, " --force --set network.widths=[784,2000000000,16]"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(file_text(out + "/run.h5"), old);
}

// Item 6: two processes trained into one folder, both said "run file: ..." and one result was
// lost; --resume beside a running training was not refused.
TEST_F(NothingLost, ASecondTrainingIntoALockedRunFolderIsRefused) {
  const std::string out = dir / "run";
  Background first("GAITSIM_TEST_PAUSE_AT=before-rename:2 " + kBinary + " " + train(out),
                   dir / "first.log");
  ASSERT_TRUE(first.wait_for("paused at before-rename:2", 60)) << first.output();
  const std::string old = file_text(out + "/run.h5");
  for (const std::string more : {"", " --force", " --resume"}) {
    const CliResult r = run_cli(train(out, more));
    EXPECT_EQ(r.exit_code, 1) << more << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "folder " + out + " is in use")) << more << "\n" << r.output;
    EXPECT_TRUE(contains(r.output, "is writing it")) << r.output;
  }
  EXPECT_EQ(file_text(out + "/run.h5"), old);
  first.kill_all();
  // The kernel dropped the killed process's lock: no stale lock blocks the folder.
  const CliResult resumed = run_cli(train(out, " --resume"));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
}

// Item 14: lr 1e308 exited 1 with run.h5 left "running", which a sweep resumes forever.
TEST_F(NothingLost, HugeLearningRateEndsDivergedNotRunning) {
  const std::string out = dir / "run";
  const CliResult r = run_cli(train(out, " --set learning.learning_rate=1e308"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(h5::File::open_read(out + "/run.h5").attr_string("/", "status"), "diverged");
}

// Item 16: temporary files of killed runs stayed forever, and one opened as a complete-looking
// run file.
TEST_F(NothingLost, AKilledRunsTemporaryFileIsNeverReadAsARunAndIsRemovedOnResume) {
  const std::string out = dir / "run";
  {
    Background b("GAITSIM_TEST_PAUSE_AT=before-rename:2 " + kBinary + " " + train(out),
                 dir / "b.log");
    ASSERT_TRUE(b.wait_for("paused at before-rename:2", 60)) << b.output();
    b.kill_all();
  }
  std::vector<std::string> temps;
  for (const std::string& name : entries(out)) {
    if (name != "run.h5" && name != ".lock") temps.push_back(name);
  }
  ASSERT_EQ(temps.size(), 1u);
  const std::string temp = out + "/" + temps[0];
  const CliResult read = run_cli("align " + cfg_ + " --checkpoint " + temp);
  EXPECT_EQ(read.exit_code, 1) << read.output;
  EXPECT_TRUE(contains(read.output, "temporary file of an unfinished checkpoint write"))
      << read.output;
  const CliResult resumed = run_cli(train(out, " --resume"));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(contains(resumed.output, "removed 1 temporary file")) << resumed.output;
  EXPECT_EQ(entries(out), (std::vector<std::string>{".lock", "run.h5"}));
}

}  // namespace
}  // namespace gaitsim
