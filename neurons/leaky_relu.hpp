#pragma once
#include "neurons/transfer_impl.hpp"

namespace gaitsim {

// f(a) = a for a > 0, alpha a otherwise (alpha = params.slope > 0, so f is invertible).
// Each function reads alpha before its comparison, so that the load is not conditional and the
// adapter's loops vectorise into blends.
class LeakyRelu : public TransferImpl<LeakyRelu> {
 public:
  explicit LeakyRelu(TransferParams p);
  std::string name() const override { return "leaky_relu"; }

  template <class T>
  T f(T a) const {
    const T alpha = T(alpha_);
    return a > T(0) ? a : alpha * a;
  }
  template <class T>
  T df(T a) const {
    const T alpha = T(alpha_);
    return a > T(0) ? T(1) : alpha;
  }
  template <class T>
  T finv(T h) const {
    const T alpha = T(alpha_);
    return h > T(0) ? h : h / alpha;
  }
  // f^-1 has its kink at h = 0, where f has it at a = 0.
  template <class T>
  bool same_piece(T h, T m) const {
    return (h > T(0)) == (m > T(0));
  }

 private:
  double alpha_;
};

// f(a) = a.
class Linear : public TransferImpl<Linear> {
 public:
  explicit Linear(TransferParams p) : TransferImpl(std::move(p)) {}
  std::string name() const override { return "linear"; }

  template <class T>
  T f(T a) const {
    return a;
  }
  template <class T>
  T df(T) const {
    return T(1);
  }
  template <class T>
  T finv(T h) const {
    return h;
  }
  template <class T>
  bool same_piece(T, T) const {
    return true;
  }
};

}  // namespace gaitsim
