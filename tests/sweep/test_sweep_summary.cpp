// The sweep summary of points whose rank was lost: the note rank 0 appends to a point's log
// marks the point lost until the point is started again or finishes.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_file.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sim/sweep/sweep_summary.hpp"
#include "sweep_test_util.hpp"

namespace gaitsim {
namespace {

using namespace testing;

const std::string kStart = "gaitsim sweep: point started by pid 41 on node7 (rank 2 of 3)\n";
const std::string kEpoch = "epoch 1/2: train loss 0.4 acc 0.3 | test loss 0.4 acc 0.4 | 0:00\n";

TEST(SweepLostNote, MarksTheLogUntilTheNextSweepLine) {
  ScratchDir dir;
  const std::string log = dir / "p.log";
  EXPECT_EQ(lost_rank_in_log(log), -1);  // no log yet
  std::ofstream(log) << kStart << kEpoch;
  EXPECT_EQ(lost_rank_in_log(log), -1);
  // The point's process may go on writing after the note (its rank only hung).
  std::ofstream(log, std::ios::app) << lost_note(2, 61.5) << kEpoch;
  EXPECT_EQ(lost_rank_in_log(log), 2);
  EXPECT_TRUE(has(read_file(log), "rank 2 sent nothing for 61.5 s")) << read_file(log);
  std::ofstream(log, std::ios::app) << "gaitsim sweep: point started by pid 9 on n (rank 0 of 3)\n";
  EXPECT_EQ(lost_rank_in_log(log), -1);  // started again
}

TEST(SweepLostNote, TheSummaryListsALostPointWithItsRank) {
  ScratchDir dir;
  tiny_config(dir);
  const SweepSpec spec = parse_sweep("base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n",
                                     dir.path() / "s.yaml");
  const auto points = expand_sweep(spec);
  ASSERT_EQ(points.size(), 2u);
  const std::filesystem::path out = dir.path() / "sweep";
  std::filesystem::create_directories(out / "logs");
  std::ofstream(out / "logs" / (points[1].name + ".log")) << kStart << lost_note(2, 60);

  const SweepSummary s = write_sweep_summary(spec, points, out);
  EXPECT_EQ(s.points[0].status, "missing");
  EXPECT_EQ(s.points[0].lost_on_rank, -1);
  EXPECT_EQ(s.points[1].status, "lost");
  EXPECT_EQ(s.points[1].lost_on_rank, 2);
  EXPECT_EQ(s.unfinished, 2);
  EXPECT_EQ(s.lost, 1);

  const std::string csv = read_file(out / "summary.csv");
  EXPECT_TRUE(has(csv, "\n" + points[0].name + ",0.001,1,missing,0,0,,,,,,\n")) << csv;
  EXPECT_TRUE(has(csv, "\n" + points[1].name + ",1e-04,1,lost,0,0,,,,,,2\n")) << csv;
  h5::File f = h5::File::open_read(out / "summary.h5");
  EXPECT_EQ(f.attr_int("/", "lost"), 1);
  EXPECT_EQ(f.attr_int("/", "unfinished"), 2);
  EXPECT_EQ(f.read_vector<long long>("/points/lost_on_rank"), (std::vector<long long>{-1, 2}));
  EXPECT_EQ(f.attr_strings("/points", "status"), (std::vector<std::string>{"missing", "lost"}));
}

// A complete, sealed run file with one epoch of metrics, as read_point reads it.
void fake_run(const std::filesystem::path& file, double accuracy) {
  std::filesystem::create_directories(file.parent_path());
  h5::AtomicWriter w(file, h5::Sealing::kSealed);
  w.file().set_attr("/", "status", "complete");
  for (const char* m : {"test_accuracy", "test_loss", "train_accuracy", "epoch_seconds"})
    w.file().write_vector(std::string("/metrics/") + m, std::vector<double>{accuracy});
  w.commit();
}

TEST(SweepSummary, ASingleSeedHasAnEmptySdNotZero) {
  ScratchDir dir;
  tiny_config(dir);
  const SweepSpec spec = parse_sweep("base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n",
                                     dir.path() / "s.yaml");
  const auto points = expand_sweep(spec);
  const std::filesystem::path out = dir.path() / "sweep";
  for (const auto& p : points) fake_run(out / "points" / p.name / "run.h5", 0.5);
  write_sweep_summary(spec, points, out);
  const std::string agg = read_file(out / "summary_aggregate.csv");
  // final_test_accuracy_mean 0.5 and an empty sd, for each of the two one-seed groups.
  EXPECT_TRUE(has(agg, "\n0.001,1,1,0,0,0.5,,")) << agg;
  h5::File f = h5::File::open_read(out / "summary.h5");
  for (double sd : f.read_vector<double>("/aggregate/final_test_accuracy_sd"))
    EXPECT_TRUE(std::isnan(sd)) << sd;
}

// Every name in summary.h5 is one MATLAB accepts as a struct field; the swept key is kept in the
// column's attribute `key`, and the lists of names are string arrays.
TEST(SweepSummary, ColumnNamesAreValidMatlabFieldNames) {
  ScratchDir dir;
  tiny_config(dir);
  const SweepSpec spec = parse_sweep(
      "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3]\n  learning.learning_rate: [0.1]\n",
      dir.path() / "s.yaml");
  const auto points = expand_sweep(spec);
  const std::filesystem::path out = dir.path() / "sweep";
  std::filesystem::create_directories(out);
  write_sweep_summary(spec, points, out);
  h5::File f = h5::File::open_read(out / "summary.h5");
  EXPECT_EQ(f.attr_strings("/", "parameters"),
            (std::vector<std::string>{"learning.gamma", "learning.learning_rate"}));
  EXPECT_EQ(f.attr_strings("/", "parameter_datasets"),
            (std::vector<std::string>{"learning__gamma", "learning__learning_rate"}));
  EXPECT_EQ(f.attr_string("/points/learning__gamma", "key"), "learning.gamma");
  EXPECT_EQ(f.read_vector<double>("/aggregate/learning__learning_rate"), std::vector<double>{0.1});
  const std::regex matlab("[A-Za-z][A-Za-z0-9_]{0,62}");
  for (const char* group : {"/points", "/aggregate"}) {
    for (const auto& name : f.list(group)) EXPECT_TRUE(std::regex_match(name, matlab)) << name;
  }
  EXPECT_EQ(f.attr_strings("/points", "name"), std::vector<std::string>{points[0].name});
  EXPECT_TRUE(f.attr_strings("/", "missing").size() == 1);
}

}  // namespace
}  // namespace gaitsim
