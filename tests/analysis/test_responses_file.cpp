// The responses writers (both layouts) and readers, and the trajectories writer and reader:
// what is written is what is read back (float64 exactly, float32 as the float of each value),
// and the reader's schema check names the file, the dataset and what was expected.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "analysis/h5_file.hpp"
#include "analysis/responses_layout.hpp"
#include "analysis/responses_reader.hpp"
#include "analysis/responses_writer.hpp"
#include "analysis/trajectory_file.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim {
namespace {

namespace rl = responses_layout;

Eigen::MatrixXd random(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = g(rng);
  return m;
}

// A 3-population network (input 6, hidden 4, output 3) and two chunks of 5 and 2 stimuli.
struct Fixture {
  std::vector<ResponseLayer> layers;
  std::vector<ResponseChunk> chunks;

  explicit Fixture(bool targets) {
    const int widths[] = {6, 4, 3};
    const char* names[] = {"input", "hidden", "output"};
    for (int l = 0; l < 3; ++l) {
      ResponseLayer r{names[l], l, widths[l], l == 2 ? 2 : widths[l], "sigmoid", 1.0, {}, "test"};
      r.auxiliary.assign(static_cast<std::size_t>(widths[l]), 0);
      if (l == 2) r.auxiliary.back() = 1;
      layers.push_back(r);
    }
    std::mt19937_64 rng(7);
    long long offset = 0;
    for (int n : {5, 2}) {
      ResponseChunk c;
      c.offset = offset;
      for (int i = 0; i < n; ++i) {
        c.ids.push_back(100 + offset + i);
        c.labels.push_back(static_cast<int>((offset + i) % 2));
      }
      for (int l = 0; l < 3; ++l) c.rates.push_back(random(n, widths[l], rng));
      if (targets) {
        c.targets.emplace_back();
        c.deltas.emplace_back();
        c.scales.emplace_back();
        for (int l = 1; l < 3; ++l) {
          c.targets.push_back(random(n, widths[l], rng));
          c.deltas.push_back(random(n, widths[l], rng));
          c.scales.push_back(random(n, 1, rng).col(0).cwiseAbs());
        }
      }
      chunks.push_back(c);
      offset += n;
    }
  }

  ResponsesHeader header(h5::ScalarType dtype, bool targets) const {
    ResponsesHeader h;
    h.config_yaml = "network: {}\n";
    h.config_file = "test.yaml";
    h.weights = "test weights";
    h.stimuli = "test:100-106";
    h.stimulus_source = "a test";
    h.stimulus_count = 7;
    h.classes = 2;
    h.algorithm = "gait";
    h.precision = "float64";
    h.dtype = dtype;
    h.targets = targets;
    return h;
  }

  Eigen::MatrixXd all(const std::vector<Eigen::MatrixXd> ResponseChunk::*member, int l) const {
    const Eigen::MatrixXd& a = (chunks[0].*member)[l];
    const Eigen::MatrixXd& b = (chunks[1].*member)[l];
    Eigen::MatrixXd m(a.rows() + b.rows(), a.cols());
    m << a, b;
    return m;
  }
};

void write(const std::string& format, const std::filesystem::path& path, const Fixture& fx,
           const ResponsesHeader& h) {
  auto w = make_responses_writer(format, path, h, fx.layers);
  for (const auto& c : fx.chunks) w->append(c);
  w->finish();
}

TEST(ResponsesFile, GaitsimLayoutRoundTripsFloat64Exactly) {
  testing::TempDir dir;
  const Fixture fx(true);
  const auto path = dir.path() / "r.h5";
  write("gaitsim", path, fx, fx.header(h5::scalar_type<double>(), true));
  const ResponsesReader r(path);
  EXPECT_EQ(r.stimuli(), 7);
  EXPECT_EQ(r.ids(), (std::vector<long long>{100, 101, 102, 103, 104, 105, 106}));
  EXPECT_EQ(r.labels(), (std::vector<int>{0, 1, 0, 1, 0, 1, 0}));
  ASSERT_EQ(r.layers().size(), 3u);
  EXPECT_EQ(r.layers()[2].passed_on, 2);
  EXPECT_EQ(r.layers()[2].auxiliary, (std::vector<std::int8_t>{0, 0, 1}));
  EXPECT_TRUE(r.has_targets());
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(r.rates(fx.layers[l].name), fx.all(&ResponseChunk::rates, l)) << l;
  }
  EXPECT_EQ(r.targets("hidden"), fx.all(&ResponseChunk::targets, 1));
  EXPECT_EQ(r.target_delta("output"), fx.all(&ResponseChunk::deltas, 2));
  Eigen::VectorXd scale(7);
  scale << fx.chunks[0].scales[1], fx.chunks[1].scales[1];
  EXPECT_EQ(r.target_scale("hidden"), scale);
  EXPECT_THROW(r.targets("input"), ResponsesFormatError);
  EXPECT_THROW(r.rates("nope"), ResponsesFormatError);
}

