// A full disk for every command that writes (train, align --dump, settle, record, compare,
// sweep, cache): on a small tmpfs filled up, each exits 1 (not a crash) with a message naming
// its output file, leaves no partial or temporary file, and the outputs that existed before
// are byte for byte as they were. Mounting needs root (as in CI); elsewhere the tests are
// skipped, or fail when CI or GAITSIM_STRICT_TESTS is set.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "cli_runner.hpp"
#include "mnist_cli_test.hpp"
#include "process_util.hpp"
#include "tests/datasets/test_files.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

using namespace testing;
namespace fs = std::filesystem;

// Every file below `dir` (but the filler) and its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name != "filler" && name != ".lock") {  // .lock: no output
      files[fs::relative(e.path(), dir).string()] = file_text(e.path());
    }
  }
  return files;
}

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
    disk_ = dir.path() / "disk";
    fs::create_directories(disk_);
    GAITSIM_REQUIRE_DEPENDENCY(
        geteuid() == 0 && mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=16m") == 0,
        "mounting a tmpfs needs root");
    mounted_ = true;
    cfg_ = dir / "tiny.yaml";
    std::ofstream(cfg_) << testing::mnist_data_yaml(120, 60)
                        << "network:\n  kind: tower\n  widths: [784, 32, 24, 16]\n"
                        << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 1\n"
                        << "output:\n  progress: false\n  align_every: 1\n";
  }
  void TearDown() override {
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  // Fills the file system up to about `leave` free bytes.
  void fill(off_t leave = 0) {
    const fs::path filler = disk_ / "filler";
    const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    const std::string block(1 << 16, 'x');
    off_t size = 0;
    for (ssize_t n; (n = ::write(fd, block.data(), block.size())) > 0;) size += n;
    ASSERT_EQ(errno, ENOSPC);
    ASSERT_EQ(::ftruncate(fd, std::max<off_t>(0, size - leave)), 0);
    ::close(fd);
  }
  void unfill() { fs::remove(disk_ / "filler"); }

  // Runs `gaitsim ARGS` on the full disk: it must fail cleanly, naming `out`, and change
  // nothing on the disk.
  void expect_clean_failure(const std::string& args, const fs::path& out) {
    const auto before = snapshot(disk_);
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.output;  // -1: killed by a signal
    EXPECT_TRUE(contains(r.output, out.string())) << args << "\n" << r.output;
    const auto after = snapshot(disk_);
    for (const auto& [name, bytes] : after) {
      EXPECT_TRUE(before.count(name)) << args << ": left " << name;
    }
    for (const auto& [name, bytes] : before) {
      EXPECT_TRUE(after.count(name)) << args << ": deleted " << name;
      EXPECT_TRUE(after.count(name) == 0 || after.at(name) == bytes)
          << args << ": changed " << name;
    }
  }

  ScratchDir dir;
  fs::path disk_;
  std::string cfg_;
  bool mounted_ = false;
};

TEST_F(FullDisk, TrainForceOnAFullDiskKeepsTheOldRun) {
  const fs::path run = disk_ / "run";
  ASSERT_EQ(run_cli("train " + cfg_ + " --out " + run.string()).exit_code, 0);
  for (off_t leave : {off_t{0}, off_t{48 << 10}}) {  // at the first write, and mid-file
    fill(leave);
    expect_clean_failure("train " + cfg_ + " --out " + run.string() + " --force", run / "run.h5");
    expect_clean_failure("train " + cfg_ + " --out " + (disk_ / "new").string(),
                         disk_ / "new/run.h5");
    unfill();
  }
}

TEST_F(FullDisk, AlignSettleAndRecordOnAFullDiskKeepTheOldOutputs) {
  const std::string dump = disk_ / "dump.h5", settle = disk_ / "settle.h5", rec = disk_ / "rec.h5";
  const std::string settle_args =
      "settle " + cfg_ + " --set dynamics.mode=settle --stimuli 3 --out " + settle;
  const std::string record_args = "record " + cfg_ + " --quiet --stimuli test:0-29 --out " + rec;
  ASSERT_EQ(run_cli("align " + cfg_ + " --dump " + dump).exit_code, 0);
  ASSERT_EQ(run_cli(settle_args).exit_code, 0);
  ASSERT_EQ(run_cli(record_args).exit_code, 0);
  fill();
  expect_clean_failure("align " + cfg_ + " --dump " + dump + " --force", dump);
  expect_clean_failure(settle_args + " --force", settle);
  expect_clean_failure(record_args + " --force", rec);
}

TEST_F(FullDisk, CompareOnAFullDiskLeavesNoPartialTable) {
  const std::string rec = disk_ / "rec.h5";
  ASSERT_EQ(run_cli("record " + cfg_ + " --quiet --stimuli test:0-29 --out " + rec).exit_code, 0);
  const std::string compare = "compare " + rec + " " + rec + " --layer all --metric cka --out ";
  ASSERT_EQ(run_cli(compare + (disk_ / "old.csv").string()).exit_code, 0);
  fill();
  // --out new.csv also writes new.h5, first: the message names that output.
  expect_clean_failure(compare + (disk_ / "new.csv").string(), disk_ / "new.h5");
}

TEST_F(FullDisk, SweepOnAFullDiskLeavesNoEmptySweepFileAndKeepsTheOldSweep) {
  const std::string base = dir / "base.yaml";
  fs::copy_file(cfg_, base);
  std::ofstream(dir / "a.yaml") << "base: base.yaml\naxes:\n  learning.gamma: [1e-3]\nseeds: [1]\n";
  std::ofstream(dir / "b.yaml") << "base: base.yaml\naxes:\n  learning.gamma: [1e-4]\nseeds: [1]\n";
  const std::string sweep_a = "sweep " + (dir / "a.yaml") + " --out ";
  const std::string sweep_b = "sweep " + (dir / "b.yaml") + " --out ";
  ASSERT_EQ(run_cli(sweep_a + (disk_ / "old").string()).exit_code, 0);
  fill();
  // Replacing a finished sweep: its points stay until the new sweep's files are complete.
  expect_clean_failure(sweep_b + (disk_ / "old").string() + " --force", disk_ / "old/base.yaml");
  // A new sweep folder holds no sweep.yaml, empty or not, so the sweep runs once there is room.
  expect_clean_failure(sweep_a + (disk_ / "new").string(), disk_ / "new/base.yaml");
  unfill();
  const CliResult again = run_cli(sweep_a + (disk_ / "new").string());
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

TEST_F(FullDisk, CacheOnAFullDiskKeepsTheOldCache) {
  for (int c = 0; c < 2; ++c) {
    for (int i = 0; i < 3; ++i) {
      // std::string(1, 'c') += ...: GCC 12 warns (-Wrestrict, a false positive) on "c" + string
      const fs::path file = dir.path() / "src" / (std::string(1, 'c') += std::to_string(c)) /
                            (std::to_string(i) += ".png");
      fs::create_directories(file.parent_path());
      datasets::testing::write_png(file, 12, 10, 3, std::vector<std::uint8_t>(360, 40 * (c + i)));
    }
  }
  const std::string cache = disk_ / "cache.h5";
  const std::string args = "cache imagenet-folder " + (dir / "src") + " --size 8 --out " + cache;
  ASSERT_EQ(run_cli(args).exit_code, 0);
  fill();
  expect_clean_failure(args + " --force", cache);
}

}  // namespace
}  // namespace gaitsim
