#include "datasets/preprocessing.hpp"

#include <gtest/gtest.h>

namespace gaitsim::datasets {
namespace {

TEST(PreprocessingTest, NormalisesEachChannelBlock) {
  Dataset data;
  data.shape = {2, 1, 2};
  data.x.resize(1, 4);
  data.x << 1, 3, 5, 9;
  normalise_per_channel(data, {1, 5}, {2, 4});
  EXPECT_FLOAT_EQ(data.x(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(data.x(0, 1), 1.0f);
  EXPECT_FLOAT_EQ(data.x(0, 2), 0.0f);
  EXPECT_FLOAT_EQ(data.x(0, 3), 1.0f);
}

TEST(PreprocessingTest, RejectsWrongChannelCountAndZeroStd) {
  Dataset data;
  data.shape = {1, 1, 1};
  data.x.resize(1, 1);
  EXPECT_THROW(normalise_per_channel(data, {0, 0}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(normalise_per_channel(data, {0}, {0}), std::invalid_argument);
}

}  // namespace
}  // namespace gaitsim::datasets
