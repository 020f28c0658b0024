#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {

// A labelled set of examples, one per row of x.
struct Dataset {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x;  // N x d, pixel/255
  Eigen::VectorXi y;  // N labels in [0, classes)
  int classes = 0;
  std::array<int, 3> shape{};  // C, H, W of one example; x columns are in this order

  std::size_t size() const;
};

struct DataSplit {
  Dataset train, test;
};

}  // namespace gaitsim::datasets
