// The learning rules on convolutional networks (network.kind cnn): BP against finite
// differences, GAIT and adaptive GAIT against BP for orthogonal kernels (gait-prop.md, "Relation
// to backprop": the transposed convolution of W^-1 = W^T is BP's), clearly apart for Gaussian
// kernels, and every rule giving finite updates of the right shapes.
#include <gtest/gtest.h>

#include "../sim/test_nets.hpp"
#include "central_differences.hpp"
#include "sim/alignment.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

LayerSpec conv(int filters, int kernel, int stride) {
  LayerSpec s;
  s.kind = "conv";
  s.filters = filters;
  s.kernel = kernel;
  s.stride = stride;
  return s;
}

LayerSpec dense(int units) {
  LayerSpec s;
  s.kind = "dense";
  s.units = units;
  return s;
}

// input 2 x 7 x 6 -> conv 3/3/1 (not inverted) -> conv 3/3/2 (D = 27) -> conv 4/2/1 (D = 12)
// -> dense output (4 classes, 4 x 3 x 4 = 48 wide): overlapping fields, padding, odd sizes.
NetSpec small_cnn(const std::string& algorithm, const std::string& activation) {
  NetSpec s;
  s.kind = "cnn";
  s.image = {2, 7, 6};
  s.layers = {conv(3, 3, 1), conv(3, 3, 2), conv(4, 2, 1), dense(4)};
  s.classes = 4;
  s.algorithm = algorithm;
  s.activation = activation;
  s.output_activation = "linear";
  s.loss = "cross_entropy";
  s.gamma = 1e-4;
  return s;
}

TEST(ConvNet, ShapesFollowTheConstruction) {
  const Network<double> net = testing::orthogonal_net(small_cnn("gait", "leaky_relu"));
  ASSERT_EQ(net.depth(), 4);
  EXPECT_EQ(net.layer(1).in.W.rows(), 2 * 3 * 3);
  EXPECT_EQ(net.layer(1).in.W.cols(), 3);
  EXPECT_EQ(net.width(1), 7 * 6 * 3);
  EXPECT_EQ(net.layer(2).in.W.rows(), 27);  // D = c_in k k, square
  EXPECT_TRUE(net.layer(2).in.square());
  EXPECT_EQ(net.width(2), 4 * 3 * 27);  // ceil(7/2) x ceil(6/2) positions
  EXPECT_EQ(net.population(2).passed_on, 4 * 3 * 3);
  EXPECT_EQ(net.layer(3).in.W.rows(), 12);
  EXPECT_EQ(net.width(4), 4 * 3 * 4);  // the dense output reads conv3's passed-on block
  EXPECT_EQ(net.layer(4).in.W.rows(), 48);
  EXPECT_TRUE(net.layer(4).in.square());
}

TEST(ConvNet, BpGradientMatchesCentralDifferences) {
  const NetSpec s = small_cnn("bp", "leaky_relu");
  auto engine = testing::engine_of(s, testing::gaussian_net(s));
  const Batch b = testing::random_batch(5, testing::input_width(s), s.classes);
  Gradients<double> g;
  engine.updates(engine.bp(), b.x, b.y, g);
  testing::expect_central_differences(engine, b, g, {5, 3, 2});
}

std::vector<LayerAlignment> alignment_of(const NetSpec& s, const Network<double>& net) {
  auto engine = testing::engine_of(s, net);
  const Batch b = testing::random_batch(8, testing::input_width(s), s.classes);
  return measure_alignment(engine, b.x, b.y).layers;
}

class ConvGaitVsBp : public ::testing::TestWithParam<std::string> {};

TEST_P(ConvGaitVsBp, BelowOneDegreeForOrthogonalKernels) {
  for (const bool adaptive : {false, true}) {
    NetSpec s = small_cnn("gait", GetParam());
    s.adaptive = adaptive;
    if (adaptive) s.gamma = 1e-7;
    const auto layers = alignment_of(s, testing::orthogonal_net(s));
    ASSERT_EQ(layers.size(), 4u);
    for (const auto& a : layers) EXPECT_LT(a.angle_deg, 1.0) << "adaptive " << adaptive;
  }
}

TEST_P(ConvGaitVsBp, ClearlyLargerForGaussianKernels) {
  const NetSpec s = small_cnn("gait", GetParam());
  const auto layers = alignment_of(s, testing::gaussian_net(s));
  EXPECT_LT(layers.back().angle_deg, 1e-4);  // the output layer is exact by construction
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) EXPECT_GT(layers[l].angle_deg, 5.0);
}

INSTANTIATE_TEST_SUITE_P(Activations, ConvGaitVsBp, ::testing::Values("linear", "leaky_relu"));

TEST(ConvNet, EveryRuleGivesFiniteUpdatesOfTheWeightShapes) {
  for (const char* algorithm : {"bp", "gait", "tp", "fa"}) {
    const NetSpec s = small_cnn(algorithm, "leaky_relu");
    auto engine = testing::engine_of(s, testing::orthogonal_net(s));
    const Batch b = testing::random_batch(6, testing::input_width(s), s.classes);
    Gradients<double> g;
    engine.updates(engine.rule(), b.x, b.y, g);
    for (int l = 1; l <= engine.network().depth(); ++l) {
      const auto& in = engine.network().layer(l).in;
      ASSERT_EQ(g.dW[l].rows(), in.W.rows()) << algorithm << " layer " << l;
      ASSERT_EQ(g.dW[l].cols(), in.W.cols()) << algorithm << " layer " << l;
      EXPECT_TRUE(g.dW[l].allFinite()) << algorithm << " layer " << l;
      EXPECT_GT(g.dW[l].norm(), 0.0) << algorithm << " layer " << l;
    }
  }
}

TEST(ConvNet, Float32AlignedWithFloat64) {
  const NetSpec s = small_cnn("gait", "leaky_relu");
  const Network<double> net = testing::orthogonal_net(s);
  auto e64 = testing::engine_of<double>(s, net);
  auto e32 = testing::engine_of<float>(s, net);
  const Batch b = testing::random_batch(6, testing::input_width(s), s.classes);
  Gradients<double> g64;
  Gradients<float> g32;
  e64.updates(e64.rule(), b.x, b.y, g64);
  e32.updates(e32.rule(), b.x.cast<float>(), b.y, g32);
  for (int l = 1; l <= net.depth(); ++l) {
    const Mat<double> d32 = g32.dW[l].cast<double>();
    const double cosine = d32.cwiseProduct(g64.dW[l]).sum() / (d32.norm() * g64.dW[l].norm());
    EXPECT_GT(cosine, 1 - 1e-5) << "layer " << l;
  }
}

}  // namespace
}  // namespace gaitsim
