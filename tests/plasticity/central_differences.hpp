#pragma once
// BP's gradients against central differences of the batch loss, shared by the dense and the
// conv rule tests.
#include <gtest/gtest.h>

#include "../sim/test_nets.hpp"

namespace gaitsim::testing {

// Mean per-sample loss of the batch under the engine's current weights.
inline double batch_loss(Engine<double>& engine, const Batch& b) {
  return engine.evaluate(b.x, b.y).loss_sum / double(b.x.rows());
}

// Which entries are checked: every `rows`-th row and `cols`-th column of each W, every
// `bias`-th entry of each b (all of them would make the conv test slow).
struct FdStride {
  Eigen::Index rows = 1, cols = 1, bias = 1;
};

// Expects g (BP's dW, db on batch b) to equal (loss(w + h) - loss(w - h)) / 2h, h = 1e-6, to
// 1e-7, weight by weight; the engine's weights are restored after each probe.
inline void expect_central_differences(Engine<double>& engine, const Batch& b,
                                       const Gradients<double>& g, FdStride stride) {
  const double h = 1e-6;
  // (loss(x + h) - loss(x - h)) / 2h for one parameter x of the network
  const auto derivative = [&](double& x) {
    const double x0 = x;
    x = x0 + h;
    const double up = batch_loss(engine, b);
    x = x0 - h;
    const double down = batch_loss(engine, b);
    x = x0;
    return (up - down) / (2 * h);
  };
  for (int l = 1; l <= engine.network().depth(); ++l) {
    Mat<double>& W = engine.network().layer(l).in.W;
    for (Eigen::Index i = 0; i < W.rows(); i += stride.rows) {
      for (Eigen::Index j = 0; j < W.cols(); j += stride.cols) {
        EXPECT_NEAR(g.dW[l](i, j), derivative(W(i, j)), 1e-7) << "layer " << l;
      }
    }
    RowVec<double>& bias = engine.network().layer(l).in.b;
    for (Eigen::Index j = 0; j < bias.size(); j += stride.bias) {
      EXPECT_NEAR(g.db[l](j), derivative(bias(j)), 1e-7) << "layer " << l;
    }
  }
}

}  // namespace gaitsim::testing
