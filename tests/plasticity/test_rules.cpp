// The learning rules against what they must equal: BP against finite differences, GAIT against
// BP for orthogonal weights (the property of gait-prop.md, "Relation to backprop"), GAIT in
// the delta form against an independent implementation of the published (explicit-target)
// form, TP's targets against the exact inverse, and adaptive gamma against its definition.
#include <gtest/gtest.h>

#include "../sim/test_nets.hpp"
#include "analysis/vector_stats.hpp"
#include "central_differences.hpp"
#include "plasticity/gait_rule.hpp"
#include "sim/alignment.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

// ---------------------------------------------------------------- BP vs finite differences
struct FdCase {
  std::string kind, activation, output_activation, loss;
};

std::string name_of(const FdCase& c) {
  return c.kind + "_" + c.activation + "_out_" + c.output_activation + "_" + c.loss;
}

// What GoogleTest (and so ctest's test names) prints for GetParam(), instead of a byte dump.
void PrintTo(const FdCase& c, std::ostream* os) { *os << name_of(c); }

class BpFiniteDifference : public ::testing::TestWithParam<FdCase> {};

TEST_P(BpFiniteDifference, GradientMatchesCentralDifferences) {
  const FdCase& p = GetParam();
  NetSpec s;
  s.kind = p.kind;
  s.widths = {12, 12, 9, 7, 5};
  s.input = 12;
  s.hidden = 2;
  s.activation = p.activation;
  s.output_activation = p.output_activation;
  s.loss = p.loss;
  s.algorithm = "bp";
  s.classes = 4;
  auto engine = testing::engine_of(s, testing::gaussian_net(s));
  const Batch b = testing::random_batch(7, testing::input_width(s), s.classes);
  Gradients<double> g;
  engine.updates(engine.bp(), b.x, b.y, g);

  testing::expect_central_differences(engine, b, g, {3, 2, 1});
}

INSTANTIATE_TEST_SUITE_P(
    Nets, BpFiniteDifference,
    ::testing::Values(FdCase{"tower", "leaky_relu", "same", "mse"},
                      FdCase{"tower", "leaky_relu", "linear", "cross_entropy"},
                      FdCase{"square", "linear", "same", "mse"},
                      FdCase{"square", "leaky_relu", "linear", "cross_entropy"},
                      FdCase{"dense", "leaky_relu", "same", "mse"}),
    [](const ::testing::TestParamInfo<FdCase>& info) { return name_of(info.param); });

// ---------------------------------------------------------------- GAIT vs BP
struct AlignCase {
  std::string kind, activation;
  int depth;  // L
};

NetSpec align_spec(const AlignCase& p) {
  NetSpec s;
  s.kind = p.kind;
  s.activation = p.activation;
  s.input = 40;
  s.hidden = p.depth - 1;
  // tower: 40 -> 40 -> then narrowing by 6 per layer, output >= 10 classes
  s.widths = {40, 40};
  for (int l = 2; l <= p.depth; ++l) s.widths.push_back(40 - 6 * (l - 1));
  s.gamma = 1e-4;
  return s;
}

std::vector<LayerAlignment> alignment_of(const NetSpec& s, const Network<double>& net) {
  auto engine = testing::engine_of(s, net);
  const Batch b = testing::random_batch(16, testing::input_width(s), s.classes);
  return measure_alignment(engine, b.x, b.y).layers;
}

class GaitVsBp : public ::testing::TestWithParam<AlignCase> {};

TEST_P(GaitVsBp, BelowOneDegreeForOrthogonalWeights) {
  const NetSpec s = align_spec(GetParam());
  for (const auto& a : alignment_of(s, testing::orthogonal_net(s))) EXPECT_LT(a.angle_deg, 1.0);
}

