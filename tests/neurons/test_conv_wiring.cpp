// Convolutional wiring against a direct loop convolution written independently here, the
// transposed convolution as the adjoint of the forward one, and the published inverse of a
// conv layer (recover every patch, put it back, subtract the overlap) exact for an un-nudged
// output with overlapping receptive fields.
#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>

#include "neurons/conv_wiring.hpp"
#include "neurons/transfer.hpp"
#include "neurons/weight_init.hpp"

namespace gaitsim {
namespace {

struct ConvCase {
  int c, h, w, kernel, stride, filters;
  bool planar;
  bool square;  // D = c k k output channels (an invertible layer) or `filters` only
};

// c x h x w input, kernel/stride, filters, planar and square flags: the test's name and what
// GoogleTest (and so ctest) prints for GetParam(), instead of a byte dump.
std::string name_of(const ConvCase& k) {
  return "c" + std::to_string(k.c) + "_" + std::to_string(k.h) + "x" + std::to_string(k.w) + "_k" +
         std::to_string(k.kernel) + "s" + std::to_string(k.stride) + "_f" +
         std::to_string(k.filters) + (k.planar ? "_planar" : "") + (k.square ? "_square" : "");
}

void PrintTo(const ConvCase& k, std::ostream* os) { *os << name_of(k); }

ConvParams params_of(const ConvCase& k) {
  ConvParams p;
  p.in_channels = k.c;
  p.in_height = k.h;
  p.in_width = k.w;
  p.in_layout = k.planar ? ImageLayout::kPlanar : ImageLayout::kInterleaved;
  p.kernel = k.kernel;
  p.stride = k.stride;
  p.channels = k.square ? k.c * k.kernel * k.kernel : k.filters;
  p.passed_on = k.filters;
  return p;
}

Mat<double> random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  return Mat<double>::NullaryExpr(rows, cols, [&] { return normal(rng); });
}

// The pixel (c, y, x) of sample n, 0 outside the image: the layouts of conv_wiring.hpp, spelled
// out again.
double pixel(const Mat<double>& h, const ConvParams& p, Eigen::Index n, int c, int y, int x) {
  if (y < 0 || y >= p.in_height || x < 0 || x >= p.in_width) return 0.0;
  const int unit = p.in_layout == ImageLayout::kPlanar ? (c * p.in_height + y) * p.in_width + x
                                                       : (y * p.in_width + x) * p.in_channels + c;
  return h(n, unit);
}

// a(n, unit(oy, ox, o)) = b_o + sum_{ky,kx,c} x(c, oy s - pad + ky, ox s - pad + kx) W((ky k + kx)
// c_in + c, o), with TensorFlow's SAME padding: out = ceil(in / s), pad = overhang / 2.
Mat<double> loop_convolution(const ConvWiring& conv, const Mat<double>& W, const RowVec<double>& b,
                             const Mat<double>& x) {
  const ConvParams& p = conv.params();
  const int oh = (p.in_height + p.stride - 1) / p.stride;
  const int ow = (p.in_width + p.stride - 1) / p.stride;
  const int pad_y = std::max(0, (oh - 1) * p.stride + p.kernel - p.in_height) / 2;
  const int pad_x = std::max(0, (ow - 1) * p.stride + p.kernel - p.in_width) / 2;
  Mat<double> a(x.rows(), Eigen::Index(oh) * ow * p.channels);
  for (Eigen::Index n = 0; n < x.rows(); ++n) {
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        for (int o = 0; o < p.channels; ++o) {
          double sum = b(o);
          for (int ky = 0; ky < p.kernel; ++ky) {
            for (int kx = 0; kx < p.kernel; ++kx) {
              for (int c = 0; c < p.in_channels; ++c) {
                sum += pixel(x, p, n, c, oy * p.stride - pad_y + ky, ox * p.stride - pad_x + kx) *
                       W((ky * p.kernel + kx) * p.in_channels + c, o);
              }
            }
          }
          a(n, conv.post_unit(oy * ow + ox, o)) = sum;
        }
      }
    }
  }
  return a;
}

class ConvWiringTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvWiringTest, ForwardEqualsLoopConvolution) {
  const ConvWiring conv(params_of(GetParam()));
  const ConvParams& p = conv.params();
  const Mat<double> x = random_matrix(3, conv.pre_units() + 5, 1);  // + units it does not read
  const Mat<double> W = random_matrix(conv.geometry().patch, p.channels, 2);
  const RowVec<double> b = random_matrix(1, p.channels, 3);
  Mat<double> a;
  conv.drive(W, b, x, a);
  const Mat<double> expected = loop_convolution(conv, W, b, x);
  ASSERT_EQ(a.rows(), expected.rows());
  ASSERT_EQ(a.cols(), expected.cols());
  EXPECT_LT((a - expected).cwiseAbs().maxCoeff(), 1e-12);

  Mat<float> a32;
  conv.drive(Mat<float>(W.cast<float>()), RowVec<float>(b.cast<float>()),
             Mat<float>(x.cast<float>()), a32);
  EXPECT_LT((a32.cast<double>() - expected).cwiseAbs().maxCoeff(), 1e-4);
}

