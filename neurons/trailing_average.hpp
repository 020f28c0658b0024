#pragma once
// The time average of a settling state over the last `window_ms` of a phase (dynamics.average_ms;
// biology.md 4): plasticity then reads x_bar = sum_k h_k x_k / sum_k h_k over the last steps k
// whose lengths h_k add up to at most the window (at least the last step), each state x_k standing
// for the step that ended at it. Averaging an Ornstein-Uhlenbeck state of stationary variance
// sigma^2 and correlation time tau over T >> tau leaves a variance of about 2 sigma^2 tau / T.
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

namespace gaitsim {

template <class T>
class TrailingAverage {
 public:
  explicit TrailingAverage(double window_ms) : window_(window_ms) {}

  // The state after a step of length h [ms]; drops the oldest steps that no longer fit.
  void push(double h, const std::vector<T>& state) {
    steps_.emplace_back(h, state);
    total_ += h;
    while (steps_.size() > 1 && total_ > window_ * (1 + 1e-12)) {
      total_ -= steps_.front().first;
      steps_.pop_front();
    }
  }
  std::size_t samples() const { return steps_.size(); }

  // x_bar into out (unchanged when nothing was pushed).
  void mean(std::vector<T>& out) const {
    if (steps_.empty()) return;
    out.assign(steps_.back().second.size(), T(0));
    for (const auto& [h, x] : steps_) {
      const T w = T(h / total_);
      for (std::size_t i = 0; i < x.size(); ++i) out[i] += w * x[i];
    }
  }

 private:
  double window_;  // [ms]
  std::deque<std::pair<double, std::vector<T>>> steps_;
  double total_ = 0;  // sum of the kept steps' lengths [ms]
};

}  // namespace gaitsim
