#include "neurons/presynaptic_signs.hpp"

#include <cassert>
#include <cmath>
#include <numeric>
#include <vector>

namespace gaitsim {

PresynapticSigns PresynapticSigns::random(Eigen::Index rows, double inhibitory_fraction,
                                          std::mt19937_64& rng) {
  assert(rows > 0 && inhibitory_fraction >= 0.0 && inhibitory_fraction <= 1.0);
  const auto inhibitory = static_cast<Eigen::Index>(std::ceil(inhibitory_fraction * double(rows)));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(rows));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  // Our own Fisher-Yates (std::shuffle's draws are not specified): the first `inhibitory`
  // entries of the permutation are the inhibitory units.
  for (Eigen::Index i = rows - 1; i > 0; --i) {
    std::uniform_int_distribution<Eigen::Index> pick(0, i);
    std::swap(order[std::size_t(i)], order[std::size_t(pick(rng))]);
  }
  Signs s = Signs::Ones(rows);
  for (Eigen::Index k = 0; k < inhibitory; ++k) s(order[std::size_t(k)]) = -1;
  return PresynapticSigns(std::move(s));
}

}  // namespace gaitsim