// <conv(x), E> = <x, conv^T(E)>: the pull-back through W^T is the transposed convolution BP
// needs, and it leaves the units below that the layer does not read alone.
TEST_P(ConvWiringTest, PullBackThroughTransposeIsTheAdjoint) {
  const ConvWiring conv(params_of(GetParam()));
  const ConvParams& p = conv.params();
  const Mat<double> x = random_matrix(4, conv.pre_units(), 4);
  const Mat<double> W = random_matrix(conv.geometry().patch, p.channels, 5);
  const RowVec<double> zero = RowVec<double>::Zero(p.channels);
  const Mat<double> E = random_matrix(4, conv.post_units(), 6);
  Mat<double> a;
  conv.drive(W, zero, x, a);
  Mat<double> pre = Mat<double>::Constant(4, conv.pre_units() + 3, 7.0);
  conv.pull_back(
      E, [&](const Mat<double>& rows, Mat<double>& out) { out = rows * W.transpose(); }, pre);
  const double forward = (a.array() * E.array()).sum();
  const double adjoint = (x.array() * pre.leftCols(conv.pre_units()).array()).sum();
  EXPECT_NEAR(forward, adjoint, 1e-10 * std::abs(forward));
  EXPECT_TRUE((pre.rightCols(3).array() == 7.0).all());
}

// dW = mean_n sum_p P_p^T E_p: for a = conv(x), d(mean_n <a_n, E_n>)/dW is that, so the
// directional derivative along any V is <dW, V> = mean_n <conv_V(x)_n, E_n>.
TEST_P(ConvWiringTest, WeightGradientIsTheDerivativeOfTheDrive) {
  const ConvWiring conv(params_of(GetParam()));
  const ConvParams& p = conv.params();
  const Eigen::Index N = 5;
  const Mat<double> x = random_matrix(N, conv.pre_units(), 7);
  const Mat<double> E = random_matrix(N, conv.post_units(), 8);
  const Mat<double> V = random_matrix(conv.geometry().patch, p.channels, 9);
  const RowVec<double> c = random_matrix(1, p.channels, 10);
  Mat<double> dW;
  RowVec<double> db;
  conv.weight_gradient(x, E, dW, db);
  Mat<double> a;
  conv.drive(V, c, x, a);
  // <dW, V> + <db, c> = mean_n <a_n, E_n> because a is linear in (V, c).
  const double lhs = (dW.array() * V.array()).sum() + (db.array() * c.array()).sum();
  const double rhs = (a.array() * E.array()).sum() / double(N);
  EXPECT_NEAR(lhs, rhs, 1e-10 * std::abs(rhs));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvWiringTest,
    ::testing::Values(ConvCase{1, 5, 5, 3, 1, 2, true, false},    // first layer, stride 1
                      ConvCase{3, 8, 7, 3, 2, 4, true, false},    // odd width, stride 2
                      ConvCase{2, 9, 9, 5, 2, 3, false, true},    // invertible, overlapping
                      ConvCase{2, 11, 10, 9, 4, 2, false, true},  // ImageNet's 9/4 first shape
                      ConvCase{3, 6, 6, 2, 2, 1, false, true},    // even kernel, no overlap
                      ConvCase{4, 4, 4, 3, 1, 4, false, true}),   // pads on every side
    [](const ::testing::TestParamInfo<ConvCase>& info) { return name_of(info.param); });

// The published inverse of gait-prop.md: every patch P_p = (f^-1(y_p) - b) W^-1, put back with
// the transposed convolution (c x on pixels covered c times), minus (c - 1) x_forward, is x.
TEST(ConvInverse, ExactForUnnudgedOutputWithOverlappingFields) {
  ConvParams p;
  p.in_channels = 2;
  p.in_height = 9;
  p.in_width = 8;
  p.in_layout = ImageLayout::kInterleaved;
  p.kernel = 5;
  p.stride = 2;
  p.channels = 2 * 5 * 5;  // D
  p.passed_on = 6;
  const ConvWiring conv(p);
  std::mt19937_64 rng(3);
  const Mat<double> W = random_orthogonal(p.channels, p.channels, rng);
  const RowVec<double> b = random_matrix(1, p.channels, 11) * 0.1;
  const Mat<double> x = random_matrix(3, conv.pre_units(), 12);
  const auto f = make_transfer({"leaky_relu", 0.1});
  Mat<double> a, y, pre_activation;
  conv.drive(W, b, x, a);
  f->f(a, y);
  f->finv(y, pre_activation);
  const Eigen::PartialPivLU<Mat<double>> lu(W.transpose());
  Mat<double> recovered = Mat<double>::Zero(3, conv.pre_units());
  conv.pull_back(
      pre_activation,
      [&](const Mat<double>& rows, Mat<double>& out) {
        // P_p = (f^-1(y_p) - b) W^-1, i.e. W^T P_p^T = (f^-1(y_p) - b)^T
        out = lu.solve((rows.rowwise() - b).transpose()).transpose();
      },
      recovered);
  const std::vector<int> c = conv.coverage();
  int overlapped = 0;
  for (Eigen::Index u = 0; u < conv.pre_units(); ++u) {
    ASSERT_GE(c[u], 1) << "unit " << u << " outside every receptive field";
    overlapped += c[u] > 1;
    recovered.col(u) -= double(c[u] - 1) * x.col(u);
  }
  EXPECT_GT(overlapped, conv.pre_units() / 2);
  EXPECT_LT((recovered - x).cwiseAbs().maxCoeff(), 1e-10);
}

}  // namespace
}  // namespace gaitsim
