#include "datasets/preprocessing.hpp"

#include <stdexcept>
#include <string>

namespace gaitsim::datasets {

void normalise_per_channel(Dataset& data, const std::vector<float>& mean,
                           const std::vector<float>& stddev) {
  const auto channels = static_cast<std::size_t>(data.shape[0]);
  if (mean.size() != channels || stddev.size() != channels) {
    throw std::invalid_argument("normalise_per_channel: expected " + std::to_string(channels) +
                                " mean and stddev values, found " + std::to_string(mean.size()) +
                                " and " + std::to_string(stddev.size()));
  }
  const Eigen::Index plane = static_cast<Eigen::Index>(data.shape[1]) * data.shape[2];
  for (std::size_t c = 0; c < channels; ++c) {
    if (!(stddev[c] > 0.0f)) {
      throw std::invalid_argument("normalise_per_channel: stddev for channel " + std::to_string(c) +
                                  " must be positive, found " + std::to_string(stddev[c]));
    }
    auto block = data.x.middleCols(static_cast<Eigen::Index>(c) * plane, plane);
    block.array() = (block.array() - mean[c]) / stddev[c];
  }
}

}  // namespace gaitsim::datasets
