#pragma once
// Noise in the rates (biology.md 4; docs/biology.md, "Noise in the rates"): independent standard
// normal draws xi for a population's state, added by the phases (sim/phases.hpp,
// sim/settling_phases.cpp):
//   settle, Euler-Maruyama:  a += dt/tau (drive - a) + sigma sqrt(2 dt / tau) xi
//   algebraic:               a_l = h_{l-1} W_l + b_l + sigma xi  (free phase),
//                            t_l = t_l + sigma xi, i.e. D_l += mult_l sigma xi  (target phase).
// Draws are counter-based: each (step, layer, phase, tick) has its own engine, seeded from
// network.seed, noise.seed and the replica's stream, so a resumed run draws what the
// uninterrupted one drew, whatever the thread count, and a draw never shifts another.
#include <cstdint>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

struct RateNoiseParams {
  double rate_std = 0.0;           // sigma, stationary std of a population's state [rate units]
  std::uint64_t network_seed = 1;  // network.seed: each network seed has its own noise [1]
  std::uint64_t noise_seed = 0;    // noise.seed: another realisation for the same network [1]
  std::uint64_t stream = 0;        // replica rank: processes sharing a batch draw apart [1]
};

enum class NoisePhase : std::uint64_t { kFree = 1, kTarget = 2 };

// Where a draw belongs: the global training step, population l, the phase and, in settle mode,
// the integrator step within the phase (tick; 0 in algebraic mode).
struct NoiseKey {
  long long step = 0;
  int layer = 0;
  NoisePhase phase = NoisePhase::kFree;
  long long tick = 0;
};

class RateNoise {
 public:
  RateNoise() = default;
  // Throws std::invalid_argument for a negative or non-finite rate_std.
  explicit RateNoise(const RateNoiseParams& params);
  bool on() const { return params_.rate_std > 0; }
  double sigma() const { return params_.rate_std; }
  // The global step whose draws the next phases take.
  void set_step(long long step) { step_ = step; }
  long long step() const { return step_; }

  // rows x cols standard normal draws of `key` (column-major).
  void standard_normal(const NoiseKey& key, Eigen::Index rows, Eigen::Index cols,
                       std::vector<double>& out) const;

  // x(i, j) += scale * row_scale(i) * sigma * xi(i, j) (row_scale null: 1), with the draws of
  // (step(), layer, phase, tick). The draws are made in double, so both precisions see the same
  // numbers up to rounding.
  template <class T, class Derived>
  void add(int layer, NoisePhase phase, long long tick, Eigen::MatrixBase<Derived>& x, double scale,
           const ColVec<T>* row_scale = nullptr) const {
    standard_normal({step_, layer, phase, tick}, x.rows(), x.cols(), draws_);
    const double s = scale * params_.rate_std;
    std::size_t k = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      for (Eigen::Index i = 0; i < x.rows(); ++i, ++k) {
        const double r = row_scale == nullptr ? 1.0 : double((*row_scale)(i));
        x(i, j) += T(s * r * draws_[k]);
      }
    }
  }

 private:
  RateNoiseParams params_;
  long long step_ = 0;
  mutable std::vector<double> draws_;
};

}  // namespace gaitsim
