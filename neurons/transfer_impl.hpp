#pragma once
// Adapts a scalar description of a piecewise-linear transfer function (Derived) to the
// Transfer interface, for both precisions. Derived provides, for scalar T:
//   T f(T a), T df(T a), T finv(T h), bool same_piece(T h, T m)
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
  void inverse_difference(const Mat<double>& h, const Mat<double>& s, const ColVec<double>& q,
                          Mat<double>& r) const override {
    apply_inverse_difference(h, s, q, r);
  }
  void inverse_difference(const Mat<float>& h, const Mat<float>& s, const ColVec<float>& q,
                          Mat<float>& r) const override {
    apply_inverse_difference(h, s, q, r);
  }

 protected:
  TransferParams params_;

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  template <class T>
  void apply_f(const Mat<T>& a, Mat<T>& h) const {
    h = a.unaryExpr([this](T x) { return self().template f<T>(x); });
  }
  template <class T>
  void apply_df(const Mat<T>& a, Mat<T>& d) const {
    d = a.unaryExpr([this](T x) { return self().template df<T>(x); });
  }
  template <class T>
  void apply_finv(const Mat<T>& h, Mat<T>& a) const {
    a = h.unaryExpr([this](T x) { return self().template finv<T>(x); });
  }
  template <class T>
  void apply_inverse_difference(const Mat<T>& h, const Mat<T>& s, const ColVec<T>& q,
                                Mat<T>& r) const {
    r.resize(h.rows(), h.cols());
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      for (Eigen::Index i = 0; i < h.rows(); ++i) {
        const T hv = h(i, j);
        const T m = hv - s(i, j);
        r(i, j) = self().template same_piece<T>(hv, m)
                      ? s(i, j) / (q(i) * self().template df<T>(self().template finv<T>(hv)))
                      : (self().template finv<T>(hv) - self().template finv<T>(m)) / q(i);
      }
    }
  }
};

}  // namespace gaitsim
