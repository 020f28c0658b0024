// The comparison table of `gaitsim compare`: written as CSV and HDF5 and read back from either.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include "analysis/comparison_table.hpp"
#include "analysis/h5_file.hpp"
#include "tests/analysis/error_message.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim::analysis {
namespace {

using gaitsim::testing::error_message;
using gaitsim::testing::TempDir;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Equal, or both NaN (a value that was not computed).
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void expect_same_row(const ComparisonRow& a, const ComparisonRow& b, bool with_sizes) {
  EXPECT_EQ(a.layer, b.layer);
  EXPECT_EQ(a.metric, b.metric);
  EXPECT_PRED2(same, a.score, b.score) << a.layer << " " << a.metric;
  EXPECT_PRED2(same, a.ceiling, b.ceiling);
  EXPECT_PRED2(same, a.normalised, b.normalised);
  EXPECT_PRED2(same, a.ceiling_lower, b.ceiling_lower);
  EXPECT_PRED2(same, a.ceiling_upper, b.ceiling_upper);
  if (!with_sizes) return;
  EXPECT_EQ(a.stimuli, b.stimuli);
  EXPECT_EQ(a.units, b.units);
  EXPECT_EQ(a.neurons, b.neurons);
}

Eigen::VectorXd vec(double a, double b, double c) {
  Eigen::VectorXd v(3);
  v << a, b, c;
  return v;
}

// Two layers against recordings with repetitions: RSA with its bounds, CKA, ridge with per-neuron
// r and reliabilities (one negative: its ceiling is 0), and a metric with no ceiling (NaN).
ComparisonTable sample_table() {
  ComparisonTable t;
  t.rows.push_back({"hidden1", "rsa_spearman", 0.375, 0.75, 0.5, 0.5, 0.75, 200, 64, 30});
  t.rows.push_back({"hidden1", "cka", 0.5, kNaN, kNaN, kNaN, kNaN, 200, 64, 30});
  t.rows.push_back({"a_layer_name_longer_than_its_column", "ridge", -0.125, 0.9, -0.125 / 0.9, kNaN,
                    kNaN, 200, 48, 30});
  t.stimulus_id = {7, 3, 11};
  t.ridge_r["hidden1"] = vec(0.5, kNaN, -0.25);
  t.ridge_r["a_layer_name_longer_than_its_column"] = vec(0.1, 0.2, 0.3);
  t.neuron_reliability = vec(0.81, -0.04, 0.25);
  t.neurons_used = {0, 2, 5};
  t.responses = "resp.h5";
  t.recordings = "rec.h5";
  t.seed = 18446744073709551615ull;  // the largest --seed survives the signed attribute
  t.folds = 10;
  t.inner_folds = 5;
  t.splits = 3;
  t.created = "2026-12-04T19:00:00Z";
  return t;
}

void expect_same_vector(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  ASSERT_EQ(a.size(), b.size());
  for (Eigen::Index i = 0; i < a.size(); ++i) EXPECT_PRED2(same, a[i], b[i]) << "entry " << i;
}

TEST(ComparisonTable, HdfRoundTripKeepsEveryRowVectorAndSetting) {
  TempDir dir;
  const ComparisonTable t = sample_table();
  write_comparison_table(t, dir / "t.csv", dir / "t.h5");
  const ComparisonTable back = read_comparison_table(dir / "t.h5");
  ASSERT_EQ(back.rows.size(), t.rows.size());
  for (std::size_t i = 0; i < t.rows.size(); ++i) expect_same_row(back.rows[i], t.rows[i], true);
  EXPECT_EQ(back.stimulus_id, t.stimulus_id);
  ASSERT_EQ(back.ridge_r.size(), 2u);
  for (const auto& [layer, r] : t.ridge_r) expect_same_vector(back.ridge_r.at(layer), r);
  expect_same_vector(back.neuron_reliability, t.neuron_reliability);
  EXPECT_EQ(back.neurons_used, t.neurons_used);
  EXPECT_EQ(back.responses, t.responses);
  EXPECT_EQ(back.recordings, t.recordings);
  EXPECT_EQ(back.seed, t.seed);
  EXPECT_EQ(back.folds, 10);
  EXPECT_EQ(back.inner_folds, 5);
  EXPECT_EQ(back.splits, 3);
  EXPECT_EQ(back.created, t.created);
  // The neuron ceilings are sqrt(max(reliability, 0)): the expected r of the true signal.
  const auto ceiling = h5::File::open_read(dir / "t.h5").read_vector<double>("/neuron_ceiling");
  ASSERT_EQ(ceiling.size(), 3u);
  EXPECT_DOUBLE_EQ(ceiling[0], 0.9);
  EXPECT_EQ(ceiling[1], 0.0);
  EXPECT_DOUBLE_EQ(ceiling[2], 0.5);
}

TEST(ComparisonTable, CsvRoundTripKeepsSixSignificantDigitsAndEmptyForNaN) {
  TempDir dir;
  ComparisonTable t = sample_table();
  t.rows[1].score = 0.123456789;
  write_comparison_table(t, dir / "t.csv", dir / "t.h5");
  const auto rows = read_comparison_csv(dir / "t.csv");
  ASSERT_EQ(rows.size(), t.rows.size());
  expect_same_row(rows[0], t.rows[0], false);  // exact in 6 digits
  EXPECT_EQ(rows[1].score, 0.123457);
  EXPECT_TRUE(std::isnan(rows[1].ceiling));
  EXPECT_NEAR(rows[2].normalised, -0.125 / 0.9, 1e-6);
  EXPECT_EQ(rows[2].layer, "a_layer_name_longer_than_its_column");
  std::ifstream in(dir / "t.csv");
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper");
  EXPECT_EQ(first, "hidden1,rsa_spearman,0.375,0.75,0.5,0.5,0.75");
}

TEST(ComparisonTable, TextPrintsEveryColumnAndLongNamesWhole) {
  const std::string text = comparison_table_text(sample_table().rows);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "layer        metric                      score    ceiling  normalised  stimuli   "
            "units  neurons ceil_lower ceil_upper");
  EXPECT_NE(text.find("hidden1      cka                           0.5                      "
                      "       200      64       30                      \n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a_layer_name_longer_than_its_column ridge"), std::string::npos) << text;
}

