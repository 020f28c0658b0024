// Learned feedback (issue 15) in `gaitsim record --targets` and `gaitsim settle`: the targets of
// a learned-feedback checkpoint go through its Q_l. With Q_l = W_l^-1 (feedback.init inverse,
// no feedback learning, forward weights frozen by the warm-up epoch) they equal exact mode's;
// with a trained Q_l they differ from exact mode's and equal an independent re-computation of
// the delta sweep D_{l-1}[:, :k] = r_l Q_l from the recorded rates, deltas and scales.
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/h5_file.hpp"
#include "analysis/responses_reader.hpp"
#include "neurons/types.hpp"
#include "tests/sim/cli_runner.hpp"
#include "tests/sim/mnist_cli_test.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

using testing::have_test_mnist;
using testing::run_cli;
using testing::ScratchDir;

// A small tower (W_l square over the passed-on units) on 600 MNIST examples, 10 steps per epoch.
std::string small_config(const ScratchDir& dir) {
  const std::string path = dir / "small.yaml";
  std::ofstream(path) << testing::mnist_data_yaml(600, 200)
                      << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 2\n"
                      << "  learning_rate: 1e-3\noutput:\n  progress: false\n";
  return path;
}

class RecordFeedback : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
    cfg_ = small_config(dir_);
  }
  // Trains 3 steps with the extra --set options; returns the checkpoint.
  std::string train(const std::string& name, const std::string& set) {
    const std::string out = dir_ / name;
    const auto r = run_cli("train " + cfg_ + set + " --out " + out + " --max-steps 3");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out + "/run.h5";
  }
  // Records the targets of test:0-19 in float64.
  ResponsesReader record(const std::string& name, const std::string& set, const std::string& ck) {
    const std::string out = dir_ / name;
    const auto r = run_cli("record " + cfg_ + set + " --checkpoint " + ck +
                           " --stimuli test:0-19 --targets --dtype float64 --quiet --out " + out);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return ResponsesReader(out);
  }
  h5::File settle(const std::string& name, const std::string& set, const std::string& ck) {
    const std::string out = dir_ / name;
    const auto r =
        run_cli("settle " + cfg_ + set + " --checkpoint " + ck + " --stimuli 5 --out " + out);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(testing::contains(r.output, "through the learned Q_l"), !set.empty()) << r.output;
    return h5::File::open_read(out);
  }

  ScratchDir dir_;
  std::string cfg_;
};

double relative(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).norm() / b.norm();
}

// D_{l-1}[:, :k] = r_l Q_l, re-computed from the file: GAIT's r_l = (f^-1(h_l) - f^-1(h_l - s)) / q
// with s = q d_l^2 D_l, d_l = f'(f^-1(h_l)) and q = gamma_l / mult_l = 1 / mult_{l-1} (since
// mult_{l-1} = mult_l / gamma_l); f leaky_relu with slope alpha. Where h_l and h_l - s lie on the
// same linear piece, r_l = s / (q d_l) = d_l D_l, free of the difference's cancellation.
Eigen::MatrixXd delta_below(const ResponsesReader& r, int l, const Eigen::MatrixXd& Q) {
  const ResponseLayer& layer = r.layers()[static_cast<std::size_t>(l)];
  const std::string below = r.layers()[static_cast<std::size_t>(l - 1)].name;
  const double alpha = layer.slope;
  const auto finv = [alpha](double h) { return h > 0 ? h : h / alpha; };
  const Eigen::MatrixXd h = r.rates(layer.name), D = r.target_delta(layer.name);
  const Eigen::VectorXd mult_below = r.target_scale(below);
  Eigen::MatrixXd rl(h.rows(), h.cols());
  for (Eigen::Index n = 0; n < h.rows(); ++n) {
    const double q = 1.0 / mult_below(n);
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      const double d = h(n, j) > 0 ? 1.0 : alpha;
      const double s = q * d * d * D(n, j), m = h(n, j) - s;
      rl(n, j) = (m > 0) == (h(n, j) > 0) ? d * D(n, j) : (finv(h(n, j)) - finv(m)) / q;
    }
  }
  return rl * Q;
}