TEST_P(GaitVsBp, ClearlyLargerForGaussianWeights) {
  const NetSpec s = align_spec(GetParam());
  const auto layers = alignment_of(s, testing::gaussian_net(s));
  // The top layer is exact by construction (to the rounding of acos near 1), so a one-layer net
  // is BP whatever its weights; every layer below goes through an inverse that is no longer
  // the transpose.
  EXPECT_LT(layers.back().angle_deg, 1e-4);
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) EXPECT_GT(layers[l].angle_deg, 5.0);
}

std::vector<AlignCase> align_cases() {
  std::vector<AlignCase> cases;
  for (const char* kind : {"square", "tower"}) {
    for (const char* activation : {"linear", "leaky_relu"}) {
      for (int depth = 2; depth <= 6; ++depth) cases.push_back({kind, activation, depth});
    }
  }
  return cases;
}

std::string name_of(const AlignCase& c) {
  return c.kind + "_" + c.activation + "_L" + std::to_string(c.depth);
}

std::string align_name(const ::testing::TestParamInfo<AlignCase>& info) {
  return name_of(info.param);
}

void PrintTo(const AlignCase& c, std::ostream* os) { *os << name_of(c); }

INSTANTIATE_TEST_SUITE_P(Nets, GaitVsBp, ::testing::ValuesIn(align_cases()), align_name);

// For piecewise-linear f with no unit crossing the kink, GAIT equals BP exactly for orthogonal
// weights, whatever gamma and depth, in the delta form, to rounding.
TEST(GaitVsBp, EqualToRoundingForOrthogonalWeights) {
  for (int depth : {2, 4, 6}) {
    NetSpec s;
    s.input = 48;
    s.hidden = depth - 1;
    s.gamma = 1e-3;
    auto engine = testing::engine_of(s, testing::orthogonal_net(s));
    const Batch b = testing::random_batch(10, s.input, s.classes);
    Gradients<double> gait, bp;
    engine.updates(engine.bp(), b.x, b.y, bp);
    engine.updates(engine.rule(), b.x, b.y, gait);
    for (int l = 1; l <= depth; ++l) {
      EXPECT_LT((gait.dW[l] - bp.dW[l]).norm(), 1e-11 * bp.dW[l].norm()) << "L " << depth;
      EXPECT_LT((gait.db[l] - bp.db[l]).norm(), 1e-11 * bp.db[l].norm() + 1e-15);
    }
  }
}

// float32 in the delta form stays aligned at depth 6 (the published form fails beyond 2).
TEST(GaitVsBp, Float32DeltaFormAlignedAtDepthSix) {
  NetSpec s;
  s.input = 64;
  s.hidden = 5;
  s.gamma = 1e-3;
  const auto net = testing::orthogonal_net(s);
  auto engine = testing::engine_of<float>(s, net);
  const Batch b = testing::random_batch(12, s.input, s.classes);
  const auto result = measure_alignment(engine, b.x.cast<float>().eval(), b.y);
  for (const auto& a : result.layers) EXPECT_GT(a.cosine, 1.0 - 1e-5);
}

// ---------------------------------------------------------------- published form
// GAIT as published: explicit targets t_l, m_l = (1 - g_l) h_l + g_l t_l,
// t_{l-1} = (f^-1(m_l) - b_l) W_l^-1, e_l = mult_l (h_l - t_l) f'(a_l). Written here from
// gait-prop.md with an explicit inverse, independently of the library's delta form.
std::vector<Mat<double>> published_gait(const Network<double>& net, const Activity<double>& act,
                                        const Mat<double>& t_top, double gamma) {
  const int L = net.depth();
  auto leaky_inv = [&](const Mat<double>& h, double slope, bool linear) {
    return linear ? h : h.unaryExpr([&](double v) { return v > 0 ? v : v / slope; }).eval();
  };
  std::vector<Mat<double>> t(L + 1), dW(L + 1);
  std::vector<double> mult(L + 1, 1.0);
  t[L] = t_top;
  for (int l = L; l >= 2; --l) {
    const auto& pop = net.layer(l).pop;
    const Mat<double> g = gamma * act.d[l].cwiseProduct(act.d[l]);
    const Mat<double> m = (1.0 - g.array()).matrix().cwiseProduct(act.h[l]) + g.cwiseProduct(t[l]);
    const Mat<double> Winv = net.layer(l).in.W.inverse();
    Mat<double> pre = leaky_inv(m, pop.transfer.slope, pop.transfer.kind == "linear");
    pre.rowwise() -= net.layer(l).in.b;
    t[l - 1] = act.h[l - 1];
    t[l - 1].leftCols(Winv.cols()) = pre * Winv;
    mult[l - 1] = mult[l] / gamma;
  }
  for (int l = 1; l <= L; ++l) {
    const Mat<double> e = mult[l] * (act.h[l] - t[l]).cwiseProduct(act.d[l]);
    const auto k = net.layer(l).in.pre_units();
    dW[l] = act.h[l - 1].leftCols(k).transpose() * e / double(act.batch());
  }
  return dW;
}

