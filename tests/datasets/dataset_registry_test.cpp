#include "datasets/dataset_registry.hpp"

#include <gtest/gtest.h>

#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

TEST(DatasetRegistryTest, ListsEveryRegisteredName) {
  EXPECT_EQ(dataset_names(), (std::vector<std::string>{"cifar10", "fashion-mnist", "idx",
                                                       "imagenet", "kmnist", "mnist"}));
}

TEST(DatasetRegistryTest, UnknownNameListsValidNames) {
  const std::string message =
      testing::data_error_message([] { load_dataset("mnist2", "data/mnist2", 0, 0); });
  EXPECT_TRUE(testing::contains(message, "data/mnist2"));
  EXPECT_TRUE(testing::contains(message, "unknown dataset 'mnist2'"));
  EXPECT_TRUE(testing::contains(message, "cifar10, fashion-mnist, idx, imagenet, kmnist, mnist"));
}

TEST(DatasetRegistryTest, DispatchesToTheIdxLoader) {
  testing::TempDir dir;
  const testing::Bytes pixels = {0, 255};
  for (const char* prefix : {"train", "t10k"}) {
    testing::write_file(dir / (std::string(prefix) + "-images-idx3-ubyte"),
                        testing::idx_images(2, 1, 1, pixels));
    testing::write_file(dir / (std::string(prefix) + "-labels-idx1-ubyte"),
                        testing::idx_labels({4, 2}));
  }
  const DataSplit split = load_dataset("kmnist", dir.path(), 1, 0);
  ASSERT_EQ(split.train.size(), 1u);
  ASSERT_EQ(split.test.size(), 2u);
  EXPECT_EQ(split.test.y(1), 2);
  EXPECT_FLOAT_EQ(split.test.x(1, 0), 1.0f);
}

}  // namespace
}  // namespace gaitsim::datasets
