#pragma once
#include "neurons/transfer_impl.hpp"

namespace gaitsim {

// f(a) = a for a > 0, alpha a otherwise (alpha = params.slope > 0, so f is invertible).
class LeakyRelu : public TransferImpl<LeakyRelu> {
 public:
  explicit LeakyRelu(TransferParams p);
  std::string name() const override { return "leaky_relu"; }

  template <class T>
  T f(T a) const {
    return a > T(0) ? a : T(alpha_) * a;
  }
  template <class T>
  T df(T a) const {
    return a > T(0) ? T(1) : T(alpha_);
  }
  template <class T>
  T finv(T h) const {
    return h > T(0) ? h : h / T(alpha_);
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
