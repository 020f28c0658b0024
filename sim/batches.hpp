#pragma once
// Mini-batches: the order of an epoch is a permutation drawn from (seed, epoch) alone, so a
// resumed run visits the same examples in the same order as an uninterrupted one. Training
// reads them through datasets::BatchStream; gather() reads one batch directly.
#include <cstdint>
#include <span>
#include <vector>

#include "datasets/batch_source.hpp"
#include "datasets/dataset.hpp"
#include "neurons/types.hpp"

namespace gaitsim {

std::vector<Eigen::Index> epoch_order(Eigen::Index examples, std::uint64_t seed, int epoch);

// Examples order[begin..end) of a batch source, in precision T.
template <class T>
void gather(const datasets::BatchSource& source, const std::vector<Eigen::Index>& order,
            Eigen::Index begin, Eigen::Index end, Mat<T>& x, Eigen::VectorXi& y) {
  datasets::Features features;
  source.read(std::span(order).subspan(std::size_t(begin), std::size_t(end - begin)), features, y);
  x = features.template cast<T>();
}

// The first n rows, in order.
template <class T>
void first_rows(const datasets::Dataset& data, Eigen::Index n, Mat<T>& x, Eigen::VectorXi& y) {
  x = data.x.topRows(n).template cast<T>();
  y = data.y.head(n);
}

}  // namespace gaitsim
