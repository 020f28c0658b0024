#include "datasets/idx_reader.hpp"

#include <gtest/gtest.h>

#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

using testing::Bytes;

// Three 2x3 images whose pixels are all distinct, so any misplaced byte shows.
const Bytes kPixels = {0,  1,  2,   3,   4,   5,    // image 0
                       10, 50, 100, 150, 200, 255,  // image 1
                       7,  8,  9,   11,  12,  13};  // image 2
const Bytes kLabels = {7, 0, 9};

class IdxReaderTest : public ::testing::Test {
 protected:
  void write_pair(const std::string& images, const std::string& labels, bool gzip = false) {
    auto write = gzip ? testing::write_gzip : testing::write_file;
    write(dir_ / images, testing::idx_images(3, 2, 3, kPixels));
    write(dir_ / labels, testing::idx_labels(kLabels));
  }

  void expect_first_examples(const Dataset& data, std::size_t n) {
    ASSERT_EQ(data.size(), n);
    ASSERT_EQ(data.x.rows(), static_cast<Eigen::Index>(n));
    ASSERT_EQ(data.x.cols(), 6);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(data.y(i), kLabels[i]) << "example " << i;
      for (int j = 0; j < 6; ++j) {
        EXPECT_FLOAT_EQ(data.x(i, j), kPixels[i * 6 + j] / 255.0f)
            << "example " << i << " px " << j;
      }
    }
    EXPECT_EQ(data.classes, 10);
    EXPECT_EQ(data.shape, (std::array<int, 3>{1, 2, 3}));
  }

  testing::TempDir dir_;
};

TEST_F(IdxReaderTest, ReadsPlainFiles) {
  write_pair("img", "lbl");
  expect_first_examples(read_idx_dataset(dir_ / "img", dir_ / "lbl"), 3);
}

TEST_F(IdxReaderTest, ReadsGzipFiles) {
  write_pair("img.gz", "lbl.gz", /*gzip=*/true);
  expect_first_examples(read_idx_dataset(dir_ / "img.gz", dir_ / "lbl.gz"), 3);
}

TEST_F(IdxReaderTest, DetectsCompressionFromContentNotName) {
  write_pair("gzip-without-suffix", "plain.gz", /*gzip=*/true);
  testing::write_file(dir_ / "plain.gz", testing::idx_labels(kLabels));
  expect_first_examples(read_idx_dataset(dir_ / "gzip-without-suffix", dir_ / "plain.gz"), 3);
}

TEST_F(IdxReaderTest, LimitKeepsFirstExamples) {
  write_pair("img", "lbl");
  expect_first_examples(read_idx_dataset(dir_ / "img", dir_ / "lbl", 2), 2);
  expect_first_examples(read_idx_dataset(dir_ / "img", dir_ / "lbl", 100), 3);
}

TEST_F(IdxReaderTest, LimitStopsBeforeAMissingGzipTail) {
  // A gzip stream's length is unknown until it is decompressed, so only a reader that stops at
  // the limit can load the head of this file without noticing that the last image is missing.
  testing::write_gzip(dir_ / "img.gz",
                      testing::idx_images(3, 2, 3, Bytes(kPixels.begin(), kPixels.begin() + 12)));
  EXPECT_EQ(read_idx_images(dir_ / "img.gz", 2).count, 2u);
  EXPECT_TRUE(testing::contains(
      testing::data_error_message([&] { read_idx_images(dir_ / "img.gz"); }), "truncated"));
}

TEST_F(IdxReaderTest, MissingFileNamesThePath) {
  const std::string message =
      testing::data_error_message([&] { read_idx_images(dir_ / "no-such-file"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "no-such-file").string()));
  EXPECT_TRUE(testing::contains(message, "not found"));
}

TEST_F(IdxReaderTest, WrongMagicSaysExpectedAndFound) {
  write_pair("img", "lbl");
  const std::string message = testing::data_error_message([&] { read_idx_images(dir_ / "lbl"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "lbl").string()));
  EXPECT_TRUE(testing::contains(message, "expected 0x00000803, found 0x00000801"));
  EXPECT_TRUE(testing::contains(testing::data_error_message([&] { read_idx_labels(dir_ / "img"); }),
                                "expected 0x00000801, found 0x00000803"));
}

