// Optimisers and the orthogonality regulariser against hand computations and finite
// differences; the output losses against their definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "neurons/weight_init.hpp"
#include "plasticity/optimizer.hpp"
#include "plasticity/orthogonality.hpp"
#include "plasticity/output_loss.hpp"

namespace gaitsim {
namespace {

// One population of two units reading two inputs; weights set by hand.
Network<double> tiny_net(const Mat<double>& W, const RowVec<double>& b) {
  Network<double> net;
  net.input = {"input", 2, 2, {"linear", 1.0}};
  TransferParams t{"linear", 1.0};
  net.layers.push_back({{"output", 2, 2, t}, make_transfer(t), {W, b}});
  net.classes = 2;
  return net;
}

Gradients<double> grads_of(const Mat<double>& dW, const RowVec<double>& db) {
  return {{Mat<double>(), dW}, {RowVec<double>(), db}};
}

TEST(Adam, TwoStepsMatchHandComputation) {
  Mat<double> W(2, 2);
  W << 1.0, -2.0, 0.5, 3.0;
  RowVec<double> b(2);
  b << 0.1, -0.1;
  Network<double> net = tiny_net(W, b);
  OptimizerParams p{"adam", 0.01, 0.9, 0.999, 1e-8};
  auto adam = make_optimizer<double>(p);

  Mat<double> g1(2, 2), g2(2, 2);
  g1 << 0.2, -0.4, 1e-3, 0.0;
  g2 << -0.1, 0.3, 2e-3, 0.5;
  RowVec<double> gb(2);
  gb << 1.0, -1.0;
  adam->step(net, grads_of(g1, gb));
  adam->step(net, grads_of(g2, gb));

  // Hand computation for entry (0, 0): g = 0.2 then -0.1.
  const double m1 = 0.1 * 0.2, v1 = 0.001 * 0.04;
  const double m2 = 0.9 * m1 + 0.1 * -0.1, v2 = 0.999 * v1 + 0.001 * 0.01;
  const double w1 = 1.0 - 0.01 * (m1 / 0.1) / (std::sqrt(v1 / 0.001) + 1e-8);
  const double c1 = 1 - 0.9 * 0.9, c2 = 1 - 0.999 * 0.999;
  const double w2 = w1 - 0.01 * (m2 / c1) / (std::sqrt(v2 / c2) + 1e-8);
  EXPECT_NEAR(net.layer(1).in.W(0, 0), w2, 1e-15);
  // Entry (1, 1): first gradient 0 leaves it; the second moves it by about lr.
  const double m = 0.1 * 0.5, v = 0.001 * 0.25;
  const double w11 = 3.0 - 0.01 * (m / c1) / (std::sqrt(v / c2) + 1e-8);
  EXPECT_NEAR(net.layer(1).in.W(1, 1), w11, 1e-15);
  // A constant gradient moves each bias by lr per step (bias-corrected m / sqrt(v) = 1).
  EXPECT_NEAR(net.layer(1).in.b(0), 0.1 - 0.02, 1e-9);
  EXPECT_NEAR(net.layer(1).in.b(1), -0.1 + 0.02, 1e-9);
}

TEST(Adam, StateRoundTripContinuesIdentically) {
  Mat<double> W = Mat<double>::Identity(2, 2);
  RowVec<double> b = RowVec<double>::Zero(2);
  Mat<double> g(2, 2);
  g << 0.3, -0.2, 0.1, 0.4;
  RowVec<double> gb(2);
  gb << 0.5, 0.25;
  OptimizerParams p{"adam", 0.01, 0.9, 0.999, 1e-8};
  Network<double> a = tiny_net(W, b), c = tiny_net(W, b);
  auto first = make_optimizer<double>(p), second = make_optimizer<double>(p);
  first->step(a, grads_of(g, gb));
  second->step(c, grads_of(g, gb));
  auto restored = make_optimizer<double>(p);
  restored->set_state(second->state());
  first->step(a, grads_of(-g, gb));
  restored->step(c, grads_of(-g, gb));
  EXPECT_EQ(a.layer(1).in.W, c.layer(1).in.W);
  EXPECT_EQ(a.layer(1).in.b, c.layer(1).in.b);
}

TEST(Sgd, StepIsMinusLearningRateTimesUpdate) {
  Mat<double> W = Mat<double>::Ones(2, 2);
  Network<double> net = tiny_net(W, RowVec<double>::Zero(2));
  auto sgd = make_optimizer<double>({"sgd", 0.5, 0.9, 0.999, 1e-8});
  Mat<double> g(2, 2);
  g << 1, 2, 3, 4;
  sgd->step(net, grads_of(g, RowVec<double>::Ones(2)));
  EXPECT_EQ(net.layer(1).in.W, (W - 0.5 * g).eval());
  EXPECT_EQ(net.layer(1).in.b, RowVec<double>::Constant(2, -0.5));
}

// ---------------------------------------------------------------- orthogonality
double ortho_penalty(const Mat<double>& W, double lambda, bool full) {
  Mat<double> S = W * W.transpose();
  if (full) {
    S -= Mat<double>::Identity(W.rows(), W.rows());
  } else {
    S.diagonal().setZero();
  }
  return lambda * S.squaredNorm();
}

TEST(Orthogonality, GradientMatchesFiniteDifferences) {
  std::mt19937_64 rng(4);
  for (const char* mode : {"full", "offdiag"}) {
    const bool full = std::string(mode) == "full";
    Network<double> net = tiny_net(Mat<double>::Identity(2, 2), RowVec<double>::Zero(2));
    TransferParams t{"linear", 1.0};
    Mat<double> W = xavier_uniform(7, 7, rng) * 2.0;
    net.layers.push_back(
        {{"top", 7, 7, t}, make_transfer(t), {Mat<double>::Zero(2, 7), RowVec<double>::Zero(7)}});
    net.layers.push_back({{"top2", 7, 7, t}, make_transfer(t), {W, RowVec<double>::Zero(7)}});
    Gradients<double> g{
        {Mat<double>(), Mat<double>::Zero(2, 2), Mat<double>::Zero(2, 7), Mat<double>::Zero(7, 7)},
        {}};
    OrthogonalityRegulariser<double>({0.3, mode}).add_gradient(net, g);
    EXPECT_TRUE(g.dW[1].isZero()) << "the first layer is not regularised";
    EXPECT_TRUE(g.dW[2].isZero()) << "non-square layers are not regularised";
    const double h = 1e-6;
    for (Eigen::Index i = 0; i < 7; ++i) {
      for (Eigen::Index j = 0; j < 7; ++j) {
        Mat<double> up = W, down = W;
        up(i, j) += h;
        down(i, j) -= h;
        const double fd = (ortho_penalty(up, 0.3, full) - ortho_penalty(down, 0.3, full)) / (2 * h);
        EXPECT_NEAR(g.dW[3](i, j), fd, 1e-6 * std::max(1.0, std::abs(fd))) << mode;
      }
    }
  }
}

// Beyond one block of rows the blocked product must still equal the closed form.
TEST(Orthogonality, MultiBlockGradientEqualsClosedForm) {
  std::mt19937_64 rng(6);
  for (const char* mode : {"full", "offdiag"}) {
    const Mat<double> W = xavier_uniform(150, 150, rng) * 3.0;
    TransferParams t{"linear", 1.0};
    Network<double> net = tiny_net(Mat<double>::Zero(2, 150), RowVec<double>::Zero(150));
    net.layers[0].pop.width = 150;
    net.layers.push_back({{"top", 150, 150, t}, make_transfer(t), {W, RowVec<double>::Zero(150)}});
    Gradients<double> g{{Mat<double>(), Mat<double>::Zero(2, 150), Mat<double>::Zero(150, 150)},
                        {}};
    OrthogonalityRegulariser<double>({0.25, mode}).add_gradient(net, g);
    Mat<double> S = W * W.transpose();
    if (std::string(mode) == "full") {
      S -= Mat<double>::Identity(150, 150);
    } else {
      S.diagonal().setZero();
    }
    const Mat<double> expected = 4 * 0.25 * S * W;
    EXPECT_LT((g.dW[2] - expected).norm(), 1e-12 * expected.norm()) << mode;
  }
}

// Layers run side by side (one per thread) when they share evenly among the threads, else one
// after the other with threaded products: both must give every layer its own closed form.
TEST(Orthogonality, EveryLayerGetsItsGradientWhateverTheThreadCount) {
  std::mt19937_64 rng(8);
  const int saved = Eigen::nbThreads();
  TransferParams t{"linear", 1.0};
  for (int threads : {1, 2, 3}) {
    Eigen::setNbThreads(threads);
    for (int inverted : {1, 2, 3, 4}) {
      Network<double> net = tiny_net(Mat<double>::Zero(2, 40), RowVec<double>::Zero(40));
      net.layers[0].pop.width = 40;
      Gradients<double> g{{Mat<double>(), Mat<double>::Zero(2, 40)}, {}};
      std::vector<Mat<double>> W;
      for (int k = 0; k < inverted; ++k) {
        W.push_back(xavier_uniform(40, 40, rng) * (1.0 + k));
        net.layers.push_back(
            {{"l", 40, 40, t}, make_transfer(t), {W.back(), RowVec<double>::Zero(40)}});
        g.dW.push_back(Mat<double>::Constant(40, 40, 0.5));  // the gradient is added to this
      }
      OrthogonalityRegulariser<double>({0.2, "full"}).add_gradient(net, g);
      for (int k = 0; k < inverted; ++k) {
        const Mat<double> S = W[k] * W[k].transpose() - Mat<double>::Identity(40, 40);
        const Mat<double> expected = Mat<double>::Constant(40, 40, 0.5) + 4 * 0.2 * S * W[k];
        EXPECT_LT((g.dW[k + 2] - expected).norm(), 1e-12 * expected.norm())
            << threads << " threads, layer " << k + 2 << " of " << inverted + 1;
      }
    }
  }
  Eigen::setNbThreads(saved);
}

TEST(Orthogonality, ErrorIsZeroForOrthogonalMatrices) {
  std::mt19937_64 rng(5);
  EXPECT_LT(OrthogonalityRegulariser<double>::error(random_orthogonal(50, 50, rng)), 1e-12);
  EXPECT_NEAR(OrthogonalityRegulariser<double>::error(2.0 * Mat<double>::Identity(3, 3)),
              std::sqrt(27.0), 1e-12);
}

// ---------------------------------------------------------------- losses
TEST(OutputLoss, MseTargetIsOneHotOnClassUnitsOnly) {
  Mat<double> h(2, 4);
  h << 0.2, 0.9, -0.1, 5.0, 1.0, 0.0, 0.3, -2.0;
  Eigen::VectorXi y(2);
  y << 1, 0;
  auto mse = make_output_loss<double>("mse");
  Mat<double> D;
  mse->gradient(h, y, 3, D);
  Mat<double> expected(2, 4);
  expected << 0.2, -0.1, -0.1, 0.0, 0.0, 0.0, 0.3, 0.0;
  EXPECT_TRUE(D.isApprox(expected, 1e-15));
  EXPECT_NEAR(mse->total(h, y, 3), 0.5 * (0.04 + 0.01 + 0.01) + 0.5 * 0.09, 1e-15);
}

TEST(OutputLoss, CrossEntropyGradientMatchesFiniteDifferences) {
  Mat<double> h(1, 5);
  h << 0.3, -1.2, 2.0, 0.7, 9.0;  // the last unit is auxiliary
  Eigen::VectorXi y(1);
  y << 2;
  auto ce = make_output_loss<double>("cross_entropy");
  Mat<double> D;
  ce->gradient(h, y, 4, D);
  EXPECT_EQ(D(0, 4), 0.0);
  for (int c = 0; c < 4; ++c) {
    Mat<double> up = h, down = h;
    up(0, c) += 1e-6;
    down(0, c) -= 1e-6;
    EXPECT_NEAR(D(0, c), (ce->total(up, y, 4) - ce->total(down, y, 4)) / 2e-6, 1e-8);
  }
  const double z = std::exp(0.3) + std::exp(-1.2) + std::exp(2.0) + std::exp(0.7);
  EXPECT_NEAR(ce->total(h, y, 4), std::log(z) - 2.0, 1e-12);
}

TEST(OutputLoss, TopOneAndTopFiveOnHandMadeScores) {
  // 12 classes; sample 0: label has the 3rd largest score; sample 1: the 7th; sample 2: largest.
  Mat<double> h = Mat<double>::Zero(3, 12);
  for (int c = 0; c < 12; ++c) h.row(0)(c) = h.row(1)(c) = h.row(2)(c) = double(c);
  Eigen::VectorXi y(3);
  y << 9, 5, 11;
  EXPECT_EQ(count_correct(h, y, 12), 1);
  EXPECT_EQ(count_top_k(h, y, 12, 5), 2);
  EXPECT_EQ(count_top_k(h, y, 12, 7), 3);
  EXPECT_EQ(count_top_k(h, y, 12, 1), 1);
}

}  // namespace
}  // namespace gaitsim
