#pragma once
// A batch of standard-normal inputs with labels 0, 1, .., classes - 1, 0, ..: what the
// benchmarks train on (the time and memory of a step do not depend on the values).
#include <random>

#include "neurons/types.hpp"

namespace gaitsim::bench {

template <class T>
struct SyntheticBatch {
  Mat<T> x;
  Eigen::VectorXi y;
};

template <class T>
SyntheticBatch<T> synthetic_batch(Eigen::Index batch, int input, int classes) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1);
  SyntheticBatch<T> b;
  b.x = Mat<double>::NullaryExpr(batch, input, [&] { return normal(rng); }).template cast<T>();
  b.y.resize(batch);
  for (Eigen::Index n = 0; n < batch; ++n) b.y(n) = int(n % classes);
  return b;
}

}  // namespace gaitsim::bench
