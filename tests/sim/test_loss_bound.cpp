// learning.max_loss_factor: a step whose batch-mean loss exceeds the factor times the loss of a
// zero output (mse: 1/2, cross_entropy: log C) diverges like a non-finite one, weights untouched.
// Regression: FA on the tower blew the activity and loss up to 10^3-10^5 per sample while every
// value stayed finite, so the run went on to its end (docs/studies.md, "Study 3").
#include <gtest/gtest.h>

#include <cmath>

#include "test_nets.hpp"

namespace gaitsim {
namespace {

using testing::Batch;
using testing::NetSpec;

NetSpec spec_of(const std::string& loss) {
  NetSpec s;
  s.kind = "dense";
  s.widths = {8, 6, 4};
  s.algorithm = "fa";
  s.loss = loss;
  s.classes = 4;
  return s;
}

// The zero output's loss, from the definitions of the losses (not from OutputLoss).
double zero_output_loss(const std::string& loss, int classes) {
  return loss == "mse" ? 0.5 : std::log(double(classes));
}

Engine<double> engine_with(const NetSpec& s, const Network<double>& net, double factor) {
  Config c = testing::config_of(s);
  c.learning.max_loss_factor = factor;
  return Engine<double>(net, c.learning, 5);
}

bool same_weights(const Network<double>& a, const Network<double>& b) {
  for (int l = 1; l <= a.depth(); ++l) {
    if (a.layer(l).in.W != b.layer(l).in.W || a.layer(l).in.b != b.layer(l).in.b) return false;
  }
  return true;
}

TEST(LossBound, StepDivergesJustAboveTheBoundAndNotBelow) {
  for (const std::string loss : {"mse", "cross_entropy"}) {
    const NetSpec s = spec_of(loss);
    const Network<double> net = testing::gaussian_net(s);
    const Batch b = testing::random_batch(9, 8, s.classes);
    const double per_sample =
        engine_with(s, net, 0).evaluate(b.x, b.y).loss_sum / double(b.x.rows());
    const double factor = per_sample / zero_output_loss(loss, s.classes);

    auto below = engine_with(s, net, 0.99 * factor);
    EXPECT_THROW(below.step(b.x, b.y), Divergence) << loss;
    EXPECT_TRUE(same_weights(below.network(), net)) << loss;

    auto above = engine_with(s, net, 1.01 * factor);
    EXPECT_NO_THROW(above.step(b.x, b.y)) << loss;
    EXPECT_FALSE(same_weights(above.network(), net)) << loss;
  }
}

// Output weights 100 times too large: a finite loss far above 100 zero outputs' stops a run with
// the default factor, and does not with the bound off.
TEST(LossBound, FiniteBlowUpStopsTrainingByDefault) {
  const NetSpec s = spec_of("mse");
  Network<double> net = testing::gaussian_net(s);
  net.layers.back().in.W *= 100.0;
  const Batch b = testing::random_batch(9, 8, s.classes);
  auto by_default = testing::engine_of(s, net);
  const double per_sample = by_default.evaluate(b.x, b.y).loss_sum / double(b.x.rows());
  ASSERT_TRUE(std::isfinite(per_sample));
  ASSERT_GT(per_sample, LearningConfig{}.max_loss_factor * 0.5);
  EXPECT_THROW(by_default.step(b.x, b.y), Divergence);
  auto off = engine_with(s, net, 0);
  EXPECT_NO_THROW(off.step(b.x, b.y));
}

}  // namespace
}  // namespace gaitsim
