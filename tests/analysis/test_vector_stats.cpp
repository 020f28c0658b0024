#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "analysis/vector_stats.hpp"

namespace gaitsim::analysis {
namespace {

TEST(VectorStats, HandValues) {
  const Eigen::Vector2d x(1, 0);
  const Eigen::Vector2d y(0, 3);
  EXPECT_DOUBLE_EQ(cosine_similarity(x, y), 0.0);
  EXPECT_DOUBLE_EQ(angle_degrees(cosine_similarity(x, y)), 90.0);
  EXPECT_DOUBLE_EQ(cosine_similarity(y, y), 1.0);
  EXPECT_DOUBLE_EQ(angle_degrees(cosine_similarity(y, y)), 0.0);
  EXPECT_DOUBLE_EQ(cosine_similarity(x, -2 * x), -1.0);
  EXPECT_DOUBLE_EQ(angle_degrees(cosine_similarity(x, -2 * x)), 180.0);
  EXPECT_NEAR(angle_degrees(cosine_similarity(x, Eigen::Vector2d(1, 1))), 45.0, 1e-12);
}

TEST(VectorStats, MatricesAreComparedAsFlatVectors) {
  Eigen::MatrixXd a(2, 2);
  a << 1, 2, 3, 4;
  const Eigen::Matrix<double, 2, 2, Eigen::RowMajor> same = a;  // storage order is irrelevant
  EXPECT_DOUBLE_EQ(cosine_similarity(a, same), 1.0);
  Eigen::MatrixXd b(2, 2);
  b << 0, 0, 0, 1;
  EXPECT_DOUBLE_EQ(cosine_similarity(a, b), 4.0 / std::sqrt(30.0));
  EXPECT_THROW(cosine_similarity(a, Eigen::MatrixXd::Ones(1, 4)), std::invalid_argument);
}

TEST(VectorStats, FloatInputsAndArrays) {
  const Eigen::MatrixXf a = Eigen::MatrixXf::Constant(3, 3, 1e-3f);
  EXPECT_NEAR(cosine_similarity(a, a), 1.0, 1e-12);
  EXPECT_NEAR(cosine_similarity(a.array(), -a.array()), -1.0, 1e-12);
  EXPECT_NEAR(cosine_similarity(a, a.cast<double>()), 1.0, 1e-12);
}

TEST(VectorStats, ZeroVectorGivesZeroNotNaN) {
  const Eigen::VectorXd zero = Eigen::VectorXd::Zero(3);
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(3);
  EXPECT_EQ(cosine_similarity(zero, ones), 0.0);
  EXPECT_EQ(cosine_similarity(zero, zero), 0.0);
  EXPECT_EQ(cosine_similarity(Eigen::VectorXd(0), Eigen::VectorXd(0)), 0.0);
}

TEST(VectorStats, AngleClampsRoundingButKeepsNaN) {
  EXPECT_EQ(angle_degrees(1.0 + 1e-12), 0.0);
  EXPECT_DOUBLE_EQ(angle_degrees(-1.0 - 1e-12), 180.0);
  EXPECT_TRUE(std::isnan(angle_degrees(std::numeric_limits<double>::quiet_NaN())));
}

}  // namespace
}  // namespace gaitsim::analysis
