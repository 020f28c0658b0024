#include "neurons/rate_noise.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace gaitsim {

namespace {
// Tags the noise's seed sequences apart from every other stream drawn from network.seed.
constexpr std::uint64_t kNoiseTag = 0x6e6f697365ULL;  // "noise"
}  // namespace

RateNoise::RateNoise(const RateNoiseParams& params) : params_(params) {
  if (!(params.rate_std >= 0) || !std::isfinite(params.rate_std)) {
    throw std::invalid_argument("noise.rate_std = " + std::to_string(params.rate_std) +
                                ": expected a finite value >= 0");
  }
}

void RateNoise::standard_normal(const NoiseKey& key, Eigen::Index rows, Eigen::Index cols,
                                std::vector<double>& out) const {
  std::seed_seq seq{kNoiseTag,
                    params_.network_seed,
                    params_.noise_seed,
                    params_.stream,
                    static_cast<std::uint64_t>(key.step),
                    static_cast<std::uint64_t>(key.layer),
                    static_cast<std::uint64_t>(key.phase),
                    static_cast<std::uint64_t>(key.tick)};
  std::mt19937_64 rng(seq);
  std::normal_distribution<double> normal(0.0, 1.0);
  out.resize(static_cast<std::size_t>(rows * cols));
  for (double& z : out) z = normal(rng);
}

}  // namespace gaitsim
