#pragma once
// The fixture of the record/compare tests: a small MNIST tower trained for 3 steps, the
// `gaitsim record` command line for it, Python and recordings helpers.
#include <gtest/gtest.h>

#include <Eigen/Core>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "analysis/h5_stream.hpp"
#include "tests/sim/cli_runner.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {

using testing::contains;
using testing::have_test_mnist;
using testing::run_cli;
using testing::ScratchDir;

constexpr const char* kPython = testing::kSystemPython;

// Runs a Python script with arguments; returns its exit code and output.
inline testing::CliResult python(const ScratchDir& dir, const std::string& script,
                                 const std::string& args) {
  const std::string path = dir / "check.py";
  std::ofstream(path) << script;
  const std::string cmd = std::string(kPython) + " " + path + " " + args + " 2>&1";
  testing::CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) r.output += buf;
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class Record : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir;
    config_ = *dir_ / "small.yaml";
    std::ofstream(config_) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                           << "/mnist\n  train_limit: 600\n  test_limit: 200\n"
                           << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
                           << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 1\n"
                           << "output:\n  progress: false\n";
    run_ = *dir_ / "run";
    const auto r = run_cli("train " + config_ + " --out " + run_ + " --max-steps 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    run_ += "/run.h5";
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_TRUE(have_test_mnist()); }

  static std::string record(const std::string& args) {
    return "record " + config_ + " --checkpoint " + run_ + " --quiet " + args;
  }

  static ScratchDir* dir_;
  static std::string config_, run_;
  ScratchDir dir;
};

inline ScratchDir* Record::dir_ = nullptr;
inline std::string Record::config_, Record::run_;

// A stimulus x neuron x repetition file of recordings made from a layer of a responses file.
inline void write_recordings(const std::string& path, const std::vector<long long>& ids,
                             const Eigen::MatrixXd& signal, int reps, double noise, unsigned seed) {
  h5::StreamFile f = h5::StreamFile::create(path);
  const auto n = signal.rows(), m = signal.cols();
  f.create_stream("/responses", h5::scalar_type<double>(),
                  {static_cast<hsize_t>(m), static_cast<hsize_t>(reps)}, 64, 0);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  std::vector<double> row(static_cast<std::size_t>(m * reps));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < m; ++j) {
      for (int r = 0; r < reps; ++r)
        row[static_cast<std::size_t>(j * reps + r)] = signal(i, j) + noise * g(rng);
    }
    f.append("/responses", row.data(), 1);
  }
  f.write_vector("/stimulus_id", ids);
  f.close();
}

}  // namespace gaitsim
