#include "neurons/connection_mask.hpp"

#include <cassert>

namespace gaitsim {

ConnectionMask ConnectionMask::random(Eigen::Index rows, Eigen::Index cols, double p,
                                      std::mt19937_64& rng) {
  assert(p > 0.0 && p <= 1.0 && rows > 0 && cols > 0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Bits present(rows, cols);
  // Column by column (Eigen's storage order), so the draw order is fixed by the shape alone.
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) present(i, j) = uniform(rng) < p;
  }
  std::uniform_int_distribution<Eigen::Index> row(0, rows - 1);
  for (Eigen::Index j = 0; j < cols; ++j) {
    if (!present.col(j).any()) present(row(rng), j) = true;
  }
  return ConnectionMask(std::move(present));
}

}  // namespace gaitsim