TEST(ComparisonTable, PathsPutTheHdfFileBesideTheCsvNeverOnIt) {
  EXPECT_EQ(comparison_table_paths("d/t.csv").second, "d/t.h5");
  EXPECT_EQ(comparison_table_paths("t").second, "t.h5");
  EXPECT_EQ(comparison_table_paths("t.h5").second, "t.h5.h5");
}

TEST(ComparisonTable, WriterLeavesNothingWhenTheFolderIsMissing) {
  TempDir dir;
  try {
    write_comparison_table(sample_table(), dir / "none" / "t.csv", dir / "none" / "t.h5");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ComparisonTable, ReaderRefusesAShortColumnNamingFileAndDataset) {
  TempDir dir;
  write_comparison_table(sample_table(), dir / "t.csv", dir / "t.h5");
  h5::File::open_rw(dir / "t.h5").write_vector("/ceiling", std::vector<double>{0.5, 0.5});
  const std::string e = error_message([&] { read_comparison_table(dir / "t.h5"); });
  EXPECT_NE(e.find((dir / "t.h5").string() + ": /ceiling has 2 entries; expected 3"),
            std::string::npos)
      << e;
}

TEST(ComparisonTable, ReaderRefusesAFileThatIsNoComparisonTable) {
  TempDir dir;
  h5::File::create(dir / "other.h5").write_vector("/score", std::vector<double>{1.0});
  const std::string e = error_message([&] { read_comparison_table(dir / "other.h5"); });
  EXPECT_NE(e.find("not a comparison table"), std::string::npos) << e;
}

TEST(ComparisonTable, CsvReaderNamesTheLineAndWhatWasExpected) {
  TempDir dir;
  std::ofstream(dir / "bad.csv")
      << "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper\n"
      << "hidden1,cka,0.5,,,,\nhidden1,cka,0.5,,\n";
  std::string e = error_message([&] { read_comparison_csv(dir / "bad.csv"); });
  EXPECT_NE(e.find("line 3 has 5 fields; expected 7"), std::string::npos) << e;
  std::ofstream(dir / "nan.csv")
      << "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper\n"
      << "hidden1,cka,zero,,,,\n";
  e = error_message([&] { read_comparison_csv(dir / "nan.csv"); });
  EXPECT_NE(e.find("line 2: 'zero' is not a number"), std::string::npos) << e;
  std::ofstream(dir / "head.csv") << "layer,score\n";
  e = error_message([&] { read_comparison_csv(dir / "head.csv"); });
  EXPECT_NE(e.find("line 1 is 'layer,score'; expected the header"), std::string::npos) << e;
}

}  // namespace
}  // namespace gaitsim::analysis
