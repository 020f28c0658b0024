// The gaitsim program end to end on a small MNIST network: training, refusal to overwrite,
// exact resumption, divergence, bad input, and align dumps checked by an independent reader.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "analysis/h5_file.hpp"
#include "cli_runner.hpp"
#include "mnist_cli_test.hpp"
#include "neurons/types.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

using testing::contains;
using testing::run_cli;
using testing::ScratchDir;

// A small tower net on the first 600 MNIST examples: 10 steps per epoch.
std::string small_config(const ScratchDir& dir, const std::string& algorithm = "gait") {
  const std::string path = dir / "small.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(600, 200)
                      << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
                      << "learning:\n  algorithm: " << algorithm
                      << "\n  batch_size: 60\n  epochs: 2\n  learning_rate: 1e-3\n"
                      << "output:\n  progress: false\n  align_every: 4\n  checkpoint_every: 3\n";
  return path;
}

class Cli : public testing::MnistCliTest {};

TEST_F(Cli, TrainWritesARunFileAndRefusesToOverwriteIt) {
  const std::string cfg = small_config(dir);
  const std::string out = dir / "run";
  const auto first = run_cli("train " + cfg + " --out " + out);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "epoch 2/2: train loss")) << first.output;
  EXPECT_TRUE(contains(first.output, "test accuracy: ")) << first.output;
  EXPECT_TRUE(contains(first.output, "run file: " + out + "/run.h5")) << first.output;

  const auto before = std::filesystem::last_write_time(out + "/run.h5");
  const auto again = run_cli("train " + cfg + " --out " + out);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.output, "already holds a run")) << again.output;
  EXPECT_TRUE(contains(again.output, "--force")) << again.output;
  EXPECT_EQ(std::filesystem::last_write_time(out + "/run.h5"), before);

  h5::File f = h5::File::open_read(out + "/run.h5");
  EXPECT_EQ(f.attr_string("/", "status"), "complete");
  EXPECT_EQ(f.read_vector<double>("/metrics/test_accuracy").size(), 2u);
  const auto acc = f.read_vector<double>("/metrics/test_accuracy");
  EXPECT_GT(acc[1], 0.3);  // far above chance after 20 steps at lr 1e-3
  EXPECT_LE(acc[1], 1.0);
  EXPECT_EQ(f.shape("/alignment/angle_deg"), (std::vector<hsize_t>{5, 3}));
  EXPECT_EQ(f.shape("/orthogonality/error"), (std::vector<hsize_t>{2, 2}));
  EXPECT_EQ(f.shape("/weights/2/W"), (std::vector<hsize_t>{48, 48}));
  EXPECT_TRUE(contains(f.attr_string("/", "config"), "algorithm: gait"));

  const auto forced = run_cli("train " + cfg + " --out " + out + " --force");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
}

Mat<double> final_weights(const std::string& run_file, int layer) {
  return h5::File::open_read(run_file).read_matrix<double>("/weights/" + std::to_string(layer) +
                                                           "/W");
}

TEST_F(Cli, ResumedRunEqualsUninterruptedRun) {
  for (const char* precision : {"float64", "float32"}) {
    const std::string cfg = small_config(dir);
    const std::string set = " --set learning.precision=" + std::string(precision);
    const std::string whole = dir / (std::string("whole-") + precision);
    const std::string parts = dir / (std::string("parts-") + precision);
    ASSERT_EQ(run_cli("train " + cfg + set + " --out " + whole).exit_code, 0);
    // Stop mid-epoch 2 (step 13 of 20), then twice more, resuming each time.
    const auto paused = run_cli("train " + cfg + set + " --out " + parts + " --max-steps 13");
    ASSERT_EQ(paused.exit_code, 0) << paused.output;
    EXPECT_TRUE(contains(paused.output, "paused after 13 steps")) << paused.output;
    EXPECT_EQ(h5::File::open_read(parts + "/run.h5").attr_string("/", "status"), "paused");
    ASSERT_EQ(
        run_cli("train " + cfg + set + " --out " + parts + " --resume --max-steps 4").exit_code, 0);
    const auto done = run_cli("train " + cfg + set + " --out " + parts + " --resume");
    ASSERT_EQ(done.exit_code, 0) << done.output;
    for (int l = 1; l <= 3; ++l) {
      EXPECT_EQ(final_weights(whole + "/run.h5", l), final_weights(parts + "/run.h5", l))
          << precision << " layer " << l;
    }
    h5::File a = h5::File::open_read(whole + "/run.h5"), b = h5::File::open_read(parts + "/run.h5");
    EXPECT_EQ(a.read_vector<double>("/metrics/train_loss"),
              b.read_vector<double>("/metrics/train_loss"));
    EXPECT_EQ(a.read_matrix<double>("/alignment/cosine"),
              b.read_matrix<double>("/alignment/cosine"));
  }
}

