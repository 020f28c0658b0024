#pragma once
// Logistic rates (biology.md 1): bounded in (0, r_max), smooth.
#include <cmath>
#include <stdexcept>
#include <string>

#include "neurons/transfer_impl.hpp"

namespace gaitsim {

// f(a) = r_max / (1 + e^{-a}), f'(a) = h (r_max - h) / r_max, f^-1(h) = log(h / (r_max - h));
// r_max = params.rate_max > 0.
class Logistic : public TransferImpl<Logistic> {
 public:
  explicit Logistic(TransferParams p) : TransferImpl(std::move(p)), rate_max_(params_.rate_max) {
    if (!(rate_max_ > 0.0) || !std::isfinite(rate_max_)) {
      throw std::invalid_argument("logistic rate_max must be finite and > 0, got " +
                                  std::to_string(rate_max_));
    }
  }
  std::string name() const override { return "logistic"; }
  bool bounded() const override { return true; }

  template <class T>
  T f(T a) const {
    return T(rate_max_) / (T(1) + std::exp(-a));
  }
  // r_max e / (1 + e)^2 with e = e^{-|a|} (f' is even): no overflow and no cancellation.
  template <class T>
  T df(T a) const {
    const T e = std::exp(-std::abs(a));
    return T(rate_max_) * e / ((T(1) + e) * (T(1) + e));
  }
  template <class T>
  T finv(T h) const {
    return std::log(h / (T(rate_max_) - h));
  }
  template <class T>
  T below(T h) const {
    return h;
  }
  template <class T>
  T above(T h) const {
    return T(rate_max_) - h;
  }
  // f^-1(h) - f^-1(h - s) = log1p(s / (h - s)) + log1p(s / (r_max - h)): both terms have the
  // sign of s.
  template <class T>
  T difference(T h, T s) const {
    return std::log1p(s / (h - s)) + std::log1p(s / (T(rate_max_) - h));
  }

 private:
  double rate_max_;
};

}  // namespace gaitsim
