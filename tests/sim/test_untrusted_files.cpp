// Issue 13, "nothing trusted": files and arguments a hostile user hands the program are refused
// with a message naming the file, the object and what was expected, and a documented exit code,
// never trained on or crashed by. One test per failure of the attack catalogue.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>

#include "analysis/h5_file.hpp"
#include "analysis/h5_seal.hpp"
#include "cli_runner.hpp"
#include "neurons/types.hpp"

namespace gaitsim {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::have_test_mnist;
using testing::run_cli;
using testing::ScratchDir;

// 120 MNIST examples in batches of 60: 2 steps per epoch.
std::string small_config(const ScratchDir& dir, const std::string& data = "") {
  const std::string path = dir / "small.yaml";
  std::ofstream(path) << "data:\n  dataset: " << (data.empty() ? "mnist" : "idx")
                      << "\n  path: " << (data.empty() ? GAITSIM_TEST_DATA_DIR "/mnist" : data)
                      << "\n  train_limit: 120\n  test_limit: 60\n"
                      << "network:\n  kind: tower\n  widths: [" << (data.empty() ? "784" : "64")
                      << ", 32, 16]\n"
                      << "learning:\n  batch_size: 60\n  epochs: 2\n"
                      << "output:\n  progress: false\n  align_every: 1\n";
  return path;
}

class Untrusted : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
    cfg = small_config(dir);
    // Paused at step 3: epoch 1 done, batch 1 of epoch 2, Adam moments stored.
    const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --max-steps 3");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    file = dir / "run/run.h5";
  }

  // Resumes after `damage` edited the run file and sealed it again (so that the schema checks
  // behind the seal are reached): must fail with exit 1 naming the file, `object` and
  // `expected`, and leave the file as it was.
  void expect_refused(const std::function<void(h5::File&)>& damage, const std::string& object,
                      const std::string& expected) {
    {
      h5::File f = h5::File::open_rw(file);
      damage(f);
      f.close();
    }
    h5::seal_file(file);
    const auto before = fs::last_write_time(file);
    const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --resume");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, file + ": " + object)) << r.output;
    EXPECT_TRUE(contains(r.output, expected)) << r.output;
    EXPECT_FALSE(contains(r.output, "test accuracy")) << r.output;
    EXPECT_EQ(fs::last_write_time(file), before);
  }

  ScratchDir dir;
  std::string cfg, file;
};

TEST_F(Untrusted, UndamagedRunFileResumes) {
  const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --resume");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "test accuracy")) << r.output;
}

// ASan: heap overflow in Adam::update.
TEST_F(Untrusted, ResumeRefusesAnOptimizerMomentOfTheWrongShape) {
  expect_refused(
      [](h5::File& f) { f.write_matrix("/state/optimizer/m/W/2", Mat<double>::Zero(3, 3)); },
      "/state/optimizer/m/W/2", "shape (3, 3), expected (16, 16)");
}

TEST_F(Untrusted, ResumeRefusesAMissingOptimizerMoment) {
  expect_refused(
      [](h5::File& f) { f.write_matrix("/state/optimizer/v/b/7", Mat<double>::Zero(1, 4)); },
      "/state/optimizer/v/b/7", "not a moment");
}

// ASan: heap overflow in read_state.
TEST_F(Untrusted, ResumeRefusesAShortProgress) {
  expect_refused(
      [](h5::File& f) {
        f.write_vector("/state/progress", std::vector<long long>{1, 1});
      },
      "/state/progress", "shape (2), expected (5)");
}

// ASan: heap overflow in BatchStream::read_ahead.
TEST_F(Untrusted, ResumeRefusesANegativeProgress) {
  expect_refused(
      [](h5::File& f) {
        f.write_vector("/state/progress", std::vector<long long>{1, -5, 3, 0, 0});
      },
      "/state/progress", "expected 0 <= batch <= step");
}

TEST_F(Untrusted, ResumeRefusesProgressPastTheEndOfTheEpoch) {
  expect_refused(
      [](h5::File& f) {
        f.write_vector("/state/progress", std::vector<long long>{1, 2, 3, 0, 60});
      },
      "/state/progress", "expected a batch below 2");
}

// ASan: heap overflow in read_metrics.
TEST_F(Untrusted, ResumeRefusesInconsistentMetricsLengths) {
  expect_refused(
      [](h5::File& f) {
        f.write_vector("/metrics/train_loss", std::vector<double>{1, 2, 3});
      },
      "/metrics/train_loss", "shape (3), expected (1)");
}

// Trained on and reported "test accuracy: 1.0000".
TEST_F(Untrusted, ResumeRefusesWeightsOfTheWrongShape) {
  expect_refused(
      [](h5::File& f) {
        f.write_matrix("/weights/2/W", Mat<double>::Identity(8, 8));
        f.write_vector("/weights/2/b", std::vector<double>(8, 0.0));
      },
      "/weights/2/W", "shape (8, 8), the configured network needs (16, 16)");
}

TEST_F(Untrusted, ResumeRefusesAnUnknownFormatVersion) {
  expect_refused([](h5::File& f) { f.set_attr("/", "format_version", 99LL); }, "/",
                 "format_version 99, expected 1");
}

TEST_F(Untrusted, ResumeRefusesAnUnknownStatus) {
  expect_refused([](h5::File& f) { f.set_attr("/", "status", "banana"); }, "/",
                 "status = 'banana', expected running | paused | complete | diverged");
}

