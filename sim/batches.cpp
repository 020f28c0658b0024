#include "sim/batches.hpp"

#include <numeric>
#include <random>

namespace gaitsim {

// Fisher-Yates with our own index draw: std::shuffle's use of the engine is unspecified, so
// orders would differ between standard libraries.
std::vector<Eigen::Index> epoch_order(Eigen::Index examples, std::uint64_t seed, int epoch) {
  std::vector<Eigen::Index> order(examples);
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(epoch) + 1);
  for (Eigen::Index i = examples - 1; i > 0; --i) {
    const auto j = static_cast<Eigen::Index>(rng() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace gaitsim