TEST(ResponsesFile, GaitsimLayoutStoresFloat32AsTheFloatOfEachValue) {
  testing::TempDir dir;
  const Fixture fx(false);
  const auto path = dir.path() / "r.h5";
  write("gaitsim", path, fx, fx.header(h5::scalar_type<float>(), false));
  const ResponsesReader r(path);
  EXPECT_FALSE(r.has_targets());
  const Eigen::MatrixXd want = fx.all(&ResponseChunk::rates, 1).cast<float>().cast<double>();
  EXPECT_EQ(r.rates("hidden"), want);
  EXPECT_THROW(r.targets("hidden"), ResponsesFormatError);
}

TEST(ResponsesFile, NwbLayoutHoldsTheRowsTimestampsAndTrials) {
  testing::TempDir dir;
  const Fixture fx(true);
  const auto path = dir.path() / "r.nwb";
  write("nwb", path, fx, fx.header(h5::scalar_type<double>(), true));
  const h5::File f = h5::File::open_read(path);
  EXPECT_EQ(f.attr_int("/", rl::kComplete), 1);
  EXPECT_EQ(f.attr_string("/", "nwb_version"), rl::kNwbVersion);
  const std::string hidden = std::string(rl::kNwbModule) + "/hidden";
  EXPECT_EQ(f.read_matrix<double>(hidden + "/data"), fx.all(&ResponseChunk::rates, 1));
  EXPECT_EQ(f.read_matrix<double>(hidden + rl::kNwbTargetSuffix + "/data"),
            fx.all(&ResponseChunk::targets, 1));
  const auto ts = f.read_vector<double>(hidden + "/timestamps");
  const auto tt = f.read_vector<double>(hidden + rl::kNwbTargetSuffix + "/timestamps");
  ASSERT_EQ(ts.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(ts[i], double(i) * rl::kPresentationSeconds);  // stimulus i over [i, i + 1) s
    EXPECT_EQ(tt[i], ts[i] + 0.5 * rl::kPresentationSeconds);
  }
  const std::string trials = rl::kNwbTrials;
  EXPECT_EQ(f.read_strings(trials + "/phase").size(), 14u);  // free and target per stimulus
  EXPECT_EQ(f.read_vector<long long>(trials + "/stimulus_id").at(13), 106);
}

// Both layouts written from the same chunks read back as the same responses: ids, labels, layer
// list with widths and auxiliary units, rates and targets (float64 exactly); what only the
// gaitsim layout holds (target_delta, target_scale) is refused for NWB, naming the file.
TEST(ResponsesFile, NwbAndGaitsimLayoutsReadBackAsTheSameResponses) {
  testing::TempDir dir;
  const Fixture fx(true);
  const auto h5_path = dir.path() / "r.h5", nwb_path = dir.path() / "r.nwb";
  write("gaitsim", h5_path, fx, fx.header(h5::scalar_type<double>(), true));
  write("nwb", nwb_path, fx, fx.header(h5::scalar_type<double>(), true));
  const ResponsesReader g(h5_path), n(nwb_path);
  EXPECT_FALSE(g.is_nwb());
  EXPECT_TRUE(n.is_nwb());
  EXPECT_EQ(n.ids(), (std::vector<long long>{100, 101, 102, 103, 104, 105, 106}));
  EXPECT_EQ(n.ids(), g.ids());
  EXPECT_EQ(n.labels(), g.labels());
  EXPECT_TRUE(n.has_targets());
  EXPECT_EQ(n.precision(), g.precision());
  ASSERT_EQ(n.layers().size(), 3u);
  for (int l = 0; l < 3; ++l) {
    const ResponseLayer& a = g.layers()[l];
    const ResponseLayer& b = n.layers()[l];
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.index, a.index);
    EXPECT_EQ(b.width, a.width);
    EXPECT_EQ(b.passed_on, a.passed_on) << a.name;
    EXPECT_EQ(b.auxiliary, a.auxiliary) << a.name;
    EXPECT_EQ(n.rates(a.name), fx.all(&ResponseChunk::rates, l)) << a.name;
    EXPECT_EQ(n.rates(a.name), g.rates(a.name)) << a.name;
  }
  EXPECT_EQ(n.targets("output"), fx.all(&ResponseChunk::targets, 2));
  EXPECT_THROW(n.targets("input"), ResponsesFormatError);
  try {
    n.target_delta("hidden");
    FAIL() << "read target_delta from an NWB file";
  } catch (const ResponsesFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(nwb_path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not in the NWB layout"), std::string::npos) << e.what();
  }
}

