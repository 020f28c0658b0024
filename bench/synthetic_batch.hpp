#pragma once
// Synthetic batches with labels 0, 1, .., classes - 1, 0, ..: what the benchmarks train on (the
// time and memory of a step do not depend on the values). Inputs standard normal
// (synthetic_batch) or uniform rates in [0, 1) (synthetic_rate_batch); both from seed 7.
#include <random>

#include "neurons/types.hpp"

namespace gaitsim::bench {

template <class T>
struct SyntheticBatch {
  Mat<T> x;
  Eigen::VectorXi y;
};

template <class T, class Distribution>
SyntheticBatch<T> draw_batch(Eigen::Index batch, int input, int classes, Distribution d) {
  std::mt19937_64 rng(7);
  SyntheticBatch<T> b;
  b.x = Mat<double>::NullaryExpr(batch, input, [&] { return d(rng); }).template cast<T>();
  b.y.resize(batch);
  for (Eigen::Index n = 0; n < batch; ++n) b.y(n) = int(n % classes);
  return b;
}

template <class T>
SyntheticBatch<T> synthetic_batch(Eigen::Index batch, int input, int classes) {
  return draw_batch<T>(batch, input, classes, std::normal_distribution<double>(0, 1));
}

template <class T>
SyntheticBatch<T> synthetic_rate_batch(Eigen::Index batch, int input, int classes) {
  return draw_batch<T>(batch, input, classes, std::uniform_real_distribution<double>(0, 1));
}

}  // namespace gaitsim::bench
