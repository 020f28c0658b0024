// Softplus and logistic rates (biology.md 1): f, f', f^-1 and the cancellation-free inverse
// difference against long-double references, near 0, in the bulk and near saturation, in both
// precisions; clipping of nudged activities that leave the open range, and its count.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "neurons/transfer.hpp"

namespace gaitsim {
namespace {

using LD = long double;

// Reference functions of one kind in long double: f, f', g = f^-1 and g', g'', g''', g''''
// (for the series of the inverse difference).
struct Reference {
  std::function<LD(LD)> f, df, g, g1, g2, g3, g4;
};

// g' = 1 / (1 - x), g'' = -beta x / (1 - x)^2, g''' = beta^2 x (1 + x) / (1 - x)^3,
// g'''' = -beta^3 x (1 + 4x + x^2) / (1 - x)^4 with x = e^{-beta h}, 1 - x = -expm1(-beta h)
// (accurate near h = 0).
Reference softplus_ref(LD beta) {
  auto x = [beta](LD h) { return std::exp(-beta * h); };
  auto y = [beta](LD h) { return -std::expm1(-beta * h); };
  return {[beta](LD a) { return std::log1p(std::exp(beta * a)) / beta; },
          [beta](LD a) { return 1 / (1 + std::exp(-beta * a)); },
          [beta](LD h) { return h + std::log(-std::expm1(-beta * h)) / beta; },
          [y](LD h) { return 1 / y(h); },
          [beta, x, y](LD h) { return -beta * x(h) / (y(h) * y(h)); },
          [beta, x, y](LD h) { return beta * beta * x(h) * (1 + x(h)) / std::pow(y(h), 3); },
          [beta, x, y](LD h) {
            return -beta * beta * beta * x(h) * (1 + 4 * x(h) + x(h) * x(h)) / std::pow(y(h), 4);
          }};
}

Reference logistic_ref(LD R) {
  return {[R](LD a) { return R / (1 + std::exp(-a)); },
          [R](LD a) {
            const LD s = 1 / (1 + std::exp(-a));
            return R * s * (1 - s);
          },
          [R](LD h) { return std::log(h) - std::log(R - h); },
          [R](LD h) { return 1 / h + 1 / (R - h); },
          [R](LD h) { return -1 / (h * h) + 1 / ((R - h) * (R - h)); },
          [R](LD h) { return 2 / (h * h * h) + 2 / std::pow(R - h, 3); },
          [R](LD h) { return -6 / std::pow(h, 4) + 6 / std::pow(R - h, 4); }};
}

// g(h) - g(h - s): for |s| below 2^-14 of h's distance to the bounds the series to s^4
// (truncation ~ (s / dist)^4 < 2e-17); else the long-double difference itself, where h and s are
// short dyadic numbers so that h - s is exact and only the rounding of g (5e-20 |g|, on a
// difference at least 2^-14 of the distance: < 3e-14 relative) enters.
LD inverse_difference_ref(const Reference& ref, LD h, LD s, LD dist) {
  if (std::abs(s) < std::ldexp(dist, -14)) {
    return ref.g1(h) * s - ref.g2(h) * s * s / 2 + ref.g3(h) * s * s * s / 6 -
           ref.g4(h) * s * s * s * s / 24;
  }
  return ref.g(h) - ref.g(h - s);
}

struct Kind {
  TransferParams params;
  Reference ref;
  double hi;  // upper end of the range (infinity: unbounded)
};

std::vector<Kind> kinds() {
  TransferParams sp{"softplus", 0.1, 2.0, 1.0};
  TransferParams lg{"logistic", 0.1, 1.0, 2.5};
  return {{sp, softplus_ref(2.0L), INFINITY}, {lg, logistic_ref(2.5L), 2.5}};
}

// Activities from near 0 to near saturation (or deep in softplus's linear part), as short dyadic
// numbers (exact in both precisions, except the last, which float rounds onto the bound).
std::vector<double> activities(const Kind& k) {
  const double lo[] = {std::ldexp(1.0, -40), std::ldexp(1.0, -20), 0.0078125, 0.3125};
  std::vector<double> out(std::begin(lo), std::end(lo));
  if (std::isinf(k.hi)) {
    for (double h : {2.0, 15.0, 300.0}) out.push_back(h);
  } else {
    for (double h : {1.25, 2.25, k.hi - std::ldexp(1.0, -20), k.hi - std::ldexp(1.0, -38)})
      out.push_back(h);
  }
  return out;
}

template <class T>
double rel_err(T got, LD want) {
  return double(std::abs((LD(got) - want) / want));
}

template <class T>
void check_closed_forms(const Kind& k, double tol) {
  const auto f = make_transfer(k.params);
  const std::vector<double> as = {-30.0, -8.0, -1.0, -1e-3, 0.0, 0.7, 5.0, 12.0};
  Mat<T> a(1, Eigen::Index(as.size())), h, d, back;
  for (std::size_t i = 0; i < as.size(); ++i) a(0, Eigen::Index(i)) = T(as[i]);
  f->f(a, h);
  f->df(a, d);
  f->finv(h, back);
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    const LD ai = LD(a(0, i));
    EXPECT_LT(rel_err(h(0, i), k.ref.f(ai)), tol) << k.params.kind << " f(" << ai << ")";
    EXPECT_LT(rel_err(d(0, i), k.ref.df(ai)), tol) << k.params.kind << " f'(" << ai << ")";
    // f^-1 against the reference at the computed h, to its conditioning: a relative error tol
    // of the arguments moves g(h) by tol (|g| + |h g'(h)| + |(r_max - h) g'(h)|).
    const LD hi = LD(h(0, i)), gi = k.ref.g(hi);
    const LD scale = std::abs(gi) + std::abs(hi * k.ref.g1(hi)) +
                     (std::isinf(k.hi) ? 0 : std::abs((LD(k.hi) - hi) * k.ref.g1(hi)));
    EXPECT_LT(double(std::abs(LD(back(0, i)) - gi) / scale), tol)
        << k.params.kind << " f^-1 at a = " << ai;
  }
}

TEST(SmoothTransfer, ClosedFormsMatchLongDoubleReferences) {
  for (const Kind& k : kinds()) {
    check_closed_forms<double>(k, 1e-14);
    check_closed_forms<float>(k, 2e-6);
  }
}

// Relative nudges from 1e-13 (where the difference form would lose every digit) to 0.5 of the
// distance to the bound, both signs: r = (g(h) - g(h - s)) / q to a few ulps.
template <class T>
void check_inverse_difference(const Kind& k, double tol) {
  const auto f = make_transfer(k.params);
  for (double hv : activities(k)) {
    const T h_t = T(hv);
    const LD h = LD(h_t);
    const LD dist = std::min<LD>(h, LD(k.hi) - h);
    if (!(dist > 0)) continue;  // float rounded onto the bound: covered by the clipping test
    // s = +-2^-k times the largest power of 2 in dist: relative nudges 2^-43 (~1e-13) to 2^-1
    const LD unit = std::ldexp(1.0L, std::ilogb(dist));
    for (int k2 : {43, 30, 17, 7, 1}) {
      const double rel = std::ldexp(1.0, -k2);
      for (double sign : {1.0, -1.0}) {
        Mat<T> hm(1, 1), s(1, 1), r;
        hm(0, 0) = h_t;
        s(0, 0) = T(sign * rel * double(unit));
        const ColVec<T> q = ColVec<T>::Constant(1, T(rel));
        const std::int64_t clipped = f->inverse_difference(hm, s, q, r);
        EXPECT_EQ(clipped, 0);
        const LD want = inverse_difference_ref(k.ref, h, LD(s(0, 0)), dist) / LD(q(0));
        EXPECT_LT(rel_err(r(0, 0), want), tol)
            << k.params.kind << " h = " << double(h) << " s/dist = " << sign * rel;
      }
    }
  }
}

TEST(SmoothTransfer, InverseDifferenceIsCancellationFreeNearZeroAndSaturation) {
  for (const Kind& k : kinds()) {
    check_inverse_difference<double>(k, 1e-13);
    check_inverse_difference<float>(k, 1e-5);
  }
}

// Nudged activities outside the open range are moved a margin inside it (m - lo = c (h - lo),
// hi - m = c (hi - h), c = 2^-20) and counted; inside ones are untouched and not counted.
TEST(SmoothTransfer, NudgesLeavingTheRangeAreClippedAndCounted) {
  const LD c = 1.0L / (1 << 20);
  const Kind sp = kinds()[0], lg = kinds()[1];
  {
    const auto f = make_transfer(sp.params);
    Mat<double> h(1, 3), s(1, 3), r;
    h << 0.5, 0.5, 3.0;
    s << 0.7, 0.3, -2.0;  // m = -0.2 (below 0): clipped; m = 0.2, 5.0: inside
    const ColVec<double> q = ColVec<double>::Constant(1, 0.25);
    EXPECT_EQ(f->inverse_difference(h, s, q, r), 1);
    EXPECT_NEAR(r(0, 0), double((sp.ref.g(0.5L) - sp.ref.g(0.5L * c)) / 0.25L), 1e-12);
    EXPECT_NEAR(r(0, 1), double((sp.ref.g(0.5L) - sp.ref.g(0.2L)) / 0.25L), 1e-12);
    EXPECT_NEAR(r(0, 2), double((sp.ref.g(3.0L) - sp.ref.g(5.0L)) / 0.25L), 1e-12);
  }
  {
    const auto f = make_transfer(lg.params);
    Mat<double> h(2, 2), s(2, 2), r;
    h << 1.0, 2.0, 2.5, 1.0;
    s << -2.0, 2.5, 0.1, -1.0;  // m = 3 (above 2.5), m = -0.5, h on the bound, m = 2 inside
    const ColVec<double> q = ColVec<double>::Ones(2);
    EXPECT_EQ(f->inverse_difference(h, s, q, r), 3);
    EXPECT_NEAR(r(0, 0), double(lg.ref.g(1.0L) - lg.ref.g(2.5L - c * 1.5L)), 1e-12);
    EXPECT_NEAR(r(0, 1), double(lg.ref.g(2.0L) - lg.ref.g(2.0L * c)), 1e-12);
    EXPECT_EQ(r(1, 0), 0.0);  // h = r_max exactly: nothing passed on
    EXPECT_NEAR(r(1, 1), double(lg.ref.g(1.0L) - lg.ref.g(2.0L)), 1e-12);
    EXPECT_TRUE(r.allFinite());
  }
  {  // float: logistic of a large a rounds onto r_max; softplus of a very negative a onto 0
    const auto f = make_transfer(lg.params);
    Mat<float> a(1, 1), h, s(1, 1), r;
    a << 40.0f;
    f->f(a, h);
    s << 1e-3f;
    EXPECT_EQ(f->inverse_difference(h, s, ColVec<float>::Ones(1), r), 1);
    EXPECT_EQ(r(0, 0), 0.0f);
  }
}

TEST(SmoothTransfer, PiecewiseLinearKindsNeverClip) {
  const auto f = make_transfer({"leaky_relu", 0.1});
  Mat<double> h(1, 2), s(1, 2), r;
  h << 0.5, -0.2;
  s << 100.0, -100.0;
  EXPECT_EQ(f->inverse_difference(h, s, ColVec<double>::Ones(1), r), 0);
  EXPECT_FALSE(f->bounded());
}

TEST(SmoothTransfer, BadParametersAreRefused) {
  for (double bad : {0.0, -1.0, double(INFINITY), double(NAN)}) {
    EXPECT_THROW(make_transfer({"softplus", 0.1, bad, 1.0}), std::invalid_argument) << bad;
    EXPECT_THROW(make_transfer({"logistic", 0.1, 1.0, bad}), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace gaitsim