// Without targets the NWB file has no *_target series: the reader says none were recorded;
// a float32 file reads as the float of each value, as in the gaitsim layout.
TEST(ResponsesFile, NwbLayoutWithoutTargetsReadsFloat32Rates) {
  testing::TempDir dir;
  const Fixture fx(false);
  const auto path = dir.path() / "r.nwb";
  write("nwb", path, fx, fx.header(h5::scalar_type<float>(), false));
  const ResponsesReader r(path);
  EXPECT_FALSE(r.has_targets());
  EXPECT_EQ(r.labels(), (std::vector<int>{0, 1, 0, 1, 0, 1, 0}));
  const Eigen::MatrixXd want = fx.all(&ResponseChunk::rates, 2).cast<float>().cast<double>();
  EXPECT_EQ(r.rates("output"), want);
  EXPECT_THROW(r.targets("output"), ResponsesFormatError);
}

// The NWB schema check: a TimeSeries with too few rows, and trials without phases.
TEST(ResponsesFile, NwbReaderNamesFileAndDatasetOfADamagedFile) {
  testing::TempDir dir;
  const Fixture fx(true);
  const auto path = dir.path() / "r.nwb";
  const auto error = [&] {
    try {
      ResponsesReader r(path);
    } catch (const ResponsesFormatError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  write("nwb", path, fx, fx.header(h5::scalar_type<double>(), true));
  const std::string hidden = std::string(rl::kNwbModule) + "/hidden/data";
  h5::File::open_rw(path).write_matrix(hidden, Eigen::MatrixXd::Zero(6, 4));
  std::string e = error();
  EXPECT_NE(e.find(path.string()), std::string::npos) << e;
  EXPECT_NE(e.find(hidden + ": expected shape (7, 4), found (6, 4)"), std::string::npos) << e;
  write("nwb", path, fx, fx.header(h5::scalar_type<double>(), true));
  h5::File::open_rw(path).set_attr("/", "complete", static_cast<std::int8_t>(0));
  EXPECT_NE(error().find("complete = 0"), std::string::npos);
}

TEST(ResponsesFile, UnknownLayoutIsRefusedNamingTheKnownOnes) {
  testing::TempDir dir;
  const Fixture fx(false);
  try {
    make_responses_writer("csv", dir.path() / "r.h5", fx.header(h5::scalar_type<float>(), false),
                          fx.layers);
    FAIL() << "accepted an unknown layout";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("csv: expected one of gaitsim, nwb"), std::string::npos)
        << e.what();
  }
}

// The schema check: each damage is reported with the file, the dataset and what was expected.
TEST(ResponsesFile, ReaderNamesFileDatasetAndExpectationOfADamagedFile) {
  testing::TempDir dir;
  const Fixture fx(true);
  const auto path = dir.path() / "r.h5";
  const auto expect_error = [&](const std::string& part) {
    try {
      ResponsesReader r(path);
      ADD_FAILURE() << "accepted a file whose error would be: " << part;
    } catch (const ResponsesFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  const auto fresh = [&] { write("gaitsim", path, fx, fx.header(h5::scalar_type<float>(), true)); };
  fresh();
  h5::File::open_rw(path).write_matrix("/layers/hidden/rates", Eigen::MatrixXd::Zero(7, 5));
  expect_error("/layers/hidden/rates: expected shape (7, 4), found (7, 5)");
  fresh();
  h5::File::open_rw(path).write_vector("/labels", std::vector<int>{1, 2});
  expect_error("/labels: expected shape (7,), found (2,)");
  fresh();
  h5::File::open_rw(path).write_matrix("/layers/output/targets", Eigen::MatrixXi::Zero(7, 3));
  expect_error("/layers/output/targets: expected floating-point values");
  fresh();
  h5::File::open_rw(path).set_attr("/", "complete", static_cast<std::int8_t>(0));
  expect_error("complete = 0");
  fresh();
  h5::File::open_rw(path).set_attr("/", "format_version", 9LL);
  expect_error("format_version 9: expected 1..1");
  fresh();
  h5::File::open_rw(path).write_strings("/layer_names", {"input", "hidden", "out"});
  expect_error("the attribute layer_names differs from /layer_names");
}

// Trajectories: two batches appended along the stimulus axis read back per stimulus, with the
// fixed points beside them; a phase that did not converge has a NaN convergence time.
TEST(TrajectoryFile, WriterAndReaderRoundTripBatchByBatch) {
  testing::TempDir dir;
  const auto path = dir.path() / "t.h5";
  std::mt19937_64 rng(3);
  const std::vector<double> tf = {0, 5, 10}, tt = {0, 5, 10, 15};
  // per batch, per layer index (0 unused), per sample: stimulus x unit
  const auto batch = [&](int n, std::size_t K) {
    std::vector<std::vector<Eigen::MatrixXd>> r(3);
    for (int l = 1; l < 3; ++l) {
      for (std::size_t k = 0; k < K; ++k) r[l].push_back(random(n, l == 1 ? 4 : 3, rng));
    }
    return r;
  };
  const auto f1 = batch(2, tf.size()), t1 = batch(2, tt.size()), d1 = batch(2, tt.size());
  const auto f2 = batch(3, tf.size()), t2 = batch(3, tt.size()), d2 = batch(3, tt.size());
  const Eigen::MatrixXd rates = random(5, 4, rng);
  {
    auto file = h5::StreamFile::create(path);
    file.write_strings(rl::kLayerNames, {"input", "hidden", "output"});
    file.write_vector(rl::kLabels, std::vector<int>{3, 1, 4, 1, 5});
    TrajectoryWriter w(file, {{"hidden", 1, 4}, {"output", 2, 3}}, h5::scalar_type<double>(), 1, 5,
                       {15, 5, 10, 0.5, 1e-6, "rk4", "inverse"});
    w.begin();
    w.append(0, 2, {tf, f1, nullptr, {true, 7.5, 1e-7, 30}}, {tt, t1, &d1, {false, 15, 1e-3, 30}});
    w.append(2, 3, {tf, f2, nullptr, {true, 5, 1e-8, 20}}, {tt, t2, &d2, {true, 12.5, 1e-7, 30}});
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = rates;
    file.create_stream("/layers/hidden/rates", h5::scalar_type<double>(), {4}, 5, 0);
    file.append("/layers/hidden/rates", r.data(), 5);
    EXPECT_THROW((w.append(5, 1, {tt, f1, nullptr, {}}, {tt, t1, &d1, {}})), std::logic_error);
    file.close();
  }
  const TrajectoryReader r(path);
  ASSERT_EQ(r.layers().size(), 2u);
  EXPECT_EQ(r.layers()[1].name, "output");
  EXPECT_EQ(r.layers()[1].width, 3);
  EXPECT_EQ(r.stimuli(), 5);
  EXPECT_EQ(r.time(0), tf);
  EXPECT_EQ(r.time(1), tt);
  EXPECT_EQ(r.labels().at(4), 5);
  const auto s3 = r.read(0, 3);  // the second batch's row 1
  for (std::size_t k = 0; k < tf.size(); ++k) {
    EXPECT_EQ(s3.rate[1].row(static_cast<Eigen::Index>(k)), f2[2][k].row(1)) << k;
  }
  EXPECT_EQ(s3.fixed_point[0], rates.row(3));
  EXPECT_EQ(s3.fixed_point[1].size(), 0);  // no rates stored for the output here
  const auto t0 = r.read(1, 1);
  EXPECT_EQ(t0.rate[0].row(3), t1[1][3].row(1));
  EXPECT_THROW(r.read(0, 5), std::runtime_error);
  const h5::File f = h5::File::open_read(path);
  const auto time = f.read_vector<double>("/trajectory_convergence/target_time_ms");
  ASSERT_EQ(time.size(), 2u);
  EXPECT_TRUE(std::isnan(time[0]));
  EXPECT_EQ(time[1], 12.5);
  EXPECT_EQ(f.read_vector<long long>("/trajectory_convergence/chunk_start"),
            (std::vector<long long>{0, 2}));
}

TEST(TrajectoryFile, ReaderRefusesAFileWithoutTrajectories) {
  testing::TempDir dir;
  const auto path = dir.path() / "t.h5";
  {
    auto file = h5::StreamFile::create(path);
    file.write_strings(rl::kLayerNames, {"input", "hidden"});
    file.close();
  }
  try {
    TrajectoryReader r(path);
    FAIL() << "read a file without trajectories";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string() + ": no layer has trajectories"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gaitsim
