// Independent readers of gaitsim's files: the Python example of docs/comparisons.md reproduces
// a comparison table from the files alone; every file kind matches the documented layout
// (tests/python/check_file_schema.py, nothing undocumented, nothing missing); Octave reads run
// weights and a sweep summary. These need /usr/bin/python3 with h5py, numpy and scipy, and
// octave: without them the tests fail under CI or GAITSIM_STRICT_TESTS, else they are skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "analysis/h5_file.hpp"
#include "tests/record/record_fixture.hpp"

namespace gaitsim {
namespace {

bool have_octave() { return std::system("octave --version >/dev/null 2>&1") == 0; }

std::string source(const std::string& relative) { return testing::source_dir() + "/" + relative; }

// Runs a command, returns its exit code and output (stdout and stderr).
testing::CliResult shell(const std::string& cmd) {
  testing::CliResult r;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) r.output += buf;
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class FileReaders : public Record {};

// Responses of the fixture's tower for 120 stimuli and recordings of 24 neurons driven by
// hidden2, with 3 repetitions (unequal split halves).
std::pair<std::string, std::string> responses_and_recordings(const ScratchDir& dir,
                                                             const std::string& record_cmd) {
  const std::string resp = dir / "resp.h5";
  EXPECT_EQ(run_cli(record_cmd + " --stimuli test:0-119 --out " + resp).exit_code, 0);
  const h5::File f = h5::File::open_read(resp);
  const Eigen::MatrixXd h = f.read_matrix<double>("/layers/hidden2/rates");
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g;
  Eigen::MatrixXd W(h.cols(), 24);
  for (Eigen::Index k = 0; k < W.size(); ++k) W.data()[k] = g(rng);
  const Eigen::MatrixXd signal = h * W;
  const double sd =
      std::sqrt((signal.rowwise() - signal.colwise().mean()).squaredNorm() / signal.size());
  const std::string rec = dir / "rec.h5";
  write_recordings(rec, f.read_vector<long long>("/stimulus_id"), signal, 3, 0.8 * sd, 9);
  return {resp, rec};
}

TEST_F(FileReaders, ComparePythonExampleReproducesTheTable) {
  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py, numpy, scipy"),
                             "python3 with h5py, numpy and scipy is missing");
  const auto [resp, rec] = responses_and_recordings(dir, record(""));
  const std::string csv = dir / "table.csv";
  const auto r = run_cli("compare " + resp + " " + rec + " --seed 5 --splits 4 --out " + csv);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto py = shell(std::string(kPython) + " " + source("docs/examples/compare_reproduce.py") +
                        " " + resp + " " + rec + " --seed 5 --splits 4");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  const h5::File t = h5::File::open_read(dir / "table.h5");
  const auto layers = t.read_strings("/layer"), metrics = t.read_strings("/metric");
  std::vector<std::vector<double>> columns;
  for (const char* c : {"/score", "/ceiling", "/normalised", "/ceiling_lower", "/ceiling_upper"})
    columns.push_back(t.read_vector<double>(c));
  std::istringstream lines(py.output);
  std::string line;
  std::getline(lines, line);
  ASSERT_EQ(line, "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper") << py.output;
  std::size_t row = 0;
  for (; std::getline(lines, line); ++row) {
    ASSERT_LT(row, layers.size()) << py.output;
    std::istringstream cells(line);
    std::string layer, metric, v;
    std::getline(cells, layer, ',');
    std::getline(cells, metric, ',');
    EXPECT_EQ(layer, layers[row]);
    EXPECT_EQ(metric, metrics[row]);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      ASSERT_TRUE(std::getline(cells, v, ',')) << line;
      const double mine = columns[c][row], theirs = std::stod(v);
      if (std::isnan(mine)) {
        EXPECT_TRUE(std::isnan(theirs)) << line << " column " << c;
      } else {
        EXPECT_NEAR(theirs, mine, 1e-10) << layer << " " << metric << " column " << c;
      }
    }
  }
  EXPECT_EQ(row, layers.size()) << py.output;
  EXPECT_EQ(row, 16u);  // 4 layers x (rsa, cka, cka_debiased, ridge)
}

