// Feedback alignment against what it must be: BP's update with the fixed random orthogonal B_l
// (drawn from the feedback seed, one per layer l = 2..L, of W_l's shape) in place of W_l, by an
// independent implementation; and FA's known behaviour (Lillicrap et al. 2016): on a small dense
// net trained by SGD the loss falls and the hidden update comes to within 90 degrees of BP's.
// Why FA does not learn on the NeurIPS 2020 tower: docs/studies.md, "Study 3".
#include <gtest/gtest.h>

#include "../sim/test_nets.hpp"
#include "analysis/vector_stats.hpp"
#include "sim/alignment.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

// The update of a rule whose layer l carries e_l down by F[l] (written out here, apart from
// plasticity/): D_L = h_L - onehot on the class units (mse), e_l = D_l * d_l,
// D_{l-1}[:, :k] = e_l F_l^T with the auxiliary units of l-1 at 0, dW_l = mean_n h_{l-1}[:, :k]^T
// e_l, db_l = mean_n e_l, with k = rows of W_l (the units of l-1 that layer l reads).
Gradients<double> updates_by_hand(const Network<double>& net, const Batch& b,
                                  const std::vector<Mat<double>>& F) {
  Activity<double> act;
  net.forward(b.x, act);
  const int L = net.depth();
  const auto N = double(b.x.rows());
  Gradients<double> g;
  g.dW.resize(L + 1);
  g.db.resize(L + 1);
  Mat<double> D = Mat<double>::Zero(act.h[L].rows(), act.h[L].cols());
  D.leftCols(net.classes) = act.h[L].leftCols(net.classes);
  for (Eigen::Index n = 0; n < b.x.rows(); ++n) D(n, b.y(n)) -= 1.0;
  for (int l = L; l >= 1; --l) {
    const Mat<double> e = D.cwiseProduct(act.d[l]);
    const Eigen::Index k = net.layer(l).in.W.rows();
    g.dW[l] = act.h[l - 1].leftCols(k).transpose() * e / N;
    g.db[l] = e.colwise().sum() / N;
    if (l == 1) break;
    D = Mat<double>::Zero(act.h[l - 1].rows(), act.h[l - 1].cols());
    D.leftCols(k) = e * F[l].transpose();
  }
  return g;
}

// B_l as design.md says FA draws it: random orthogonal of W_l's shape, l = 2..L in order, from
// one generator seeded by the feedback seed.
std::vector<Mat<double>> feedback_weights(const Network<double>& net, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Mat<double>> B(net.depth() + 1);
  for (int l = 2; l <= net.depth(); ++l) {
    const Mat<double>& W = net.layer(l).in.W;
    B[l] = random_orthogonal(W.rows(), W.cols(), rng);
  }
  return B;
}

std::vector<Mat<double>> forward_weights(const Network<double>& net) {
  std::vector<Mat<double>> W(net.depth() + 1);
  for (int l = 2; l <= net.depth(); ++l) W[l] = net.layer(l).in.W;
  return W;
}

void expect_equal(const Gradients<double>& got, const Gradients<double>& want, int L,
                  const char* what) {
  for (int l = 1; l <= L; ++l) {
    EXPECT_LT((got.dW[l] - want.dW[l]).norm(), 1e-12 * want.dW[l].norm()) << what << " W_" << l;
    EXPECT_LT((got.db[l] - want.db[l]).norm(), 1e-12 * want.db[l].norm() + 1e-15)
        << what << " b_" << l;
  }
}

NetSpec fa_spec(const std::string& kind) {
  NetSpec s;
  s.kind = kind;
  // tower: layers 2..4 read the first 9, 7, 5 units below; the output has an auxiliary unit.
  // dense: non-square layers, so that B_l and B_l^T cannot be confused.
  s.widths = kind == "tower" ? std::vector<int>{12, 12, 9, 7, 5} : std::vector<int>{9, 7, 6, 5};
  s.algorithm = "fa";
  s.classes = 4;
  return s;
}

TEST(FeedbackAlignment, UpdateIsBpsWithTheFixedOrthogonalFeedbackInPlaceOfW) {
  for (const char* kind : {"tower", "dense"}) {
    const NetSpec s = fa_spec(kind);
    const Network<double> net = testing::gaussian_net(s);
    auto engine = testing::engine_of(s, net);  // feedback seed 5
    const Batch b = testing::random_batch(7, testing::input_width(s), s.classes);
    Gradients<double> fa, bp;
    engine.updates(engine.rule(), b.x, b.y, fa);
    engine.updates(engine.bp(), b.x, b.y, bp);
    expect_equal(bp, updates_by_hand(net, b, forward_weights(net)), net.depth(), kind);
    expect_equal(fa, updates_by_hand(net, b, feedback_weights(net, 5)), net.depth(), kind);
    // The output layer's update is the true gradient under FA too.
    const int L = net.depth();
    EXPECT_LT((fa.dW[L] - bp.dW[L]).norm(), 1e-12 * bp.dW[L].norm()) << kind;
  }
}

// A linearly separable task: labels are the argmax of a fixed random linear map of the input.
Batch teacher_batch(int n, int width, int classes) {
  Batch b = testing::random_batch(n, width, classes, 21);
  std::mt19937_64 rng(22);
  std::normal_distribution<double> normal(0.0, 1.0);
  const Mat<double> V = Mat<double>::NullaryExpr(width, classes, [&] { return normal(rng); });
  const Mat<double> z = (b.x.rowwise() - b.x.colwise().mean()) * V;
  for (Eigen::Index i = 0; i < b.x.rows(); ++i) z.row(i).maxCoeff(&b.y(i));
  return b;
}

TEST(FeedbackAlignment, SgdOnASmallDenseNetReducesTheLossAndAlignsWithBp) {
  NetSpec s;
  s.kind = "dense";
  s.widths = {16, 48, 4};
  s.algorithm = "fa";
  s.classes = 4;
  Config c = testing::config_of(s);
  c.learning.optimizer = "sgd";
  c.learning.learning_rate = 0.1;
  Engine<double> engine(testing::orthogonal_net(s), c.learning, 5);
  const Batch b = teacher_batch(128, 16, 4);
  const double first = engine.evaluate(b.x, b.y).loss_sum;
  const double angle0 = measure_alignment(engine, b.x, b.y).layers[0].angle_deg;
  for (int step = 0; step < 200; ++step) engine.step(b.x, b.y);
  const double last = engine.evaluate(b.x, b.y).loss_sum;
  const double angle = measure_alignment(engine, b.x, b.y).layers[0].angle_deg;
  EXPECT_LT(last, 0.5 * first) << "loss " << first << " -> " << last;
  // Alignment: W_L comes to agree with B_L, so the hidden update's angle to BP falls well below
  // 90 degrees, whatever it started at (for this draw of B, above 90).
  EXPECT_LT(angle, 80.0) << "started at " << angle0;
}

}  // namespace
}  // namespace gaitsim