// A damaged byte anywhere must be refused before libhdf5 reads the file: fuzzing found libhdf5
// 1.10.8 crashing (SEGV in H5HG_read on a damaged global heap index) and running out of memory
// on damaged run files.
TEST_F(Untrusted, ResumeRefusesAnyDamagedByteBeforeHdf5ReadsTheFile) {
  const auto size = fs::file_size(file);
  for (const std::uintmax_t at : {std::uintmax_t{600}, size / 2, size - 1}) {
    SCOPED_TRACE(at);
    std::string bytes;
    {
      std::ifstream in(file, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string original = bytes;
    bytes[at] = static_cast<char>(bytes[at] ^ 0x10);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
    const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --resume");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, file + ": checksum does not match the seal")) << r.output;
    std::ofstream(file, std::ios::binary | std::ios::trunc) << original;
  }
  fs::resize_file(file, size - 100);
  const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --resume");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the file was truncated or extended")) << r.output;
}

TEST_F(Untrusted, ResumeRefusesARunFileWithoutASeal) {
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::fill(bytes.begin(), bytes.begin() + 512, '\0');
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  const auto r = run_cli("train " + cfg + " --out " + (dir / "run") + " --resume");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, file + ": no gaitsim seal")) << r.output;
}

TEST_F(Untrusted, AlignRefusesACheckpointWithInconsistentMetrics) {
  {
    h5::File f = h5::File::open_rw(file);
    f.write_vector("/metrics/test_loss", std::vector<double>{});
    f.close();
  }
  h5::seal_file(file);
  const auto r = run_cli("align " + cfg + " --checkpoint " + file);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, file + ": /metrics/test_loss: shape (0), expected (1)"))
      << r.output;
}

// IDX files of `rows` x `rows` images with labels 0..9, n of each.
void write_idx(const fs::path& dir, const std::string& prefix, int rows, int n) {
  fs::create_directories(dir);
  auto be32 = [](std::ofstream& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.put(static_cast<char>((v >> s) & 0xFF));
  };
  std::ofstream images(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
  be32(images, 0x803), be32(images, n), be32(images, rows), be32(images, rows);
  for (int i = 0; i < n * rows * rows; ++i) images.put(static_cast<char>(i * 13));
  std::ofstream labels(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
  be32(labels, 0x801), be32(labels, n);
  for (int i = 0; i < n; ++i) labels.put(static_cast<char>(i % 10));
}

// Ran to NaN; under ASan a SEGV in dgemm.
TEST_F(Untrusted, TrainRefusesTestImagesOfAnotherSizeThanTheTrainingImages) {
  const fs::path data = dir / "mixed";
  write_idx(data, "train", 8, 120);
  write_idx(data, "t10k", 4, 60);
  const auto r = run_cli("train " + small_config(dir, data) + " --out " + (dir / "m"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, data.string())) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "training examples are 1x8x8 (channels x height x width) but "
                       "test examples are 1x4x4"))
      << r.output;
  write_idx(data, "t10k", 8, 60);
  const auto same = run_cli("train " + small_config(dir, data) + " --out " + (dir / "s"));
  EXPECT_EQ(same.exit_code, 0) << same.output;
}

// Exit 0, NaN metrics and status complete.
TEST_F(Untrusted, TrainRefusesZeroTrainingExamples) {
  const fs::path data = dir / "empty";
  write_idx(data, "train", 8, 0);
  write_idx(data, "t10k", 8, 60);
  const auto r = run_cli("train " + small_config(dir, data) + " --out " + (dir / "e"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "the training split holds 0 examples")) << r.output;
  EXPECT_FALSE(fs::exists(dir / "e/run.h5"));
}

// Wrote (200, 16) rates for a 784-input network.
TEST_F(Untrusted, RecordRefusesStimuliOfAnotherWidthThanTheNetwork) {
  const fs::path data = dir / "small";
  write_idx(data, "t10k", 4, 20);
  const std::string stimuli = (data / "t10k-images-idx3-ubyte").string();
  const auto r = run_cli("record " + cfg + " --checkpoint " + file + " --stimuli " + stimuli +
                         " --out " + (dir / "rates.h5"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, stimuli + ": holds 4x4 images (16 values per stimulus); the "
                                           "network's input has 784"))
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "rates.h5"));
  const auto no_checkpoint =
      run_cli("record " + cfg + " --stimuli " + stimuli + " --out " + (dir / "rates.h5"));
  EXPECT_EQ(no_checkpoint.exit_code, 1) << no_checkpoint.output;
  EXPECT_TRUE(contains(no_checkpoint.output, "the network's input has 784"))
      << no_checkpoint.output;
}

// Exited 105, 106 or 109 (CLI11's codes) instead of the documented 2.
TEST_F(Untrusted, UsageErrorsExitTwo) {
  for (const std::string& args :
       std::vector<std::string>{"train", "train --no-such-option x.yaml", "frobnicate",
                                "train " + cfg + " --threads abc", "record " + cfg}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.output;
  }
  EXPECT_EQ(run_cli("--help").exit_code, 0);
  EXPECT_EQ(run_cli("--version").exit_code, 0);
}

// Printed a range ending in a 309-digit number.
TEST_F(Untrusted, ThreadsZeroSaysExpectedAnIntegerAtLeastOne) {
  const auto r = run_cli("train " + cfg + " --threads 0");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "expected an integer >= 1, found '0'")) << r.output;
  EXPECT_LT(r.output.size(), 400u) << r.output;
}

}  // namespace
}  // namespace gaitsim