// Writes every kind of file through the command line and checks each against the docs.
TEST_F(FileReaders, EveryFileMatchesItsDocumentedLayout) {
  GAITSIM_REQUIRE_DEPENDENCY(testing::python_has("h5py, numpy, scipy"),
                             "python3 with h5py, numpy and scipy is missing");
  const std::string adam = dir / "adam.yaml";
  std::ofstream(adam) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                      << "/mnist\n  train_limit: 120\n  test_limit: 60\n"
                      << "network:\n  kind: tower\n  widths: [784, 16, 12, 10]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 30\n  epochs: 1\n"
                      << "  optimizer: adam\n  learning_rate: 1e-3\n"
                      << "output:\n  progress: false\n";
  std::vector<std::pair<std::string, std::string>> files;  // kind, path
  const auto ok = [&](const std::string& args) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
  };
  ok("train " + adam + " --out " + (dir / "run"));
  files.emplace_back("run", dir / "run/run.h5");
  ok("align " + adam + " --dump " + (dir / "align.h5"));
  files.emplace_back("align", dir / "align.h5");
  ok("settle " + adam + " --stimuli 3 --out " + (dir / "settle.h5"));
  files.emplace_back("settle", dir / "settle.h5");
  const auto [resp, rec] = responses_and_recordings(dir, record("--targets"));
  files.emplace_back("responses", resp);
  ok(record("--stimuli test:0-9 --trajectories --out " + (dir / "traj.h5")));
  files.emplace_back("responses", dir / "traj.h5");
  ok(record("--stimuli test:0-9 --targets --format nwb --out " + (dir / "nwb.h5")));
  files.emplace_back("responses_nwb", dir / "nwb.h5");
  ok("compare " + resp + " " + rec + " --splits 2 --out " + (dir / "table.csv"));
  files.emplace_back("comparison", dir / "table.h5");
  const std::string sweep = dir / "sweep.yaml";
  std::ofstream(sweep) << "base: adam.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n";
  ok("sweep " + sweep + " --out " + (dir / "sweep"));
  files.emplace_back("summary", dir / "sweep/summary.h5");
  for (const auto& [kind, path] : files) {
    const auto r = shell(std::string(kPython) + " " + source("tests/python/check_file_schema.py") +
                         " " + kind + " " + path);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

// Octave's load('-hdf5') reads any HDF5 file's datasets into a struct, dimensions reversed
// (docs/file-formats.md, "Reading in MATLAB, Octave and Julia"); a numeric group name "1"
// arrives as the field "_1".
TEST_F(FileReaders, OctaveReadsRunWeightsAndTheSweepSummary) {
  GAITSIM_REQUIRE_DEPENDENCY(have_octave(), "octave is missing");
  const std::string cfg = dir / "tiny.yaml";
  std::ofstream(cfg) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                     << "/mnist\n  train_limit: 120\n  test_limit: 60\n"
                     << "network:\n  kind: tower\n  widths: [784, 16, 12, 10]\n"
                     << "learning:\n  algorithm: gait\n  batch_size: 30\n  epochs: 1\n"
                     << "output:\n  progress: false\n";
  const std::string sweep = dir / "sweep.yaml";
  std::ofstream(sweep) << "base: tiny.yaml\naxes:\n  learning.gamma: [1e-3, 1e-4]\n";
  ASSERT_EQ(run_cli("sweep " + sweep + " --out " + (dir / "sweep")).exit_code, 0);
  const h5::File summary = h5::File::open_read(dir / "sweep/summary.h5");
  const std::string point = summary.attr_strings("/points", "name").at(1);
  const std::string run = dir / ("sweep/points/" + point + "/run.h5");
  const std::string script = dir / "read.m";
  std::ofstream(script) << "r = load('-hdf5', '" << run << "');\n"
                        << "W = r.weights.('_2').W.';\n"  // transposed back to k x n
                        << "printf('%d %d\\n', size(W));\n"
                        << "printf('%.17g\\n', W(3, 5));\n"
                        << "s = load('-hdf5', '" << (dir / "sweep/summary.h5") << "');\n"
                        << "printf('%.17g\\n', s.points.learning__gamma);\n"
                        << "printf('%.17g\\n', s.aggregate.final_test_accuracy_mean);\n";
  const auto r = shell("octave --no-gui --quiet " + script);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const h5::File f = h5::File::open_read(run);
  const Eigen::MatrixXd W = f.read_matrix<double>("/weights/2/W");
  std::ostringstream want;
  want.precision(17);
  want << W.rows() << " " << W.cols() << "\n" << W(2, 4) << "\n";
  for (double g : summary.read_vector<double>("/points/learning__gamma")) want << g << "\n";
  for (double a : summary.read_vector<double>("/aggregate/final_test_accuracy_mean"))
    want << a << "\n";
  EXPECT_TRUE(contains(r.output, want.str())) << "octave:\n"
                                              << r.output << "\nwanted:\n"
                                              << want.str();
}

}  // namespace
}  // namespace gaitsim