TEST_F(RecordFeedback, InverseInitWithoutFeedbackLearningGivesExactModesTargets) {
  // warm-up epoch: W_l stay at their initial values, Q_l stay W_l^-1 (feedback rate 0)
  const std::string set =
      " --set feedback.mode=learned --set feedback.init=inverse --set feedback.learning_rate=0"
      " --set feedback.warmup_epochs=1";
  const std::string ck = train("inv", set);
  const ResponsesReader learned = record("learned.h5", set, ck);
  const ResponsesReader exact = record("exact.h5", "", ck);
  EXPECT_EQ(h5::File::open_read(learned.path()).attr_string("/", "feedback_mode"), "learned");
  EXPECT_EQ(h5::File::open_read(exact.path()).attr_string("/", "feedback_mode"), "exact");
  h5::File sl = settle("settle-learned.h5", set, ck), se = settle("settle-exact.h5", "", ck);
  EXPECT_EQ(sl.attr_string("/", "feedback_mode"), "learned");
  EXPECT_EQ(se.attr_string("/", "feedback_mode"), "exact");
  for (std::size_t l = 1; l < exact.layers().size(); ++l) {
    const std::string name = exact.layers()[l].name;
    // the explicit inverse and the LU solve differ by rounding
    EXPECT_LT(relative(learned.target_delta(name), exact.target_delta(name)), 1e-9) << name;
    EXPECT_LT(relative(learned.targets(name), exact.targets(name)), 1e-12) << name;
    const std::string g = "/layers/" + name + "/";
    for (const char* ds : {"target_delta", "settled_delta"}) {
      EXPECT_LT(relative(sl.read_matrix<double>(g + ds), se.read_matrix<double>(g + ds)), 1e-6)
          << name << " " << ds;
    }
  }
}

TEST_F(RecordFeedback, TrainedFeedbackTargetsGoThroughTheCheckpointsQ) {
  const std::string set = " --set feedback.mode=learned --set feedback.learning_rate=0.05";
  const std::string ck = train("trained", set);
  const ResponsesReader learned = record("learned.h5", set, ck);
  const ResponsesReader exact = record("exact.h5", "", ck);
  h5::File run = h5::File::open_read(ck);
  h5::File sl = settle("settle-learned.h5", set, ck);
  const int L = static_cast<int>(learned.layers().size()) - 1;
  ASSERT_EQ(L, 3);
  for (int l = L; l >= 2; --l) {
    const Eigen::MatrixXd Q = run.read_matrix<double>("/state/feedback/Q/" + std::to_string(l));
    const std::string below = learned.layers()[static_cast<std::size_t>(l - 1)].name;
    const Eigen::MatrixXd D = learned.target_delta(below);
    const Eigen::MatrixXd expected = delta_below(learned, l, Q);
    ASSERT_EQ(expected.cols(), learned.layers()[static_cast<std::size_t>(l - 1)].passed_on);
    EXPECT_LT(relative(D.leftCols(Q.cols()), expected), 1e-10) << below;
    // the auxiliary units of l-1 keep their forward activity as target
    EXPECT_EQ(D.rightCols(D.cols() - Q.cols()).norm(), 0.0) << below;
    // a partly trained random Q_l is far from W_l^-1: the targets differ from exact mode's
    EXPECT_GT(relative(D, exact.target_delta(below)), 0.1) << below;
    // settle: the algebraic sweep and the settled target phase go through Q_l too
    const std::string g = "/layers/" + below + "/";
    const Eigen::MatrixXd first5 = D.topRows(5);
    EXPECT_LT(relative(sl.read_matrix<double>(g + "target_delta"), first5), 1e-12) << below;
    EXPECT_LT(relative(sl.read_matrix<double>(g + "settled_delta"), first5), 1e-4) << below;
  }
}

TEST_F(RecordFeedback, LearnedModeRefusesACheckpointWithoutLearnedFeedback) {
  const std::string ck = train("exact-run", "");
  const std::string out = dir_ / "r.h5";
  const auto r = run_cli("record " + cfg_ + " --set feedback.mode=learned --checkpoint " + ck +
                         " --stimuli test:0-9 --targets --quiet --out " + out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(testing::contains(r.output, "/state/feedback")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  const auto s = run_cli("settle " + cfg_ + " --set feedback.mode=learned --checkpoint " + ck +
                         " --stimuli 2 --out " + out);
  EXPECT_NE(s.exit_code, 0);
  EXPECT_TRUE(testing::contains(s.output, "/state/feedback")) << s.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace gaitsim
