// Sealed HDF5 files (analysis/h5_seal): a seal written at commit matches, HDF5 and h5py read the
// file through its user block, and any changed, missing or added byte is refused naming the file.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_seal.hpp"
#include "tests/analysis/temp_dir.hpp"

namespace gaitsim::h5 {
namespace {

using gaitsim::testing::TempDir;

std::string bytes_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

std::filesystem::path sealed_file(const TempDir& dir) {
  const auto path = dir.path() / "sealed.h5";
  AtomicWriter w(path, Sealing::kSealed);
  w.file().write_vector("/x", std::vector<double>{1, 2, 3});
  w.file().set_attr("/", "status", "complete");
  w.commit();
  return path;
}

// What verify_seal says of `file`, or "" when it accepts it.
std::string refusal(const std::filesystem::path& file) {
  try {
    verify_seal(file);
    return "";
  } catch (const SealError& e) {
    return e.what();
  }
}

TEST(Seal, ASealedFileVerifiesAndReadsThroughItsUserBlock) {
  TempDir dir;
  const auto path = sealed_file(dir);
  EXPECT_EQ(refusal(path), "");
  EXPECT_EQ(bytes_of(path).substr(0, 16), "GAITSIM SEAL v1\n");
  EXPECT_EQ(File::open_read(path).read_vector<double>("/x"), (std::vector<double>{1, 2, 3}));
}

TEST(Seal, EveryChangedByteIsRefusedNamingTheFile) {
  TempDir dir;
  const auto path = sealed_file(dir);
  const std::string good = bytes_of(path);
  // Every byte of the seal's fields and a spread of the HDF5 content, one bit flipped at a time.
  for (std::size_t at = 0; at < good.size(); at += (at < 40 ? 1 : 97)) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    write_bytes(path, bad);
    const std::string why = refusal(path);
    EXPECT_NE(why, "") << "byte " << at;
    EXPECT_NE(why.find(path.string()), std::string::npos) << why;
  }
}

TEST(Seal, TruncatedExtendedAndUnsealedFilesAreRefusedSayingWhy) {
  TempDir dir;
  const auto path = sealed_file(dir);
  const std::string good = bytes_of(path);
  write_bytes(path, good.substr(0, good.size() - 1));
  EXPECT_NE(refusal(path).find("truncated or extended"), std::string::npos);
  write_bytes(path, good + "x");
  EXPECT_NE(refusal(path).find("truncated or extended"), std::string::npos);
  write_bytes(path, good.substr(0, 100));
  EXPECT_NE(refusal(path).find("truncated or extended"), std::string::npos);
  write_bytes(path, std::string(512, '\0') + good.substr(512));
  EXPECT_NE(refusal(path).find("no gaitsim seal"), std::string::npos);
  write_bytes(path, "");
  EXPECT_NE(refusal(path).find("no gaitsim seal"), std::string::npos);
  EXPECT_NE(refusal(dir.path() / "missing.h5").find("cannot read"), std::string::npos);
}

TEST(Seal, AnEditedCopyIsSealedAgainAtCommit) {
  TempDir dir;
  const auto path = sealed_file(dir);
  {
    AtomicWriter edit(path, AtomicWriter::EditCopy{}, Sealing::kSealed);
    edit.file().set_attr("/", "status", "diverged");
    edit.commit();
  }
  EXPECT_EQ(refusal(path), "");
  EXPECT_EQ(File::open_read(path).attr_string("/", "status"), "diverged");
}

TEST(Seal, AFileWithoutAUserBlockCannotBeSealed) {
  TempDir dir;
  const auto path = dir.path() / "plain.h5";
  File::create(path).write_vector("/x", std::vector<double>{1});
  const std::string before = bytes_of(path);
  EXPECT_THROW(seal_file(path), H5Error);
  EXPECT_EQ(bytes_of(path), before);
}

}  // namespace
}  // namespace gaitsim::h5
