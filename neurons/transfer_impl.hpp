#pragma once
// Adapts a scalar description of a transfer function (Derived) to the Transfer interface, for
// both precisions. Derived provides, for scalar T:
//   T f(T a), T df(T a), T finv(T h), and either
//   bool same_piece(T h, T m)                   piecewise-linear f (one linear piece: r = s/(q d)),
// or, for a smooth f with an open range (lo, hi):
//   T difference(T h, T s)                      f^-1(h) - f^-1(h - s), cancellation-free,
//   T below(T h), T above(T h)                  h - lo and hi - h (infinity when unbounded).
#include <algorithm>
#include <cstdint>

#include "neurons/transfer.hpp"

namespace gaitsim {

template <class Derived>
class TransferImpl : public Transfer {
 public:
  explicit TransferImpl(TransferParams p) : params_(std::move(p)) {}
  const TransferParams& params() const override { return params_; }

  void f(const Mat<double>& a, Mat<double>& h) const override { apply_f(a, h); }
  void f(const Mat<float>& a, Mat<float>& h) const override { apply_f(a, h); }
  void df(const Mat<double>& a, Mat<double>& d) const override { apply_df(a, d); }
  void df(const Mat<float>& a, Mat<float>& d) const override { apply_df(a, d); }
  void finv(const Mat<double>& h, Mat<double>& a) const override { apply_finv(h, a); }
  void finv(const Mat<float>& h, Mat<float>& a) const override { apply_finv(h, a); }
  std::int64_t inverse_difference(const Mat<double>& h, const Mat<double>& s,
                                  const ColVec<double>& q, Mat<double>& r) const override {
    return dispatch_inverse_difference(h, s, q, r);
  }
  std::int64_t inverse_difference(const Mat<float>& h, const Mat<float>& s, const ColVec<float>& q,
                                  Mat<float>& r) const override {
    return dispatch_inverse_difference(h, s, q, r);
  }

  // A nudged activity m = h - s closer to a bound of the range than kClipMargin times h's own
  // distance to it (or beyond it) is moved to that point: m - lo >= kClipMargin (h - lo) and
  // hi - m >= kClipMargin (hi - h), so f^-1(m) stays finite (|r q| <= log(1/kClipMargin) / slope
  // near a bound) and r is continuous and monotone in s.
  static constexpr double kClipMargin = 1.0 / (1 << 20);

 protected:
  TransferParams params_;

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  // Elementwise y = op(x) over contiguous storage. Eigen's unaryExpr runs a lambda one scalar at
  // a time; `omp simd` lets the compiler vectorise the branches of op into blends.
  template <class T, class Op>
  static void map(const Mat<T>& x, Mat<T>& y, Op op) {
    y.resize(x.rows(), x.cols());
    const T* in = x.data();
    T* out = y.data();
#pragma omp simd
    for (Eigen::Index i = 0; i < x.size(); ++i) out[i] = op(in[i]);
  }

  template <class T>
  void apply_f(const Mat<T>& a, Mat<T>& h) const {
    map(a, h, [&d = self()](T x) { return d.template f<T>(x); });
  }
  template <class T>
  void apply_df(const Mat<T>& a, Mat<T>& d) const {
    map(a, d, [&t = self()](T x) { return t.template df<T>(x); });
  }
  template <class T>
  void apply_finv(const Mat<T>& h, Mat<T>& a) const {
    map(h, a, [&d = self()](T x) { return d.template finv<T>(x); });
  }
  template <class T>
  std::int64_t dispatch_inverse_difference(const Mat<T>& h, const Mat<T>& s, const ColVec<T>& q,
                                           Mat<T>& r) const {
    if constexpr (requires(const Derived& d, T x) { d.template difference<T>(x, x); }) {
      return apply_smooth_inverse_difference(h, s, q, r);
    } else {
      apply_inverse_difference(h, s, q, r);
      return 0;
    }
  }

  // Both forms are evaluated and one is kept per element (a blend), which is what lets the
  // column loop vectorise; the kept value is the same as with a branch.
  template <class T>
  void apply_inverse_difference(const Mat<T>& h, const Mat<T>& s, const ColVec<T>& q,
                                Mat<T>& r) const {
    const Derived& d = self();
    r.resize(h.rows(), h.cols());
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      const T* hj = h.col(j).data();
      const T* sj = s.col(j).data();
      const T* qj = q.data();
      T* rj = r.col(j).data();
#pragma omp simd
      for (Eigen::Index i = 0; i < h.rows(); ++i) {
        const T hv = hj[i], m = hv - sj[i];
        const T finv_h = d.template finv<T>(hv);
        rj[i] = d.template same_piece<T>(hv, m) ? sj[i] / (qj[i] * d.template df<T>(finv_h))
                                                : (finv_h - d.template finv<T>(m)) / qj[i];
      }
    }
  }

  // Smooth f: r = difference(h, s) / q with s clipped to -(1 - c) (hi - h) <= s <= (1 - c)(h - lo),
  // c = kClipMargin. A unit whose h is not inside the open range (rounded onto a bound, e.g.
  // softplus of a very negative a) passes nothing on (r = 0, like f' = 0) and is counted.
  template <class T>
  std::int64_t apply_smooth_inverse_difference(const Mat<T>& h, const Mat<T>& s, const ColVec<T>& q,
                                               Mat<T>& r) const {
    const Derived& d = self();
    const T keep = T(1) - T(kClipMargin);
    std::int64_t clipped = 0;
    r.resize(h.rows(), h.cols());
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      for (Eigen::Index i = 0; i < h.rows(); ++i) {
        const T hv = h(i, j), sv = s(i, j);
        const T below = d.template below<T>(hv), above = d.template above<T>(hv);
        if (!(below > T(0) && above > T(0))) {
          r(i, j) = T(0);
          ++clipped;
          continue;
        }
        const T lo = -keep * above, hi = keep * below;
        const bool clip = sv < lo || sv > hi;  // NaN passes through unclipped
        clipped += clip ? 1 : 0;
        r(i, j) = d.template difference<T>(hv, clip ? std::clamp(sv, lo, hi) : sv) / q(i);
      }
    }
    return clipped;
  }
};

}  // namespace gaitsim
