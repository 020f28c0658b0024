#pragma once
// Transfer functions f of rate populations, with what GAIT-prop needs of them: f, f', f^-1 and
// the exact inverse difference across pieces. Kinds are registered in one place
// (transfer_registry.cpp).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

struct TransferParams {
  std::string kind = "leaky_relu";  // registered name
  double slope = 0.1;               // leaky-ReLU slope alpha for a < 0 [1]
  double beta = 1.0;                // softplus sharpness beta, > 0 [1/rate]
  double rate_max = 1.0;            // logistic saturation rate r_max, > 0 [rate]
};

class Transfer {
 public:
  virtual ~Transfer() = default;
  virtual std::string name() const = 0;
  virtual const TransferParams& params() const = 0;

  // h = f(a)
  virtual void f(const Mat<double>& a, Mat<double>& h) const = 0;
  virtual void f(const Mat<float>& a, Mat<float>& h) const = 0;
  // d = f'(a)
  virtual void df(const Mat<double>& a, Mat<double>& d) const = 0;
  virtual void df(const Mat<float>& a, Mat<float>& d) const = 0;
  // a = f^-1(h)
  virtual void finv(const Mat<double>& h, Mat<double>& a) const = 0;
  virtual void finv(const Mat<float>& h, Mat<float>& a) const = 0;
  // r = (f^-1(h) - f^-1(h - s)) / q  (q per sample, one per row). Where h and h - s lie on the
  // same linear piece this is s / (q d) with d = f'(f^-1(h)), evaluated without the
  // cancellation of the difference form (gait-prop.md, "Numerics"); smooth f use exact
  // cancellation-free forms (biology.md 1). Returns the number of units whose nudged activity
  // h - s left the open range of f (bounded f only) and was clipped inside it.
  virtual std::int64_t inverse_difference(const Mat<double>& h, const Mat<double>& s,
                                          const ColVec<double>& q, Mat<double>& r) const = 0;
  virtual std::int64_t inverse_difference(const Mat<float>& h, const Mat<float>& s,
                                          const ColVec<float>& q, Mat<float>& r) const = 0;
  // True when the range of f is bounded (nudged activities may have to be clipped).
  virtual bool bounded() const { return false; }
};

// Creates a registered transfer function; throws std::invalid_argument naming the kind and the
// registered ones when it is unknown.
std::shared_ptr<const Transfer> make_transfer(const TransferParams& params);
std::vector<std::string> transfer_names();

}  // namespace gaitsim