// Learned feedback (issue 15): Q_l, c_l and the feedback step count (which seeds the noise) are
// in the run file, so pausing in the warm-up epoch and after it changes nothing.
TEST_F(Cli, LearnedFeedbackResumedRunEqualsUninterruptedRun) {
  for (const char* precision : {"float64", "float32"}) {
    const std::string cfg = small_config(dir);
    const std::string set = " --set learning.precision=" + std::string(precision) +
                            " --set feedback.mode=learned --set feedback.warmup_epochs=1"
                            " --set feedback.steps_per_batch=2 --set feedback.learning_rate=0.01";
    const std::string whole = dir / (std::string("fb-whole-") + precision);
    const std::string parts = dir / (std::string("fb-parts-") + precision);
    const auto full = run_cli("train " + cfg + set + " --out " + whole);
    ASSERT_EQ(full.exit_code, 0) << full.output;
    ASSERT_EQ(run_cli("train " + cfg + set + " --out " + parts + " --max-steps 7").exit_code, 0);
    ASSERT_EQ(
        run_cli("train " + cfg + set + " --out " + parts + " --resume --max-steps 6").exit_code, 0);
    ASSERT_EQ(run_cli("train " + cfg + set + " --out " + parts + " --resume").exit_code, 0);
    h5::File a = h5::File::open_read(whole + "/run.h5"), b = h5::File::open_read(parts + "/run.h5");
    for (int l = 1; l <= 3; ++l) {
      EXPECT_EQ(final_weights(whole + "/run.h5", l), final_weights(parts + "/run.h5", l))
          << precision << " layer " << l;
    }
    for (const char* ds : {"/state/feedback/Q/2", "/state/feedback/Q/3", "/feedback/inverse_error",
                           "/feedback/reconstruction_loss"}) {
      // bitwise, NaN included (the reconstruction loss before the first feedback update)
      const Mat<double> x = a.read_matrix<double>(ds), y = b.read_matrix<double>(ds);
      ASSERT_EQ(x.rows(), y.rows()) << ds;
      ASSERT_EQ(x.cols(), y.cols()) << ds;
      EXPECT_EQ(std::memcmp(x.data(), y.data(), sizeof(double) * std::size_t(x.size())), 0)
          << precision << " " << ds << ":\n"
          << x << "\nvs\n"
          << y;
    }
    EXPECT_EQ(a.read_vector<long long>("/state/feedback/steps"),
              std::vector<long long>{40});  // 20 batches x 2
    // the feedback learned: from a random Q towards the inverse
    const Mat<double> err = a.read_matrix<double>("/feedback/inverse_error");
    ASSERT_EQ(err.rows(), 5);  // steps 0, 4, 8, 12, 16
    EXPECT_LT(err(4, 0), err(0, 0));
  }
}

// The align dump of a learned-feedback run holds the checkpoint's Q_l at /layers/<l>/Q, shape
// (n_l, k), and says feedback_mode; an exact-mode dump holds no Q.
TEST_F(Cli, LearnedFeedbackAlignDumpHoldsQ) {
  const std::string cfg = small_config(dir);
  const std::string set = " --set feedback.mode=learned --set feedback.learning_rate=0.01";
  const std::string run = dir / "fb-run";
  ASSERT_EQ(run_cli("train " + cfg + set + " --out " + run + " --max-steps 3").exit_code, 0);
  const std::string dump = dir / "fb-dump.h5", plain = dir / "dump.h5";
  const auto aligned =
      run_cli("align " + cfg + set + " --checkpoint " + run + "/run.h5 --dump " + dump);
  ASSERT_EQ(aligned.exit_code, 0) << aligned.output;
  h5::File d = h5::File::open_read(dump), r = h5::File::open_read(run + "/run.h5");
  EXPECT_EQ(d.attr_string("/", "feedback_mode"), "learned");
  for (int l = 2; l <= 3; ++l) {
    const Mat<double> Q = d.read_matrix<double>("/layers/" + std::to_string(l) + "/Q");
    const Mat<double> W = d.read_matrix<double>("/layers/" + std::to_string(l) + "/W");
    EXPECT_EQ(Q.rows(), W.cols());
    EXPECT_EQ(Q.cols(), W.rows());
    EXPECT_EQ(Q, r.read_matrix<double>("/state/feedback/Q/" + std::to_string(l)));
  }
  EXPECT_FALSE(d.exists("/layers/1/Q"));
  ASSERT_EQ(run_cli("align " + cfg + " --dump " + plain).exit_code, 0);
  h5::File p = h5::File::open_read(plain);
  EXPECT_EQ(p.attr_string("/", "feedback_mode"), "exact");
  EXPECT_FALSE(p.exists("/layers/2/Q"));
}

