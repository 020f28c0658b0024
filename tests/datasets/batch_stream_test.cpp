// Batch sources and the prefetching stream: streamed image-cache batches equal the in-memory
// path bit for bit, standardisation matches normalise_per_channel, errors reach the consumer.
#include "datasets/batch_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <random>

#include "datasets/dataset_registry.hpp"
#include "datasets/image_cache.hpp"
#include "datasets/image_cache_writer.hpp"
#include "datasets/preprocessing.hpp"
#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;

// A cache of n random 3 x 5 x 4 images with labels i % classes.
void write_cache(const fs::path& file, int n, std::vector<std::string> classes, unsigned seed,
                 std::array<int, 3> shape = {3, 5, 4}) {
  std::mt19937 rng(seed);
  const std::size_t bytes = std::size_t(shape[0]) * shape[1] * shape[2];
  Bytes pixels(std::size_t(n) * bytes);
  for (auto& p : pixels) p = static_cast<std::uint8_t>(rng());
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) labels[std::size_t(i)] = i % std::int32_t(classes.size());
  ImageCacheWriter writer(file, shape, {std::move(classes), "test", "none"});
  writer.append(pixels.data(), labels.data(), labels.size());
  writer.commit(0);
}

std::vector<RowRange> batches_of(Eigen::Index n, Eigen::Index size) {
  std::vector<RowRange> out;
  for (Eigen::Index b = 0; b < n; b += size) out.push_back({b, std::min(n, b + size)});
  return out;
}

std::vector<Eigen::Index> shuffled(Eigen::Index n, unsigned seed) {
  std::vector<Eigen::Index> order(std::size_t(n), 0);
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  return order;
}

class ImageCacheSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_cache(dir_ / "train.h5", 37, {"a", "b", "c"}, 1);
    write_cache(dir_ / "test.h5", 11, {"a", "b", "c"}, 2);
  }
  testing::TempDir dir_;
};

TEST_F(ImageCacheSourceTest, StreamedBatchesEqualTheInMemoryRows) {
  const SourceSplit streamed = open_dataset("imagenet", dir_.path());
  const DataSplit memory = load_dataset("imagenet", dir_.path());
  ASSERT_EQ(streamed.train->size(), 37u);
  ASSERT_EQ(memory.train.size(), 37u);
  EXPECT_EQ(streamed.train->shape(), (std::array<int, 3>{3, 5, 4}));
  EXPECT_EQ(streamed.train->classes(), 3);
  for (int epoch = 0; epoch < 2; ++epoch) {
    const auto order = shuffled(37, unsigned(epoch));
    const auto ranges = batches_of(37, 8);
    BatchStream stream(*streamed.train, order, ranges);
    Features x;
    Eigen::VectorXi y;
    for (const RowRange& r : ranges) {
      ASSERT_TRUE(stream.next(x, y));
      ASSERT_EQ(x.rows(), r.end - r.begin);
      for (Eigen::Index i = r.begin; i < r.end; ++i) {
        EXPECT_EQ(y(i - r.begin), memory.train.y(order[std::size_t(i)]));
        // Bit-identical, not merely close: resumed runs must not notice where data came from.
        EXPECT_TRUE(
            (x.row(i - r.begin).array() == memory.train.x.row(order[std::size_t(i)]).array()).all())
            << "epoch " << epoch << " position " << i;
      }
    }
    EXPECT_FALSE(stream.next(x, y));
  }
}

TEST_F(ImageCacheSourceTest, InputsAreStandardisedWithTheTrainingStatistics) {
  const ImageCache train(dir_ / "train.h5"), test(dir_ / "test.h5");
  const std::vector<float> mean(train.info().mean.begin(), train.info().mean.end());
  const std::vector<float> stddev(train.info().stddev.begin(), train.info().stddev.end());
  const DataSplit memory = load_dataset("imagenet", dir_.path());
  // Raw pixels / 255 standardised by normalise_per_channel, independently of CacheSource.
  Dataset raw;
  raw.shape = {3, 5, 4};
  std::vector<Eigen::Index> rows(11);
  std::iota(rows.begin(), rows.end(), Eigen::Index(0));
  Bytes pixels(11 * 60);
  test.read(rows, pixels.data());
  using ByteRows = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  raw.x = Eigen::Map<const ByteRows>(pixels.data(), 11, 60).cast<float>() / 255.0f;
  normalise_per_channel(raw, mean, stddev);
  EXPECT_TRUE((raw.x.array() == memory.test.x.array()).all());
  // The training split standardised by its own statistics has mean 0 and std 1 per channel.
  const auto& x = memory.train.x;
  for (int c = 0; c < 3; ++c) {
    const auto block = x.middleCols(c * 20, 20).cast<double>();
    const double m = block.mean();
    EXPECT_NEAR(m, 0.0, 1e-5);
    EXPECT_NEAR((block.array() - m).square().mean(), 1.0, 1e-4);
  }
}

