#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/atomic_file.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim::h5 {
namespace {

using gaitsim::testing::TempDir;

std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

void write_version(const std::filesystem::path& path, double version) {
  File f = File::create(path);
  f.set_attr("/", "version", version);
}

TEST(AtomicWriter, CommitRenamesTheCompleteFileIntoPlace) {
  TempDir dir;
  const auto final_path = dir / "checkpoint.h5";
  {
    AtomicWriter w(final_path);
    w.file().write_matrix("/W", Eigen::MatrixXd::Identity(3, 3));
    EXPECT_FALSE(std::filesystem::exists(final_path));
    EXPECT_TRUE(std::filesystem::exists(w.temp_path()));
    EXPECT_EQ(w.temp_path().parent_path(), final_path.parent_path());
    w.commit();
    EXPECT_FALSE(std::filesystem::exists(w.temp_path()));
    EXPECT_THROW(w.file(), std::logic_error);
    EXPECT_THROW(w.commit(), std::logic_error);
  }
  EXPECT_EQ(entries_in(dir.path()), 1u);
  EXPECT_EQ(File::open_read(final_path).read_matrix<double>("/W"), Eigen::MatrixXd::Identity(3, 3));
}

TEST(AtomicWriter, WithoutCommitLeavesNoFile) {
  TempDir dir;
  {
    AtomicWriter w(dir / "checkpoint.h5");
    w.file().write_vector("/v", std::vector<double>{1, 2, 3});
  }
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(AtomicWriter, FailedWriteKeepsTheOlderFileIntact) {
  TempDir dir;
  const auto final_path = dir / "checkpoint.h5";
  write_version(final_path, 1.0);
  try {
    AtomicWriter w(final_path);
    w.file().set_attr("/", "version", 2.0);
    throw std::runtime_error("simulated crash before commit");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(entries_in(dir.path()), 1u);
  EXPECT_EQ(File::open_read(final_path).attr_double("/", "version"), 1.0);
}

TEST(AtomicWriter, CommitReplacesTheOlderFile) {
  TempDir dir;
  const auto final_path = dir / "checkpoint.h5";
  write_version(final_path, 1.0);
  AtomicWriter w(final_path);
  w.file().set_attr("/", "version", 2.0);
  EXPECT_EQ(File::open_read(final_path).attr_double("/", "version"), 1.0);
  w.commit();
  EXPECT_EQ(File::open_read(final_path).attr_double("/", "version"), 2.0);
}

TEST(AtomicWriter, MissingDirectoryThrows) {
  TempDir dir;
  EXPECT_THROW(AtomicWriter(dir / "no/such/dir/checkpoint.h5"), H5Error);
}

}  // namespace
}  // namespace gaitsim::h5