TEST(GaitPublishedForm, DeltaFormAgreesForShallowNets) {
  for (const char* kind : {"square", "tower"}) {
    NetSpec s;
    s.kind = kind;
    s.input = 30;
    s.hidden = 2;
    s.widths = {30, 30, 24, 16};
    s.gamma = 1e-3;
    // Gaussian weights so that GAIT differs from BP and the comparison means something.
    const Network<double> net = testing::gaussian_net(s);
    auto engine = testing::engine_of(s, net);
    const Batch b = testing::random_batch(9, testing::input_width(s), s.classes);
    Gradients<double> gait;
    engine.updates(engine.rule(), b.x, b.y, gait);
    const Activity<double>& act = engine.activity();
    const int L = net.depth();
    const Mat<double> t_top = act.h[L] - engine.signals().D[L];
    const auto expected = published_gait(net, act, t_top, s.gamma);
    for (int l = 1; l <= L; ++l) {
      EXPECT_GT(analysis::cosine_similarity(gait.dW[l], expected[l]), 1.0 - 1e-6)
          << kind << " layer " << l;
      EXPECT_NEAR(gait.dW[l].norm() / expected[l].norm(), 1.0, 1e-3) << kind << " layer " << l;
    }
  }
}

// ---------------------------------------------------------------- TP
// TP's targets are exact inverses: pushing t_{l-1} forward through layer l gives t_l.
TEST(TargetPropagation, TargetsAreExactInverses) {
  for (const char* activation : {"linear", "leaky_relu"}) {
    NetSpec s;
    s.kind = "tower";
    s.widths = {20, 20, 16, 12};
    s.activation = activation;
    s.algorithm = "tp";
    const Network<double> net = testing::gaussian_net(s);
    auto engine = testing::engine_of(s, net);
    const Batch b = testing::random_batch(8, 20, s.classes);
    Gradients<double> g;
    engine.updates(engine.rule(), b.x, b.y, g);
    const auto& act = engine.activity();
    const auto& sig = engine.signals();
    for (int l = 2; l <= net.depth(); ++l) {
      // t = h - D / mult, with mult = 1 for TP
      const Mat<double> t_below = act.h[l - 1] - sig.D[l - 1];
      const Mat<double> t_here = act.h[l] - sig.D[l];
      Mat<double> a;
      net.layer(l).in.drive(t_below, a);
      Mat<double> forward;
      net.layer(l).f->f(a, forward);
      EXPECT_LT((forward - t_here).cwiseAbs().maxCoeff(), 1e-10) << activation << " layer " << l;
      EXPECT_TRUE(sig.mult[l - 1].isOnes());
    }
  }
}

