#pragma once
// How a projection's weight matrix W connects the population below to the one above. Every
// kind (dense, conv) is one Wiring subclass; the learning rules only see three operations:
//   drive:            a = h_pre W + b                            (the free phase)
//   pull_back:        pre[:, :k] = scatter(map(rows(E)))         (signals going down)
//   weight_gradient:  dW = patches(h_pre)^T rows(E) / N          (the local update)
// where rows() lays a population out as one row per sample and position (dense: one position)
// and patches() gathers the presynaptic units each row reads. A conv layer's W is the D x D
// kernel matrix applied at every position, so the inverse, the orthogonality term and the
// optimiser treat conv and dense weights alike.
#include <functional>
#include <memory>
#include <string>

#include "neurons/types.hpp"

namespace gaitsim {

// Applied to the row form of a post-synaptic signal, e.g. R -> R W^T (BP) or R -> R W^-1 (GAIT).
template <class T>
using RowMap = std::function<void(const Mat<T>& rows, Mat<T>& out)>;

class Wiring {
 public:
  virtual ~Wiring() = default;
  virtual std::string kind() const = 0;
  // Leading units of the population below that the projection reads [count].
  virtual Eigen::Index pre_units() const = 0;
  // Units of the population above [count].
  virtual Eigen::Index post_units() const = 0;

  // a = h_pre W + b
  virtual void drive(const Mat<double>& W, const RowVec<double>& b, const Mat<double>& h_pre,
                     Mat<double>& a) const = 0;
  virtual void drive(const Mat<float>& W, const RowVec<float>& b, const Mat<float>& h_pre,
                     Mat<float>& a) const = 0;
  // pre[:, :pre_units()] = scatter(map(rows(E))); the other columns of pre are left alone.
  virtual void pull_back(const Mat<double>& E, const RowMap<double>& map,
                         Mat<double>& pre) const = 0;
  virtual void pull_back(const Mat<float>& E, const RowMap<float>& map, Mat<float>& pre) const = 0;
  // dW = patches(h_pre)^T rows(E) / N,  db = colsum(rows(E)) / N
  virtual void weight_gradient(const Mat<double>& h_pre, const Mat<double>& E, Mat<double>& dW,
                               RowVec<double>& db) const = 0;
  virtual void weight_gradient(const Mat<float>& h_pre, const Mat<float>& E, Mat<float>& dW,
                               RowVec<float>& db) const = 0;
};

// Implements both precisions of the interface with Derived's member templates drive_t,
// pull_back_t and weight_gradient_t.
template <class Derived>
class WiringFor : public Wiring {
 public:
  void drive(const Mat<double>& W, const RowVec<double>& b, const Mat<double>& h_pre,
             Mat<double>& a) const override {
    self().drive_t(W, b, h_pre, a);
  }
  void drive(const Mat<float>& W, const RowVec<float>& b, const Mat<float>& h_pre,
             Mat<float>& a) const override {
    self().drive_t(W, b, h_pre, a);
  }
  void pull_back(const Mat<double>& E, const RowMap<double>& map, Mat<double>& pre) const override {
    self().pull_back_t(E, map, pre);
  }
  void pull_back(const Mat<float>& E, const RowMap<float>& map, Mat<float>& pre) const override {
    self().pull_back_t(E, map, pre);
  }
  void weight_gradient(const Mat<double>& h_pre, const Mat<double>& E, Mat<double>& dW,
                       RowVec<double>& db) const override {
    self().weight_gradient_t(h_pre, E, dW, db);
  }
  void weight_gradient(const Mat<float>& h_pre, const Mat<float>& E, Mat<float>& dW,
                       RowVec<float>& db) const override {
    self().weight_gradient_t(h_pre, E, dW, db);
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// All-to-all synapses from the first k units below into n units: a = h_pre[:, :k] W + b.
class DenseWiring : public WiringFor<DenseWiring> {
 public:
  DenseWiring(Eigen::Index pre_units, Eigen::Index post_units)
      : pre_(pre_units), post_(post_units) {}
  std::string kind() const override { return "dense"; }
  Eigen::Index pre_units() const override { return pre_; }
  Eigen::Index post_units() const override { return post_; }

  template <class T>
  void drive_t(const Mat<T>& W, const RowVec<T>& b, const Mat<T>& h_pre, Mat<T>& a) const {
    a.noalias() = h_pre.leftCols(pre_) * W;
    a.rowwise() += b;
  }
  template <class T>
  void pull_back_t(const Mat<T>& E, const RowMap<T>& map, Mat<T>& pre) const {
    Mat<T> out;
    map(E, out);
    pre.leftCols(pre_) = out;
  }
  template <class T>
  void weight_gradient_t(const Mat<T>& h_pre, const Mat<T>& E, Mat<T>& dW, RowVec<T>& db) const {
    const T inv_n = T(1) / T(E.rows());
    dW.noalias() = inv_n * (h_pre.leftCols(pre_).transpose() * E);
    db = inv_n * E.colwise().sum();
  }

 private:
  Eigen::Index pre_, post_;
};

}  // namespace gaitsim
