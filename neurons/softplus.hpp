#pragma once
// Softplus rates (biology.md 1): non-negative, unbounded above, smooth.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "neurons/transfer_impl.hpp"

namespace gaitsim {

// f(a) = (1/beta) log(1 + e^{beta a}) > 0, f'(a) = sigmoid(beta a),
// f^-1(h) = h + (1/beta) log(-expm1(-beta h)); beta = params.beta > 0.
class Softplus : public TransferImpl<Softplus> {
 public:
  explicit Softplus(TransferParams p) : TransferImpl(std::move(p)), beta_(params_.beta) {
    if (!(beta_ > 0.0) || !std::isfinite(beta_)) {
      throw std::invalid_argument("softplus beta must be finite and > 0, got " +
                                  std::to_string(beta_));
    }
  }
  std::string name() const override { return "softplus"; }
  bool bounded() const override { return true; }

  // max(x, 0) + log1p(e^{-|x|}), x = beta a: no overflow for large |x|.
  template <class T>
  T f(T a) const {
    const T x = T(beta_) * a;
    return (std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)))) / T(beta_);
  }
  template <class T>
  T df(T a) const {
    return T(1) / (T(1) + std::exp(-T(beta_) * a));
  }
  template <class T>
  T finv(T h) const {
    return h + std::log(-std::expm1(-T(beta_) * h)) / T(beta_);
  }
  template <class T>
  T below(T h) const {
    return h;
  }
  template <class T>
  T above(T) const {
    return std::numeric_limits<T>::infinity();
  }
  // f^-1(h) - f^-1(h - s) = s + (1/beta) log1p(u / (-expm1(-beta m))), m = h - s, with
  // u = e^{-beta m} - e^{-beta h} written so that no factor overflows: e^{-beta m} (-expm1(-beta
  // s)) for s >= 0, e^{-beta h} expm1(beta s) for s < 0. s and the log1p term have the same sign,
  // so the sum loses nothing.
  template <class T>
  T difference(T h, T s) const {
    const T b = T(beta_), m = h - s;
    const T u =
        s >= T(0) ? std::exp(-b * m) * -std::expm1(-b * s) : std::exp(-b * h) * std::expm1(b * s);
    return s + std::log1p(u / -std::expm1(-b * m)) / b;
  }

 private:
  double beta_;
};

}  // namespace gaitsim
