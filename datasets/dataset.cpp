#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

std::size_t Dataset::size() const { return static_cast<std::size_t>(y.size()); }

}  // namespace gaitsim::datasets
