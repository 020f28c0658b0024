#include "analysis/vector_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gaitsim::analysis {

double detail::cosine_from_sums(double dot, double squared_norm_a, double squared_norm_b) {
  if (squared_norm_a == 0 || squared_norm_b == 0) return 0;
  // Dividing by each norm in turn avoids underflow of their product for tiny vectors.
  return std::clamp(dot / std::sqrt(squared_norm_a) / std::sqrt(squared_norm_b), -1.0, 1.0);
}

double angle_degrees(double cosine) {
  // std::clamp passes NaN through, as the header promises.
  return std::acos(std::clamp(cosine, -1.0, 1.0)) * 180.0 / std::numbers::pi;
}

}  // namespace gaitsim::analysis
