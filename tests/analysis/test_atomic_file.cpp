#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
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

TEST(AtomicWriter, EditCopyChangesTheFileOnlyAtCommit) {
  TempDir dir;
  const auto final_path = dir / "run.h5";
  write_version(final_path, 1.0);
  {
    AtomicWriter edit(final_path, AtomicWriter::EditCopy{});
    EXPECT_EQ(edit.file().attr_double("/", "version"), 1.0);  // starts from the old content
    edit.file().set_attr("/", "status", "diverged");
    EXPECT_FALSE(File::open_read(final_path).has_attr("/", "status"));
  }  // no commit: the original stays, the copy goes
  EXPECT_EQ(entries_in(dir.path()), 1u);
  EXPECT_FALSE(File::open_read(final_path).has_attr("/", "status"));
  AtomicWriter edit(final_path, AtomicWriter::EditCopy{});
  edit.file().set_attr("/", "status", "diverged");
  edit.commit();
  const File f = File::open_read(final_path);
  EXPECT_EQ(f.attr_string("/", "status"), "diverged");
  EXPECT_EQ(f.attr_double("/", "version"), 1.0);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicWriter, TemporaryNamesAreRecognisedAndStaleOnesRemoved) {
  TempDir dir;
  const auto final_path = dir / "run.h5";
  AtomicWriter w(final_path);
  EXPECT_TRUE(is_atomic_temp_of(w.temp_path(), final_path));
  EXPECT_TRUE(is_atomic_temp_of("x/run.h5.123-4.tmp", "run.h5"));
  for (const char* other : {"run.h5", "run.h5.tmp", "run.h5.12-.tmp", "run.h5.a-1.tmp",
                            "run.h5.1-2.tmpx", "xrun.h5.1-2.tmp", "summary.h5.1-2.tmp"}) {
    EXPECT_FALSE(is_atomic_temp_of(dir / other, final_path)) << other;
  }
  std::ofstream(dir / "run.h5.99-0.tmp") << "left by a killed writer";
  std::ofstream(dir / "notes.txt") << "kept";
  EXPECT_EQ(remove_stale_temps(final_path), 2);  // w's own too: the caller must hold the lock
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteTextAtomic, ReplacesTheFileWithTheWholeText) {
  TempDir dir;
  const auto path = dir / "summary.csv";
  write_text_atomic(path, "old\n");
  const std::string big(1 << 20, 'x');  // more than one write() may take
  write_text_atomic(path, big);
  EXPECT_EQ(read_all(path), big);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(WriteTextAtomic, FailureNamesTheFileAndTheReasonAndLeavesNothing) {
  TempDir dir;
  const auto path = dir / "missing" / "sweep.yaml";
  try {
    write_text_atomic(path, "text");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + path.string()), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(AtomicTextWriter, WithoutCommitTheOldFileStays) {
  TempDir dir;
  const auto path = dir / "base.yaml";
  write_text_atomic(path, "old");
  {
    AtomicTextWriter w(path, "new");
    EXPECT_EQ(read_all(w.temp_path()), "new");  // complete before anything is replaced
    EXPECT_EQ(read_all(path), "old");
  }
  EXPECT_EQ(read_all(path), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
  AtomicTextWriter w(path, "new");
  w.commit();
  EXPECT_EQ(read_all(path), "new");
  EXPECT_THROW(w.commit(), std::logic_error);
}

}  // namespace
}  // namespace gaitsim::h5
