#pragma once

#include <vector>

#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

// x <- (x - mean[c]) / stddev[c] for each channel c of data.shape. Throws std::invalid_argument if
// mean/stddev do not have one entry per channel or a stddev is not positive.
void normalise_per_channel(Dataset& data, const std::vector<float>& mean,
                           const std::vector<float>& stddev);

}  // namespace gaitsim::datasets
