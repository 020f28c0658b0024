// GAIT-prop against BP on nets of smooth rates (softplus, logistic; biology.md 1), for orthogonal
// weights: the angle between the two updates of every layer below the top falls with gamma at
// the order derived here, in both precisions.
//
// Derivation. In the delta form layer l inverts the nudge s_l = q_l d_l^2 D_l, q_l = gamma_l /
// mult_l = gamma^(L-l+1), with r_l = (g(h_l) - g(h_l - s_l)) / q_l, g = f^-1. Taylor in s:
//   r_l = (g'(h) s - g''(h) s^2 / 2 + O(s^3)) / q = e_l - g''(h) q d^4 D^2 / 2 + O(q^2),
// since g'(h) = 1 / d. The relative error of r_l is O(q_l) = O(gamma^(L-l+1)), and for
// orthogonal W (W^-1 = W^T) it is the only difference from BP's chain rule. The update of
// layer l < L inherits the errors of the inversions of every layer above it, the largest from
// the top one that is nonlinear: a nonlinear output (l = L) makes the angle of every layer below
// O(gamma); a linear output (an exact inverse difference) leaves layer L-1 equal to BP to
// rounding and the layers below it O(gamma^2), from layer L-1's inversion. Angles are measured
// as the chord between
// the unit updates, |u/|u| - v/|v||, which equals the angle to O(angle^3) and, unlike acos of
// the cosine, resolves angles down to the rounding of the updates.
#include <gtest/gtest.h>

#include <cmath>

#include "../sim/test_nets.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

struct OrderCase {
  std::string activation, output_activation, precision;
  int order;                   // derived order of the angle in gamma (layers below L-1 when linear)
  std::vector<double> gammas;  // decades where the leading term dominates the rounding
};

std::string name_of(const OrderCase& c) {
  return c.activation + "_out_" + c.output_activation + "_" + c.precision;
}
void PrintTo(const OrderCase& c, std::ostream* os) { *os << name_of(c); }

template <class M>
double chord(const M& u, const M& v) {
  const Mat<double> a = u.template cast<double>(), b = v.template cast<double>();
  return (a / a.norm() - b / b.norm()).norm();
}

// Angles of layers 1..L-1 (the top layer is exact by construction) at one gamma.
template <class T>
std::vector<double> angles(const OrderCase& c, double gamma) {
  NetSpec s;
  s.input = 24;
  s.hidden = 3;
  s.activation = c.activation;
  s.output_activation = c.output_activation;
  s.gamma = gamma;
  auto engine = testing::engine_of<T>(s, testing::orthogonal_net(s));
  const Batch b = testing::random_batch(8, s.input, s.classes);
  const Mat<T> x = b.x.cast<T>();
  Gradients<T> gait, bp;
  engine.updates(engine.bp(), x, b.y, bp);
  engine.updates(engine.rule(), x, b.y, gait);
  std::vector<double> out;
  for (int l = 1; l < engine.network().depth(); ++l) out.push_back(chord(gait.dW[l], bp.dW[l]));
  return out;
}

// Least-squares slope of log(angle) against log(gamma).
double slope(const std::vector<double>& gammas, const std::vector<double>& ang) {
  double mx = 0, my = 0;
  const double n = double(gammas.size());
  for (std::size_t i = 0; i < gammas.size(); ++i) {
    mx += std::log(gammas[i]) / n;
    my += std::log(ang[i]) / n;
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < gammas.size(); ++i) {
    sxy += (std::log(gammas[i]) - mx) * (std::log(ang[i]) - my);
    sxx += (std::log(gammas[i]) - mx) * (std::log(gammas[i]) - mx);
  }
  return sxy / sxx;
}

class SmoothGaitOrder : public ::testing::TestWithParam<OrderCase> {};

TEST_P(SmoothGaitOrder, AngleToBpFallsAtTheDerivedOrder) {
  const OrderCase& c = GetParam();
  std::vector<std::vector<double>> per_gamma;
  for (double g : c.gammas) {
    per_gamma.push_back(c.precision == "float64" ? angles<double>(c, g) : angles<float>(c, g));
  }
  const bool linear_output = c.output_activation == "linear";
  // Rounding of the angle: about 5e-16 (float64) and 1.5e-7 (float32) where GAIT equals BP
  // exactly (layer L-1 under a linear output), with a margin of 2.
  const double rounding = c.precision == "float64" ? 1e-14 : 3e-7;
  for (std::size_t l = 0; l < per_gamma[0].size(); ++l) {
    std::vector<double> ang;
    for (const auto& a : per_gamma) ang.push_back(a[l]);
    if (linear_output && l + 1 == per_gamma[0].size()) {  // layer L-1: only exact inversions above
      for (double a : ang) EXPECT_LT(a, rounding) << "layer " << l + 1;
      continue;
    }
    EXPECT_GT(ang.back(), 10 * rounding) << "the smallest gamma must stay above rounding";
    const double p = slope(c.gammas, ang);
    // The order is an exponent: a fitted slope within 0.2 of it tells 1 from 2 and a constant.
    EXPECT_NEAR(p, c.order, 0.2) << "layer " << l + 1 << ", angles from " << ang.front() << " to "
                                 << ang.back();
  }
}

std::vector<OrderCase> order_cases() {
  // float32: gammas whose smallest angle is still above 10 times its rounding
  const std::vector<double> wide = {1e-2, 1e-3, 1e-4, 1e-5};
  std::vector<OrderCase> cases;
  for (const char* f : {"softplus", "logistic"}) {
    cases.push_back({f, "same", "float64", 1, wide});
    cases.push_back({f, "linear", "float64", 2, wide});
    cases.push_back({f, "same", "float32", 1, {3e-2, 1e-2, 3e-3}});
    cases.push_back({f, "linear", "float32", 2, {3e-1, 1e-1, 3e-2}});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Nets, SmoothGaitOrder, ::testing::ValuesIn(order_cases()),
                         [](const ::testing::TestParamInfo<OrderCase>& info) {
                           return name_of(info.param);
                         });

}  // namespace
}  // namespace gaitsim