TEST_F(Cli, ResumeRefusesAChangedConfig) {
  const std::string cfg = small_config(dir);
  const std::string out = dir / "run";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + out + " --max-steps 2").exit_code, 0);
  const auto changed =
      run_cli("train " + cfg + " --out " + out + " --resume --set learning.gamma=0.01");
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_TRUE(contains(changed.output, "different config")) << changed.output;
  const auto more_epochs =
      run_cli("train " + cfg + " --out " + out + " --resume --set learning.epochs=3");
  EXPECT_EQ(more_epochs.exit_code, 0) << more_epochs.output;
  EXPECT_TRUE(contains(more_epochs.output, "epoch 3/3")) << more_epochs.output;
}

TEST_F(Cli, DivergenceStopsAndKeepsTheLastGoodCheckpoint) {
  const std::string cfg = small_config(dir, "bp");
  const std::string out = dir / "run";
  const std::string sets = " --set learning.optimizer=sgd --set learning.learning_rate=1e6";
  const auto r = run_cli("train " + cfg + " --out " + out + sets);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_TRUE(contains(r.output, "diverged at epoch 1, step")) << r.output;
  EXPECT_TRUE(contains(r.output, "last good checkpoint kept: " + out + "/run.h5")) << r.output;
  h5::File f = h5::File::open_read(out + "/run.h5");
  EXPECT_EQ(f.attr_string("/", "status"), "diverged");
  EXPECT_TRUE(f.read_matrix<double>("/weights/1/W").allFinite());
  const auto resumed = run_cli("train " + cfg + " --out " + out + sets + " --resume");
  EXPECT_EQ(resumed.exit_code, 2);
  EXPECT_TRUE(contains(resumed.output, "diverged")) << resumed.output;
}

TEST_F(Cli, BadInputGetsAClearMessageAndNonZeroExit) {
  const std::string cfg = small_config(dir);
  const auto typo = run_cli("train " + cfg + " --out " + (dir / "a") + " --set learning.gama=1");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_TRUE(contains(typo.output, "did you mean 'learning.gamma'")) << typo.output;
  const auto missing =
      run_cli("train " + cfg + " --out " + (dir / "b") + " --set data.path=/no/such");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "/no/such")) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "b")) << "nothing is created for a failed start";
  const auto widths = run_cli("train " + cfg + " --out " + (dir / "c") +
                              " --set network.kind=dense --set network.widths=[784,64,32]");
  EXPECT_EQ(widths.exit_code, 2);
  EXPECT_TRUE(contains(widths.output, "cannot be inverted")) << widths.output;
  const auto no_file = run_cli("train " + (dir / "none.yaml"));
  EXPECT_NE(no_file.exit_code, 0);
  EXPECT_TRUE(contains(no_file.output, "none.yaml")) << no_file.output;
  const auto nothing = run_cli("train " + cfg + " --out " + (dir / "d") + " --resume");
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_TRUE(contains(nothing.output, "nothing to resume")) << nothing.output;
}

TEST_F(Cli, HelpExplainsEveryCommand) {
  const auto top = run_cli("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* cmd : {"train", "align", "keys"}) EXPECT_TRUE(contains(top.output, cmd)) << cmd;
  const auto train = run_cli("train --help");
  for (const char* opt : {"--set", "--out", "--resume", "--force", "--max-steps"}) {
    EXPECT_TRUE(contains(train.output, opt)) << opt;
  }
  const auto keys = run_cli("keys");
  EXPECT_TRUE(contains(keys.output, "learning.ortho_mode")) << keys.output;
}

// The dump is checked by tests/python/check_align_dump.py, an independent float64
// re-implementation (torch autograd for BP, explicit targets for GAIT and TP).
TEST_F(Cli, AlignDumpAgreesWithAnIndependentImplementation) {
  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py, torch"),
                             "python3-h5py / python3-torch not installed");
  for (const char* algorithm : {"gait", "bp", "tp"}) {
    const std::string cfg = small_config(dir, algorithm);
    const std::string dump = dir / (std::string(algorithm) + ".h5");
    const auto r = run_cli("align " + cfg + " --dump " + dump);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "cosine")) << r.output;
    const std::string check = "/usr/bin/python3 " + testing::source_dir() +
                              "/tests/python/check_align_dump.py --quiet " + dump;
    EXPECT_EQ(std::system(check.c_str()), 0) << algorithm;
  }
  const std::string cfg = small_config(dir);
  const auto exists = run_cli("align " + cfg + " --dump " + (dir / "gait.h5"));
  EXPECT_EQ(exists.exit_code, 2);
  EXPECT_TRUE(contains(exists.output, "--force")) << exists.output;
}

TEST_F(Cli, AlignReadsWeightsFromARunFile) {
  const std::string cfg = small_config(dir);
  const std::string out = dir / "run";
  ASSERT_EQ(run_cli("train " + cfg + " --out " + out).exit_code, 0);
  const auto r = run_cli("align " + cfg + " --checkpoint " + out + "/run.h5");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto wrong = run_cli("align " + cfg + " --checkpoint " + out +
                             "/run.h5 --set network.widths=[784,64,40,32]");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(contains(wrong.output, "layer 2 W is 48 x 48")) << wrong.output;
}

}  // namespace
}  // namespace gaitsim