TEST_F(ImageCacheSourceTest, LimitsKeepTheFirstExamples) {
  const SourceSplit s = open_dataset("imagenet", dir_.path(), 10, 4);
  EXPECT_EQ(s.train->size(), 10u);
  EXPECT_EQ(s.test->size(), 4u);
  const DataSplit all = load_dataset("imagenet", dir_.path());
  const DataSplit few = load_dataset("imagenet", dir_.path(), 10, 4);
  EXPECT_TRUE((few.train.x.array() == all.train.x.topRows(10).array()).all());
}

TEST_F(ImageCacheSourceTest, SplitsThatDoNotBelongTogetherAreRefused) {
  write_cache(dir_ / "test.h5", 5, {"a", "b", "x"}, 3);
  std::string message = testing::data_error_message([&] { open_dataset("imagenet", dir_.path()); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "test.h5").string()));
  EXPECT_TRUE(testing::contains(message, "classes that differ"));

  write_cache(dir_ / "test.h5", 5, {"a", "b", "c"}, 3, {3, 6, 6});
  message = testing::data_error_message([&] { open_dataset("imagenet", dir_.path()); });
  EXPECT_TRUE(testing::contains(message, "holds images of 3x6x6"));

  fs::remove(dir_ / "test.h5");
  message = testing::data_error_message([&] { open_dataset("imagenet", dir_.path()); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "test.h5").string()));
  EXPECT_TRUE(testing::contains(message, "gaitsim cache"));
}

TEST_F(ImageCacheSourceTest, NotACacheIsRefused) {
  testing::write_file(dir_ / "test.h5", {'n', 'o', 'p', 'e'});
  EXPECT_TRUE(
      testing::contains(testing::data_error_message([&] { open_dataset("imagenet", dir_.path()); }),
                        "not a readable image cache"));
}

TEST_F(ImageCacheSourceTest, ConstantChannelCannotBeStandardised) {
  ImageCacheWriter writer(dir_ / "train.h5", {3, 2, 2}, {{"a", "b", "c"}, "test", "none"});
  const Bytes pixels(12, 7);
  const std::int32_t label = 0;
  writer.append(pixels.data(), &label, 1);
  writer.commit(0);
  write_cache(dir_ / "test.h5", 3, {"a", "b", "c"}, 4, {3, 2, 2});
  EXPECT_TRUE(testing::contains(
      testing::data_error_message([&] { open_dataset("imagenet", dir_.path()); }), "std 0"));
}

TEST(MemorySourceTest, StreamDeliversTheRowsOfTheOrderInBatches) {
  Dataset data;
  data.x = Features::Random(23, 6);
  data.y = Eigen::VectorXi::LinSpaced(23, 0, 22);
  data.classes = 23;
  data.shape = {1, 2, 3};
  const MemorySource source(data, "memory");
  const auto order = shuffled(23, 9);
  BatchStream stream(source, order, batches_of(23, 5), 3);
  Features x;
  Eigen::VectorXi y;
  Eigen::Index position = 0;
  while (stream.next(x, y)) {
    for (Eigen::Index i = 0; i < x.rows(); ++i, ++position) {
      EXPECT_EQ(y(i), order[std::size_t(position)]);
      EXPECT_TRUE((x.row(i).array() == data.x.row(order[std::size_t(position)]).array()).all());
    }
  }
  EXPECT_EQ(position, 23);
}

// Fails on the third read; counts reads.
class FailingSource : public BatchSource {
 public:
  std::size_t size() const override { return 100; }
  std::array<int, 3> shape() const override { return {1, 1, 1}; }
  int classes() const override { return 2; }
  fs::path origin() const override { return "failing"; }
  void read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const override {
    if (++reads == 3) throw DataError("failing", "disk on fire");
    x = Features::Constant(Eigen::Index(rows.size()), 1, float(rows[0]));
    y = Eigen::VectorXi::Zero(Eigen::Index(rows.size()));
  }
  mutable std::atomic<int> reads{0};
};

TEST(BatchStreamTest, ReadErrorsArriveInPlaceOfTheirBatch) {
  const FailingSource source;
  std::vector<Eigen::Index> order(100);
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  BatchStream stream(source, order, batches_of(100, 10));
  Features x;
  Eigen::VectorXi y;
  ASSERT_TRUE(stream.next(x, y));
  EXPECT_EQ(x(0, 0), 0.0f);
  ASSERT_TRUE(stream.next(x, y));
  EXPECT_EQ(x(0, 0), 10.0f);
  EXPECT_THROW(stream.next(x, y), DataError);
  EXPECT_FALSE(stream.next(x, y));
  EXPECT_EQ(source.reads.load(), 3);  // nothing is read after the error
}

TEST(BatchStreamTest, StoppingEarlyDropsWhatWasReadAhead) {
  const FailingSource never_third_read;
  std::vector<Eigen::Index> order(100);
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  {
    BatchStream stream(never_third_read, order, batches_of(100, 50), 1);
    Features x;
    Eigen::VectorXi y;
    ASSERT_TRUE(stream.next(x, y));
  }  // destroyed with the second batch read ahead: must join, not hang
  EXPECT_LE(never_third_read.reads.load(), 2);
}

}  // namespace
}  // namespace gaitsim::datasets