// For a linear net the TP target of the first hidden layer maps to the output target exactly.
TEST(TargetPropagation, ExactForLinearNets) {
  NetSpec s;
  s.input = 16;
  s.hidden = 3;
  s.activation = "linear";
  s.algorithm = "tp";
  const Network<double> net = testing::gaussian_net(s);
  auto engine = testing::engine_of(s, net);
  const Batch b = testing::random_batch(5, 16, s.classes);
  Gradients<double> g;
  engine.updates(engine.rule(), b.x, b.y, g);
  Mat<double> t = engine.activity().h[1] - engine.signals().D[1];
  for (int l = 2; l <= net.depth(); ++l) {
    Mat<double> a;
    net.layer(l).in.drive(t, a);
    t = a;
  }
  const int L = net.depth();
  const Mat<double> t_top = engine.activity().h[L] - engine.signals().D[L];
  EXPECT_LT((t - t_top).cwiseAbs().maxCoeff(), 1e-9);
  // the output target is the one-hot label on the class units (MSE)
  for (Eigen::Index n = 0; n < t_top.rows(); ++n) {
    for (int c = 0; c < s.classes; ++c) EXPECT_NEAR(t_top(n, c), c == b.y(n) ? 1.0 : 0.0, 1e-12);
  }
}

// ---------------------------------------------------------------- adaptive gamma
TEST(AdaptiveGamma, FollowsItsDefinitionPerSample) {
  NetSpec s;
  s.input = 24;
  s.hidden = 3;
  s.gamma = 1e-7;
  s.adaptive = true;
  const Network<double> net = testing::gaussian_net(s);
  auto engine = testing::engine_of(s, net);
  const Batch b = testing::random_batch(6, 24, s.classes);
  Gradients<double> g;
  engine.updates(engine.rule(), b.x, b.y, g);
  const auto& sig = engine.signals();
  for (int l = net.depth(); l >= 2; --l) {
    for (Eigen::Index n = 0; n < 6; ++n) {
      // gamma_l = gamma_0 sqrt(n_l) / ||t_l - h_l||, with t_l - h_l = -D_l / mult_l
      const double distance = sig.D[l].row(n).norm() / sig.mult[l](n);
      const double expected = 1e-7 * std::sqrt(double(net.width(l))) / distance;
      EXPECT_NEAR(sig.gamma[l](n) / expected, 1.0, 1e-12);
      EXPECT_NEAR(sig.mult[l - 1](n) / (sig.mult[l](n) / sig.gamma[l](n)), 1.0, 1e-12);
    }
  }
  // The nudge shrinks the distance to the target by gamma_l d^2 each layer down, so every
  // layer's normalised nudge is the same size: ||t_l - h_l|| ~ gamma_0 sqrt(n) below the top.
  for (int l = 1; l < net.depth(); ++l) {
    const double distance = (sig.D[l].row(0) / sig.mult[l](0)).norm();
    EXPECT_GT(distance, 0.0);
    EXPECT_LT(distance, 1e-5) << "layer " << l;
  }
}

TEST(AdaptiveGamma, AlignedWithBpForOrthogonalWeights) {
  NetSpec s;
  s.input = 40;
  s.hidden = 4;
  s.gamma = 1e-7;
  s.adaptive = true;
  for (const auto& a : alignment_of(s, testing::orthogonal_net(s))) EXPECT_LT(a.angle_deg, 1.0);
}

// ---------------------------------------------------------------- ill-conditioned layers
TEST(LayerInverse, SingularLayerIsNamedWithItsCondition) {
  NetSpec s;
  s.input = 10;
  s.hidden = 2;
  Network<double> net = testing::orthogonal_net(s);
  net.layer(3).in.W.col(4) = net.layer(3).in.W.col(2);  // rank-deficient
  auto engine = testing::engine_of(s, net);
  const Batch b = testing::random_batch(4, 10, s.classes);
  Gradients<double> g;
  try {
    engine.updates(engine.rule(), b.x, b.y, g);
    FAIL() << "expected IllConditionedLayer";
  } catch (const IllConditionedLayer& e) {
    EXPECT_EQ(e.layer, 3);
    EXPECT_GT(e.condition, LayerInverse<double>::max_condition());
    EXPECT_NE(std::string(e.what()).find("layer 3"), std::string::npos);
  }
}

}  // namespace
}  // namespace gaitsim
