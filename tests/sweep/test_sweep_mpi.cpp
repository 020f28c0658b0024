// Under `mpirun -n 2 --oversubscribe`: a sweep spread over two ranks gives the summary of the
// local sweep, and data-parallel training equals the single-process run.
#include <gtest/gtest.h>
#include <unistd.h>

#include "analysis/h5_file.hpp"
#include "neurons/types.hpp"
#include "sweep_test_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;

// mpirun with 2 processes; as root it needs --allow-run-as-root.
CliResult run_mpi(const std::string& args) {
  const std::string root = geteuid() == 0 ? " --allow-run-as-root" : "";
  return run_command(std::string(GAITSIM_MPIEXEC) + " -n 2 --oversubscribe" + root +
                     " -x OMP_NUM_THREADS=1 " + GAITSIM_BINARY + " " + args);
}

class SweepMpi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(std::string(GAITSIM_TEST_DATA_DIR) + "/mnist"));
    tiny_config(dir);
  }
  ScratchDir dir;
};

TEST_F(SweepMpi, TwoRanksGiveTheSummaryOfTheLocalSweep) {
  const std::string sweep =
      write_file(dir, "grid.yaml",
                 "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n"
                 "  learning.learning_rate: {log: [1e-3, 1e-2, 2]}\nseeds: [1, 2]\n");
  const auto local = run_cli("sweep " + sweep + " --out " + (dir / "local") + " --jobs 2");
  ASSERT_EQ(local.exit_code, 0) << local.output;
  const auto mpi = run_mpi("sweep " + sweep + " --out " + (dir / "mpi"));
  ASSERT_EQ(mpi.exit_code, 0) << mpi.output;
  EXPECT_TRUE(has(mpi.output, "on 2 processes")) << mpi.output;
  EXPECT_TRUE(has(mpi.output, "on rank 1")) << mpi.output;  // both ranks took points
  EXPECT_TRUE(has(mpi.output, "8 complete, 0 diverged, 0 unfinished")) << mpi.output;
  EXPECT_EQ(summary_core(dir / "local/summary.csv"), summary_core(dir / "mpi/summary.csv"));
  // Each point ran once: one "training" header per log.
  for (const auto& e : std::filesystem::directory_iterator(dir / "mpi/logs")) {
    const std::string log = read_file(e.path());
    EXPECT_EQ(log.find("training gait"), log.rfind("training gait")) << e.path();
  }
}

TEST_F(SweepMpi, DataParallelTrainingEqualsOneProcess) {
  for (const char* precision : {"float64", "float32"}) {
    const std::string set = std::string(" --set learning.precision=") + precision;
    const std::string one = dir / (std::string("one_") + precision),
                      two = dir / (std::string("two_") + precision);
    const auto a = run_cli("train " + (dir / "tiny.yaml") + set + " --out " + one + " --threads 1");
    ASSERT_EQ(a.exit_code, 0) << a.output;
    const auto b = run_mpi("train " + (dir / "tiny.yaml") + set + " --out " + two + " --threads 1");
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_TRUE(has(b.output, "data-parallel on 2 processes")) << b.output;
    h5::File fa = h5::File::open_read(one + "/run.h5"), fb = h5::File::open_read(two + "/run.h5");
    EXPECT_EQ(fb.attr_string("/", "status"), "complete");
    // Splitting a batch only changes the order of summation: after 20 Adam steps the weights
    // agree to 1e-12 relative in float64 (1e-4 in float32).
    const double tol = std::string(precision) == "float64" ? 1e-12 : 1e-4;
    for (int l = 1; l <= 3; ++l) {
      const std::string w = "/weights/" + std::to_string(l) + "/W";
      const Mat<double> wa = fa.read_matrix<double>(w), wb = fb.read_matrix<double>(w);
      EXPECT_LE((wa - wb).cwiseAbs().maxCoeff(), tol * wa.cwiseAbs().maxCoeff())
          << precision << " layer " << l;
    }
    const auto la = fa.read_vector<double>("/metrics/train_loss"),
               lb = fb.read_vector<double>("/metrics/train_loss");
    ASSERT_EQ(la.size(), lb.size());
    for (std::size_t e = 0; e < la.size(); ++e) EXPECT_NEAR(la[e], lb[e], tol * la[e]);
    EXPECT_EQ(fa.read_vector<double>("/metrics/test_accuracy"),
              fb.read_vector<double>("/metrics/test_accuracy"));
  }
}

}  // namespace
}  // namespace gaitsim
