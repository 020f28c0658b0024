#pragma once
// Per-sample losses l on the class units of the output population and the output target they
// set: t_L = h_L - dl/dh_L on the class units, t_L = h_L on auxiliary units (so D_L = h_L - t_L
// = dl/dh_L there and 0 elsewhere). Kinds are registered in one place (output_loss.cpp).
#include <memory>
#include <string>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

template <class T>
class OutputLoss {
 public:
  virtual ~OutputLoss() = default;
  virtual std::string name() const = 0;
  // Sum over the batch of the per-sample loss l(h_C, y).
  virtual double total(const Mat<T>& h, const Eigen::VectorXi& y, int classes) const = 0;
  // D = dl/dh_L on the class units, 0 on the other units (N x n_L).
  virtual void gradient(const Mat<T>& h, const Eigen::VectorXi& y, int classes,
                        Mat<T>& D) const = 0;
  // l of a zero output, h_C = 0, whatever the label: the loss of a net that has learned nothing
  // (the scale of learning.max_loss_factor).
  virtual double zero_output_loss(int classes) const = 0;
};

template <class T>
std::unique_ptr<OutputLoss<T>> make_output_loss(const std::string& name);
std::vector<std::string> output_loss_names();

// Number of samples whose largest class unit is the label (ties go to the lower index).
template <class T>
long long count_correct(const Mat<T>& h, const Eigen::VectorXi& y, int classes);
// Number of samples whose label is among the k largest class units.
template <class T>
long long count_top_k(const Mat<T>& h, const Eigen::VectorXi& y, int classes, int k);

// Top-5 accuracy is reported (printed, stored in run files) only with more than 10 classes: with
// 10 or fewer, half the classes or more are in every top 5.
constexpr bool reports_top5(int classes) { return classes > 10; }

}  // namespace gaitsim
