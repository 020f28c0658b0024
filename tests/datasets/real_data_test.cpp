// Loads the real datasets fetched by scripts/fetch-data.sh; skipped where they are absent.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "datasets/dataset_registry.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim::datasets {
namespace {

const std::filesystem::path kDataDir = GAITSIM_TEST_DATA_DIR;

void expect_mnist_like(const DataSplit& split, int first_train_label) {
  ASSERT_EQ(split.train.size(), 60000u);
  ASSERT_EQ(split.test.size(), 10000u);
  EXPECT_EQ(split.train.x.cols(), 784);
  EXPECT_EQ(split.train.y(0), first_train_label);
  EXPECT_EQ(split.train.shape, (std::array<int, 3>{1, 28, 28}));
  // all() rather than minCoeff(): GCC 12 flags Eigen's AVX-512 min/max reductions as maybe-unset.
  EXPECT_TRUE((split.train.x.array() >= 0.0f && split.train.x.array() <= 1.0f).all());
}

TEST(RealDataTest, Mnist) {
  GAITSIM_REQUIRE_DEPENDENCY(std::filesystem::is_directory(kDataDir / "mnist"),
                             "no " << kDataDir / "mnist"
                                   << "; run scripts/fetch-data.sh");
  const auto start = std::chrono::steady_clock::now();
  const DataSplit split = load_dataset("mnist", kDataDir / "mnist", 0, 0);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  expect_mnist_like(split, 5);
  RecordProperty("load_seconds", std::to_string(took.count()));
}

TEST(RealDataTest, FashionMnistFromGzip) {
  GAITSIM_REQUIRE_DEPENDENCY(std::filesystem::is_directory(kDataDir / "fashion-mnist"),
                             "no " << kDataDir / "fashion-mnist"
                                   << "; run scripts/fetch-data.sh");
  expect_mnist_like(load_dataset("fashion-mnist", kDataDir / "fashion-mnist", 0, 0), 9);
}

}  // namespace
}  // namespace gaitsim::datasets
