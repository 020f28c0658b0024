#pragma once
// Mini-batches: the order of an epoch is a permutation drawn from (seed, epoch) alone, so a
// resumed run visits the same examples in the same order as an uninterrupted one.
#include <cstdint>
#include <vector>

#include "datasets/dataset.hpp"
#include "neurons/types.hpp"

namespace gaitsim {

std::vector<Eigen::Index> epoch_order(Eigen::Index examples, std::uint64_t seed, int epoch);

// Rows order[begin..end) of the dataset, in precision T.
template <class T>
void gather(const datasets::Dataset& data, const std::vector<Eigen::Index>& order,
            Eigen::Index begin, Eigen::Index end, Mat<T>& x, Eigen::VectorXi& y) {
  x.resize(end - begin, data.x.cols());
  y.resize(end - begin);
  for (Eigen::Index i = begin; i < end; ++i) {
    x.row(i - begin) = data.x.row(order[i]).template cast<T>();
    y(i - begin) = data.y(order[i]);
  }
}

// The first n rows, in order.
template <class T>
void first_rows(const datasets::Dataset& data, Eigen::Index n, Mat<T>& x, Eigen::VectorXi& y) {
  x = data.x.topRows(n).template cast<T>();
  y = data.y.head(n);
}

}  // namespace gaitsim
