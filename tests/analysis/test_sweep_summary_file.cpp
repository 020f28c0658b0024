// The sweep summary files (analysis/sweep_summary_file): summary.h5 written and read back, the
// CSVs' rows, and the reader refusing damaged files with the file and dataset named.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "analysis/h5_file.hpp"
#include "analysis/sweep_summary_file.hpp"
#include "tests/analysis/error_message.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim {
namespace {

using testing::error_message;
using testing::TempDir;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

SummaryPointRow point(const std::string& lr, const std::string& rule, long long seed,
                      const std::string& status, std::vector<double> metrics) {
  SummaryPointRow r;
  r.name = "lr=" + lr + "__rule=" + rule + "__seed=" + std::to_string(seed);
  r.values = {lr, rule};
  r.seed = seed;
  r.status = status;
  r.epochs = std::isnan(metrics[0]) ? 0 : 3;  // no epoch completed: no metrics
  r.metrics = std::move(metrics);
  return r;
}

// Four points over two combinations: (0.001, gait) complete twice; (1000, bp) diverged once and
// lost once (on rank 2).
SweepSummaryTable table() {
  SweepSummaryTable t;
  t.sweep_digest = "0123456789abcdef";
  t.base = "configs/tiny.yaml";
  t.keys = {"learning.learning_rate", "learning.algorithm"};
  t.points = {point("0.001", "gait", 1, "complete", {0.5, 0.6, 0.4, 0.55, 1.5}),
              point("0.001", "gait", 2, "complete", {0.7, 0.7, 0.3, 0.65, 2.5}),
              point("1000", "bp", 1, "diverged", {0.1, 0.1, 1e25, 0.1, 0.5}),
              point("1000", "bp", 2, "lost", {kNaN, kNaN, kNaN, kNaN, kNaN})};
  t.points[3].lost_on_rank = 2;
  SummaryGroupRow a, b;
  a.values = {"0.001", "gait"};
  a.seeds = 2;
  a.complete = 2;
  a.mean = {0.6, 0.65, 0.35, 0.6, 2.0};
  a.sd = {0.1, 0.05, 0.05, 0.05, 0.5};
  b.values = {"1000", "bp"};
  b.seeds = 2;
  b.diverged = 1;
  b.unfinished = 1;
  b.mean = b.sd = std::vector<double>(5, kNaN);
  t.groups = {a, b};
  t.complete = 2;
  t.diverged = 1;
  t.unfinished = 1;
  t.lost = 1;
  return t;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SweepSummaryFile, ReadsBackWhatWasWritten) {
  const TempDir dir;
  const SweepSummaryTable t = table();
  write_sweep_summary_files(dir.path(), t);
  const SweepSummaryFile s = read_sweep_summary(dir / "summary.h5");
  EXPECT_EQ(s.sweep_digest, t.sweep_digest);
  EXPECT_EQ(s.base, t.base);
  EXPECT_EQ(s.points, 4);
  EXPECT_EQ(s.complete, 2);
  EXPECT_EQ(s.diverged, 1);
  EXPECT_EQ(s.unfinished, 1);
  EXPECT_EQ(s.lost, 1);
  EXPECT_EQ(s.missing, std::vector<std::string>{t.points[3].name});
  ASSERT_EQ(s.name.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(s.name[i], t.points[i].name);
    EXPECT_EQ(s.status[i], t.points[i].status);
    EXPECT_EQ(s.seed[i], t.points[i].seed);
    EXPECT_EQ(s.epochs[i], t.points[i].epochs);
    EXPECT_EQ(s.diverged_flag[i], i == 2 ? 1 : 0);
    EXPECT_EQ(s.lost_on_rank[i], t.points[i].lost_on_rank);
    for (std::size_t m = 0; m < sweep_summary_metrics().size(); ++m) {
      EXPECT_PRED2(same, s.metrics[m][i], t.points[i].metrics[m]) << i << " " << m;
    }
  }
  EXPECT_EQ(s.seeds, (std::vector<long long>{2, 2}));
  EXPECT_EQ(s.group_complete, (std::vector<long long>{2, 0}));
  EXPECT_EQ(s.group_diverged, (std::vector<long long>{0, 1}));
  EXPECT_EQ(s.group_unfinished, (std::vector<long long>{0, 1}));
  for (std::size_t m = 0; m < sweep_summary_metrics().size(); ++m) {
    for (std::size_t g = 0; g < 2; ++g) {
      EXPECT_PRED2(same, s.mean[m][g], t.groups[g].mean[m]);
      EXPECT_PRED2(same, s.sd[m][g], t.groups[g].sd[m]);
    }
  }
  // A numeric key as numbers, a text key as indices into its categories.
  ASSERT_EQ(s.parameters.size(), 2u);
  EXPECT_EQ(s.parameters[0].key, "learning.learning_rate");
  EXPECT_EQ(s.parameters[0].dataset, "learning__learning_rate");
  EXPECT_EQ(s.parameters[0].point, (std::vector<double>{0.001, 0.001, 1000, 1000}));
  EXPECT_EQ(s.parameters[0].aggregate, (std::vector<double>{0.001, 1000}));
  EXPECT_TRUE(s.parameters[0].point_categories.empty());
  EXPECT_EQ(s.parameters[1].point, (std::vector<double>{0, 0, 1, 1}));
  EXPECT_EQ(s.parameters[1].point_categories, (std::vector<std::string>{"gait", "bp"}));
  EXPECT_EQ(s.parameters[1].aggregate_categories, (std::vector<std::string>{"gait", "bp"}));
}

// The CSVs as docs/cluster.md describes them: NaN as an empty field, lost_on_rank only for a
// lost point, %.10g numbers.
TEST(SweepSummaryFile, CsvRowsHoldTheTableInColumnOrder) {
  const TempDir dir;
  write_sweep_summary_files(dir.path(), table());
  const std::string points = read_text(dir / "summary.csv");
  EXPECT_EQ(points.substr(0, points.find('\n')),
            "name,learning.learning_rate,learning.algorithm,seed,status,epochs,diverged,"
            "final_test_accuracy,best_test_accuracy,final_test_loss,final_train_accuracy,"
            "wall_seconds,lost_on_rank");
  EXPECT_NE(
      points.find("\nlr=1000__rule=bp__seed=1,1000,bp,1,diverged,3,1,0.1,0.1,1e+25,0.1,0.5,\n"),
      std::string::npos)
      << points;
  EXPECT_NE(points.find("\nlr=1000__rule=bp__seed=2,1000,bp,2,lost,0,0,,,,,,2\n"),
            std::string::npos)
      << points;
  const std::string agg = read_text(dir / "summary_aggregate.csv");
  EXPECT_NE(agg.find("\n1000,bp,2,0,1,1,,,,,,,,,,\n"), std::string::npos) << agg;
  EXPECT_NE(agg.find("\n0.001,gait,2,2,0,0,0.6,0.1,0.65,0.05,"), std::string::npos) << agg;
}

// One damage applied to a freshly written summary.h5.
std::string damaged(const TempDir& dir, void (*damage)(h5::File&)) {
  write_sweep_summary_files(dir.path(), table());
  {
    h5::File f = h5::File::open_rw(dir / "summary.h5");
    damage(f);
  }
  return error_message([&] { read_sweep_summary(dir / "summary.h5"); });
}

void unlink(h5::File& f, const char* path) {
  f.close();
  const hid_t id = H5Fopen(f.path().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(id, 0);
  EXPECT_GE(H5Ldelete(id, path, H5P_DEFAULT), 0);
  H5Fclose(id);
}

TEST(SweepSummaryFile, RefusesDamagedFilesNamingFileAndDataset) {
  {
    const TempDir dir;
    const std::string e = damaged(dir, [](h5::File& f) {
      f.write_vector("/points/epochs", std::vector<long long>{3, 3, 3});
    });
    EXPECT_NE(e.find((dir / "summary.h5").string()), std::string::npos) << e;
    EXPECT_NE(e.find("/points/epochs: expected 1 dimension of 4 entries, found shape (3,)"),
              std::string::npos)
        << e;
  }
  {
    const TempDir dir;
    const std::string e = damaged(dir, [](h5::File& f) {
      f.write_vector("/points/seed", std::vector<double>{1, 2, 1, 2});
    });
    EXPECT_NE(e.find("/points/seed: expected integer values"), std::string::npos) << e;
  }
  {
    const TempDir dir;
    const std::string e =
        damaged(dir, [](h5::File& f) { unlink(f, "/aggregate/wall_seconds_sd"); });
    EXPECT_NE(e.find("/aggregate/wall_seconds_sd: missing"), std::string::npos) << e;
  }
  {
    const TempDir dir;
    const std::string e = damaged(dir, [](h5::File& f) {
      f.write_vector("/points/learning__algorithm", std::vector<double>{0, 0, 1, 2});
      f.set_attr("/points/learning__algorithm", "categories",
                 std::vector<std::string>{"gait", "bp"});
    });
    EXPECT_NE(e.find("/points/learning__algorithm: value 2 is not an index into the attribute "
                     "categories (2 entries)"),
              std::string::npos)
        << e;
  }
  {
    const TempDir dir;
    const std::string e = damaged(dir, [](h5::File& f) {
      f.set_attr("/", "parameter_datasets", std::vector<std::string>{"learning__learning_rate"});
    });
    EXPECT_NE(e.find(": /: attribute parameter_datasets has 1 entries, expected 2"),
              std::string::npos)
        << e;
  }
  {
    const TempDir dir;
    const std::string e = damaged(dir, [](h5::File& f) { f.set_attr("/", "complete", 3LL); });
    EXPECT_NE(e.find("complete + diverged + unfinished = 5, expected points = 4"),
              std::string::npos)
        << e;
  }
}

TEST(SweepSummaryFile, RefusesAFileThatIsNotHdf5) {
  const TempDir dir;
  std::ofstream(dir / "summary.h5") << "name,seed\n";
  const std::string e = error_message([&] { read_sweep_summary(dir / "summary.h5"); });
  EXPECT_NE(e.find((dir / "summary.h5").string() + ": cannot open as HDF5"), std::string::npos)
      << e;
}

}  // namespace
}  // namespace gaitsim
