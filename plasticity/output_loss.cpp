#include "plasticity/output_loss.hpp"

#include <cmath>
#include <functional>

#include "neurons/registry.hpp"

namespace gaitsim {

namespace {

// l = 1/2 ||h_C - onehot(y)||^2,  dl/dh_C = h_C - onehot(y)
template <class T>
class MseLoss : public OutputLoss<T> {
 public:
  std::string name() const override { return "mse"; }
  double total(const Mat<T>& h, const Eigen::VectorXi& y, int classes) const override {
    double sum = 0.0;
    for (Eigen::Index n = 0; n < h.rows(); ++n) {
      for (int c = 0; c < classes; ++c) {
        const double diff = double(h(n, c)) - (c == y(n) ? 1.0 : 0.0);
        sum += 0.5 * diff * diff;
      }
    }
    return sum;
  }
  void gradient(const Mat<T>& h, const Eigen::VectorXi& y, int classes, Mat<T>& D) const override {
    D.setZero(h.rows(), h.cols());
    D.leftCols(classes) = h.leftCols(classes);
    for (Eigen::Index n = 0; n < h.rows(); ++n) D(n, y(n)) -= T(1);
  }
  // l(0, y) = 1/2 ||onehot(y)||^2
  double zero_output_loss(int /*classes*/) const override { return 0.5; }
};

// l = -log softmax(h_C)_y,  dl/dh_C = softmax(h_C) - onehot(y)
template <class T>
class CrossEntropyLoss : public OutputLoss<T> {
 public:
  std::string name() const override { return "cross_entropy"; }
  double total(const Mat<T>& h, const Eigen::VectorXi& y, int classes) const override {
    double sum = 0.0;
    for (Eigen::Index n = 0; n < h.rows(); ++n) {
      const auto z = h.row(n).head(classes).template cast<double>();
      const double zmax = z.maxCoeff();
      const double log_norm = zmax + std::log((z.array() - zmax).exp().sum());
      sum += log_norm - z(y(n));
    }
    return sum;
  }
  void gradient(const Mat<T>& h, const Eigen::VectorXi& y, int classes, Mat<T>& D) const override {
    D.setZero(h.rows(), h.cols());
    for (Eigen::Index n = 0; n < h.rows(); ++n) {
      auto p = D.row(n).head(classes);
      p = (h.row(n).head(classes).array() - h.row(n).head(classes).maxCoeff()).exp().matrix();
      p /= p.sum();
      p(y(n)) -= T(1);
    }
  }
  // l(0, y) = -log(1 / C)
  double zero_output_loss(int classes) const override { return std::log(double(classes)); }
};

template <class T>
using LossFactory = std::function<std::unique_ptr<OutputLoss<T>>()>;

// The one place a loss kind is added.
template <class T>
const Registry<LossFactory<T>>& registry() {
  static const Registry<LossFactory<T>> kinds(
      "loss", {
                  {"mse", [] { return std::make_unique<MseLoss<T>>(); }},
                  {"cross_entropy", [] { return std::make_unique<CrossEntropyLoss<T>>(); }},
              });
  return kinds;
}

}  // namespace

std::vector<std::string> output_loss_names() { return registry<double>().names(); }

template <class T>
std::unique_ptr<OutputLoss<T>> make_output_loss(const std::string& name) {
  return registry<T>().at(name)();
}

template <class T>
long long count_correct(const Mat<T>& h, const Eigen::VectorXi& y, int classes) {
  long long correct = 0;
  for (Eigen::Index n = 0; n < h.rows(); ++n) {
    Eigen::Index best = 0;
    h.row(n).head(classes).maxCoeff(&best);
    correct += best == y(n);
  }
  return correct;
}

template <class T>
long long count_top_k(const Mat<T>& h, const Eigen::VectorXi& y, int classes, int k) {
  long long hits = 0;
  for (Eigen::Index n = 0; n < h.rows(); ++n) {
    const T label_value = h(n, y(n));
    // The label is in the top k when fewer than k units beat it (ties count for the label).
    int above = 0;
    for (int c = 0; c < classes; ++c) above += h(n, c) > label_value;
    hits += above < k;
  }
  return hits;
}

template std::unique_ptr<OutputLoss<double>> make_output_loss<double>(const std::string&);
template std::unique_ptr<OutputLoss<float>> make_output_loss<float>(const std::string&);
template long long count_correct<double>(const Mat<double>&, const Eigen::VectorXi&, int);
template long long count_correct<float>(const Mat<float>&, const Eigen::VectorXi&, int);
template long long count_top_k<double>(const Mat<double>&, const Eigen::VectorXi&, int, int);
template long long count_top_k<float>(const Mat<float>&, const Eigen::VectorXi&, int, int);

}  // namespace gaitsim
