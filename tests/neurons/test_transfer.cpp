// Transfer functions against their closed forms, and the inverse difference that the delta
// form of GAIT-prop relies on, on one piece and across the kink.
#include <gtest/gtest.h>

#include "neurons/transfer.hpp"
#include "neurons/weight_init.hpp"

namespace gaitsim {
namespace {

TEST(LeakyRelu, ClosedForms) {
  const auto f = make_transfer({"leaky_relu", 0.1});
  Mat<double> a(1, 4), h, d, back;
  a << -2.0, -0.5, 0.0, 3.0;
  f->f(a, h);
  f->df(a, d);
  f->finv(h, back);
  Mat<double> h_expected(1, 4), d_expected(1, 4);
  h_expected << -0.2, -0.05, 0.0, 3.0;
  d_expected << 0.1, 0.1, 0.1, 1.0;
  EXPECT_TRUE(h.isApprox(h_expected, 1e-15));
  EXPECT_EQ(d, d_expected);
  EXPECT_TRUE(back.isApprox(a, 1e-15));
}

TEST(LeakyRelu, InverseDifferenceOnOnePieceAvoidsCancellation) {
  const auto f = make_transfer({"leaky_relu", 0.1});
  Mat<double> h(1, 2), s(1, 2), r;
  h << 0.7, -0.03;
  s << 1e-14, -2e-16;
  ColVec<double> q = ColVec<double>::Constant(1, 1e-12);
  f->inverse_difference(h, s, q, r);
  // same piece: r = s / (q d), exactly, where the difference form would lose every digit
  EXPECT_DOUBLE_EQ(r(0, 0), 1e-14 / 1e-12);
  EXPECT_DOUBLE_EQ(r(0, 1), -2e-16 / (1e-12 * 0.1));
}

TEST(LeakyRelu, InverseDifferenceAcrossTheKink) {
  const auto f = make_transfer({"leaky_relu", 0.1});
  Mat<double> h(1, 2), s(1, 2), r;
  h << 0.2, -0.1;
  s << 0.5, -0.3;  // 0.2 - 0.5 < 0 and -0.1 + 0.3 > 0
  ColVec<double> q = ColVec<double>::Constant(1, 0.5);
  f->inverse_difference(h, s, q, r);
  // f^-1(0.2) - f^-1(-0.3) = 0.2 + 3; f^-1(-0.1) - f^-1(0.2) = -1 - 0.2
  EXPECT_NEAR(r(0, 0), (0.2 + 3.0) / 0.5, 1e-14);
  EXPECT_NEAR(r(0, 1), (-1.0 - 0.2) / 0.5, 1e-14);
}

TEST(Linear, IsTheIdentity) {
  const auto f = make_transfer({"linear", 0.1});
  Mat<float> a = Mat<float>::Random(3, 3), h, d;
  f->f(a, h);
  f->df(a, d);
  EXPECT_EQ(h, a);
  EXPECT_TRUE(d.isOnes());
}

TEST(TransferRegistry, UnknownKindListsKnownOnes) {
  try {
    make_transfer({"tanh", 0.1});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("leaky_relu"), std::string::npos);
  }
  EXPECT_THROW(make_transfer({"leaky_relu", 0.0}), std::invalid_argument);
}

TEST(WeightInit, OrthogonalHasOrthonormalRowsOrColumns) {
  std::mt19937_64 rng(1);
  const Mat<double> tall = random_orthogonal(30, 10, rng), wide = random_orthogonal(10, 30, rng);
  EXPECT_TRUE((tall.transpose() * tall).isIdentity(1e-12));
  EXPECT_TRUE((wide * wide.transpose()).isIdentity(1e-12));
}

}  // namespace
}  // namespace gaitsim
