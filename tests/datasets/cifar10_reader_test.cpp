#include "datasets/cifar10_reader.hpp"

#include <gtest/gtest.h>

#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

using testing::Bytes;

constexpr int kPlane = 32 * 32;

// One record: label, then pixels whose value depends on position and `seed` so that any shuffling
// of channels, rows or records changes what the test sees.
Bytes record(std::uint8_t label, int seed) {
  Bytes out{label};
  for (int i = 0; i < 3 * kPlane; ++i)
    out.push_back(static_cast<std::uint8_t>((i * 7 + seed) % 256));
  return out;
}

Bytes records(const std::vector<std::uint8_t>& labels, int seed) {
  Bytes out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const Bytes r = record(labels[i], seed + static_cast<int>(i));
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

class Cifar10ReaderTest : public ::testing::Test {
 protected:
  // Batch b holds labels b, b+1 (mod 10) so the order of records across files is visible.
  void write_standard_dir() {
    for (int b = 1; b <= 5; ++b) {
      testing::write_file(dir_ / ("data_batch_" + std::to_string(b) + ".bin"),
                          records({std::uint8_t(b), std::uint8_t((b + 1) % 10)}, b * 10));
    }
    testing::write_file(dir_ / "test_batch.bin", records({0, 9, 3}, 100));
  }

  testing::TempDir dir_;
};

TEST_F(Cifar10ReaderTest, KeepsChannelRowColumnOrder) {
  Bytes bytes = records({3, 8}, 0);
  // Record 1: R at (row 1, col 2), G at (31, 31), B at (0, 0).
  const std::size_t base = 3073 + 1;
  bytes[base + 0 * kPlane + 1 * 32 + 2] = 11;
  bytes[base + 1 * kPlane + 31 * 32 + 31] = 22;
  bytes[base + 2 * kPlane + 0] = 33;
  testing::write_file(dir_ / "batch.bin", bytes);

  const Dataset data = read_cifar10_batches({dir_ / "batch.bin"});
  ASSERT_EQ(data.size(), 2u);
  ASSERT_EQ(data.x.cols(), 3 * kPlane);
  EXPECT_EQ(data.y(0), 3);
  EXPECT_EQ(data.y(1), 8);
  EXPECT_FLOAT_EQ(data.x(1, 34), 11 / 255.0f);
  EXPECT_FLOAT_EQ(data.x(1, kPlane + 1023), 22 / 255.0f);
  EXPECT_FLOAT_EQ(data.x(1, 2 * kPlane), 33 / 255.0f);
  EXPECT_FLOAT_EQ(data.x(0, 5), 35 / 255.0f);  // (5 * 7 + 0) % 256
  EXPECT_EQ(data.classes, 10);
  EXPECT_EQ(data.shape, (std::array<int, 3>{3, 32, 32}));
}

TEST_F(Cifar10ReaderTest, LoadsStandardDirectory) {
  write_standard_dir();
  const DataSplit split = load_cifar10_dir(dir_.path(), 0, 0);
  ASSERT_EQ(split.train.size(), 10u);
  ASSERT_EQ(split.test.size(), 3u);
  EXPECT_EQ(split.train.y(9), 6);  // batch 5, second record
  EXPECT_EQ(split.test.y(1), 9);
  EXPECT_FLOAT_EQ(split.test.x(2, 1), (7 + 102) / 255.0f);
}

TEST_F(Cifar10ReaderTest, TrainLimitCountsAcrossBatchesInOrder) {
  write_standard_dir();
  const DataSplit split = load_cifar10_dir(dir_.path(), 5, 2);
  ASSERT_EQ(split.train.size(), 5u);
  ASSERT_EQ(split.test.size(), 2u);
  const std::vector<int> expected = {1, 2, 2, 3, 3};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(split.train.y(i), expected[i]) << "record " << i;
  EXPECT_FLOAT_EQ(split.train.x(4, 0), 30 / 255.0f);  // batch 3, first record: seed 30
}

TEST_F(Cifar10ReaderTest, WrongSizeSaysSizeAndRecordLength) {
  Bytes bytes = records({1, 2}, 0);
  bytes.resize(bytes.size() + 5);
  testing::write_file(dir_ / "batch.bin", bytes);
  const std::string message =
      testing::data_error_message([&] { read_cifar10_batches({dir_ / "batch.bin"}); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "batch.bin").string()));
  EXPECT_TRUE(testing::contains(message, "size 6151 bytes is not a multiple of 3073"));
  EXPECT_TRUE(testing::contains(message, "a standard batch has 10000 records, 30730000 bytes"));
}

TEST_F(Cifar10ReaderTest, EmptyFileIsRefused) {
  testing::write_file(dir_ / "batch.bin", {});
  const std::string message =
      testing::data_error_message([&] { read_cifar10_batches({dir_ / "batch.bin"}); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "batch.bin").string()));
  EXPECT_TRUE(testing::contains(message, "empty file: expected a multiple of 3073"));
}

TEST_F(Cifar10ReaderTest, LabelAboveNineIsReported) {
  testing::write_file(dir_ / "batch.bin", records({1, 10}, 0));
  const std::string message =
      testing::data_error_message([&] { read_cifar10_batches({dir_ / "batch.bin"}); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "batch.bin").string()));
  EXPECT_TRUE(testing::contains(message, "label 10 in record 1"));
}

TEST_F(Cifar10ReaderTest, MissingBatchIsReportedEvenIfLimitIsMet) {
  write_standard_dir();
  std::filesystem::remove(dir_ / "data_batch_3.bin");
  const std::string message =
      testing::data_error_message([&] { load_cifar10_dir(dir_.path(), 1, 0); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "data_batch_3.bin").string()));
  EXPECT_TRUE(testing::contains(message, "not found"));
}

}  // namespace
}  // namespace gaitsim::datasets