TEST_F(IdxReaderTest, TruncatedPlainFileIsReportedEvenWithALimit) {
  testing::write_file(dir_ / "img",
                      testing::idx_images(3, 2, 3, Bytes(kPixels.begin(), kPixels.end() - 1)));
  const std::string message =
      testing::data_error_message([&] { read_idx_images(dir_ / "img", 1); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "img").string()));
  EXPECT_TRUE(testing::contains(message, "truncated"));
  EXPECT_TRUE(testing::contains(message, "34 bytes with header), file has 33"));
}

TEST_F(IdxReaderTest, TruncatedHeaderIsReported) {
  testing::write_file(dir_ / "lbl", Bytes{0, 0, 8, 1, 0, 0});
  const std::string message = testing::data_error_message([&] { read_idx_labels(dir_ / "lbl"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "lbl").string()));
  EXPECT_TRUE(testing::contains(message, "truncated header"));
}

TEST_F(IdxReaderTest, AbsurdHeaderIsRejectedBeforeAllocating) {
  testing::write_gzip(dir_ / "img.gz",
                      testing::idx_images(0xffffffffu, 0x7fffffffu, 0x7fffffffu, {}));
  const std::string message =
      testing::data_error_message([&] { read_idx_images(dir_ / "img.gz"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "img.gz").string()));
  EXPECT_TRUE(testing::contains(message, "more than fits in memory"));
}

TEST_F(IdxReaderTest, CutGzipStreamIsReported) {
  testing::write_gzip(dir_ / "full.gz", testing::idx_images(3, 2, 3, kPixels));
  const auto size = std::filesystem::file_size(dir_ / "full.gz");
  std::filesystem::copy_file(dir_ / "full.gz", dir_ / "cut.gz");
  std::filesystem::resize_file(dir_ / "cut.gz", size - 12);
  EXPECT_TRUE(
      testing::contains(testing::data_error_message([&] { read_idx_images(dir_ / "cut.gz"); }),
                        (dir_ / "cut.gz").string()));
}

TEST_F(IdxReaderTest, CountMismatchNamesBothFiles) {
  testing::write_file(dir_ / "img", testing::idx_images(3, 2, 3, kPixels));
  testing::write_file(dir_ / "lbl", testing::idx_labels({1, 2}));
  const std::string message =
      testing::data_error_message([&] { read_idx_dataset(dir_ / "img", dir_ / "lbl", 1); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "lbl").string()));
  EXPECT_TRUE(testing::contains(message, (dir_ / "img").string()));
  EXPECT_TRUE(testing::contains(message, "2 labels, expected 3"));
}

TEST_F(IdxReaderTest, LabelOutOfRangeIsReported) {
  testing::write_file(dir_ / "img", testing::idx_images(3, 2, 3, kPixels));
  testing::write_file(dir_ / "lbl", testing::idx_labels({1, 10, 2}));
  const std::string message =
      testing::data_error_message([&] { read_idx_dataset(dir_ / "img", dir_ / "lbl"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "lbl").string()));
  EXPECT_TRUE(testing::contains(message, "label 10 at index 1"));
}

TEST_F(IdxReaderTest, LoadsStandardDirectoryLayout) {
  write_pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  write_pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  const DataSplit split = load_idx_dir(dir_.path(), 2, 0);
  expect_first_examples(split.train, 2);
  expect_first_examples(split.test, 3);
}

TEST_F(IdxReaderTest, LoadsDottedAndGzipNames) {
  write_pair("train-images.idx3-ubyte.gz", "train-labels.idx1-ubyte.gz", /*gzip=*/true);
  write_pair("t10k-images-idx3-ubyte.gz", "t10k-labels.idx1-ubyte");
  const DataSplit split = load_idx_dir(dir_.path(), 0, 0);
  expect_first_examples(split.train, 3);
  expect_first_examples(split.test, 3);
}

TEST_F(IdxReaderTest, MissingDirectoryFileListsNamesTried) {
  write_pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  testing::write_file(dir_ / "t10k-images-idx3-ubyte", testing::idx_images(3, 2, 3, kPixels));
  const std::string message = testing::data_error_message([&] { load_idx_dir(dir_.path(), 0, 0); });
  EXPECT_TRUE(testing::contains(message, dir_.path().string()));
  EXPECT_TRUE(testing::contains(message,
                                "t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, "
                                "t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz"));
}

TEST_F(IdxReaderTest, MissingDirectoryIsReported) {
  EXPECT_TRUE(
      testing::contains(testing::data_error_message([&] { load_idx_dir(dir_ / "absent", 0, 0); }),
                        (dir_ / "absent").string()));
}

}  // namespace
}  // namespace gaitsim::datasets
