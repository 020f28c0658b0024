// Dale's principle in its dann form (biology.md 2): every layer has linear feedforward inhibitory
// interneurons, W = W^EE - W^IE W^EI with non-negative components. BP's component updates are
// the derivatives of the effective network's loss; no component weight is ever negative; the
// effective W is always W^EE - W^IE W^EI, bitwise, also after a run file round trip and resume;
// bad combinations are refused naming the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "analysis/run_file.hpp"
#include "test_nets.hpp"

namespace gaitsim {
namespace {

using testing::config_of;
using testing::NetSpec;
using testing::random_batch;

// A tower net 24 -> 24 -> 16 -> 12 (layers 2 and 3 inverted under gait/tp), orthogonality on.
Config dann_config(const std::string& algorithm, const std::string& mode, double p = 1.0) {
  NetSpec s;
  s.kind = "tower";
  s.widths = {24, 24, 16, 12};
  s.algorithm = algorithm;
  s.seed = 5;
  Config c = config_of(s);
  c.learning.ortho_reg = 0.1;
  c.learning.learning_rate = 1e-3;
  c.dynamics.mode = mode;
  c.network.connection_prob = p;
  c.network.dale = "dann";
  c.network.inhibitory_fraction = 0.1;
  return c;
}

template <class T>
Engine<T> engine_for(const Config& c) {
  const Network<double> net = build_network(c, 24, 10);
  return Engine<T>(net.template cast<T>(), c.learning, feedback_seed(c.network), c.dynamics);
}

template <class T>
Mat<T> effective(const DannWeights<T>& d) {
  Mat<T> W;
  d.effective(W);
  return W;
}

TEST(DannInit, TheEffectiveWeightsAreThePlainNetsAndEveryComponentIsNonNegative) {
  Config plain_c = dann_config("gait", "algebraic");
  plain_c.network.dale = "off";
  const Network<double> plain = build_network(plain_c, 24, 10);
  const Network<double> net = build_network(dann_config("gait", "algebraic"), 24, 10);
  for (int l = 1; l <= 3; ++l) {
    const auto& in = net.layer(l).in;
    ASSERT_TRUE(in.dann) << l;
    // n_I = ceil(0.1 n_l): 3, 2, 2
    EXPECT_EQ(in.dann->interneurons(), l == 1 ? 3 : 2) << l;
    for (const Mat<double>* X : {&in.dann->EE, &in.dann->IE, &in.dann->EI}) {
      EXPECT_GE(X->minCoeff(), 0.0) << l;
    }
    EXPECT_EQ(in.W, effective(*in.dann)) << l;  // bitwise: W is what the components give
    // W^EE = V + P, W = W^EE - P: V up to the rounding of entries of size P
    const double P = (in.dann->IE * in.dann->EI).maxCoeff();
    EXPECT_LT((in.W - plain.layer(l).in.W).cwiseAbs().maxCoeff(), 8 * 2.3e-16 * P) << l;
    // inhibition balances excitation: the mean excitatory weight is the mean inhibitory one
    EXPECT_NEAR(in.dann->EE.mean(), (in.dann->IE * in.dann->EI).mean(), 0.1 * P) << l;
  }
}

// With a mask W^EE is 0 off the mask, and the effective W has the masked plain net's norm.
TEST(DannInit, AMaskAppliesToTheExcitatoryWeights) {
  const Network<double> net = build_network(dann_config("bp", "algebraic", 0.5), 24, 10);
  Config masked_c = dann_config("bp", "algebraic", 0.5);
  masked_c.network.dale = "off";
  const Network<double> masked = build_network(masked_c, 24, 10);
  for (int l = 1; l <= 3; ++l) {
    const auto& in = net.layer(l).in;
    ASSERT_TRUE(in.mask && in.dann) << l;
    EXPECT_TRUE((!in.mask->bits()).select(in.dann->EE.array(), 0.0).isZero(0)) << l;
    EXPECT_NEAR(in.W.norm(), masked.layer(l).in.W.norm(), 1e-12 * in.W.norm()) << l;
    EXPECT_GE(in.dann->IE.minCoeff(), 0.0);
    EXPECT_GE(in.dann->EI.minCoeff(), 0.0);
  }
}

// The loss of the effective network as a function of one component entry (W recomputed).
double perturbed_loss(Engine<double>& engine, int l, Mat<double>& X, Eigen::Index i, Eigen::Index j,
                      double value, const testing::Batch& b) {
  auto& in = engine.network().layer(l).in;
  const double old = X(i, j);
  X(i, j) = value;
  in.dann->effective(in.W);
  const double loss = engine.evaluate(b.x, b.y).loss_sum / double(b.x.rows());
  X(i, j) = old;
  in.dann->effective(in.W);
  return loss;
}

// dW^EE = mean h^T e, dW^IE = -mean h^T (e W^EI^T), dW^EI = -mean z^T e are the derivatives of
// the effective network's loss with respect to each component (central differences, float64).
TEST(DannBp, ComponentUpdatesEqualCentralDifferencesOfTheLoss) {
  Config c = dann_config("bp", "algebraic");
  c.learning.ortho_reg = 0.0;
  Engine<double> engine = engine_for<double>(c);
  const auto b = random_batch(8, 24, 10, 3);
  Gradients<double> g;
  engine.updates(engine.bp(), b.x, b.y, g);
  const double h = 1e-6;
  for (int l = 1; l <= engine.network().depth(); ++l) {
    auto& in = engine.network().layer(l).in;
    DannWeights<double> dc;
    in.dann_gradients(g.dW[l], dc);
    // the interneuron form of biology.md 2 (z the interneuron rates of the free phase), which
    // the chain rule through W gives up to rounding
    const Mat<double> h_pre = engine.activity().h[l - 1].leftCols(in.W.rows());
    const Mat<double> z = in.dann->interneuron_rates(h_pre);
    const Mat<double> e = engine.signals().D[l].cwiseProduct(engine.activity().d[l]);
    const double N = double(b.x.rows());
    const Mat<double> dEI = -(z.transpose() * e) / N;
    const Mat<double> dIE = -(h_pre.transpose() * (e * in.dann->EI.transpose())) / N;
    EXPECT_LT((dEI - dc.EI).cwiseAbs().maxCoeff(), 1e-12 * (1 + dEI.cwiseAbs().maxCoeff())) << l;
    EXPECT_LT((dIE - dc.IE).cwiseAbs().maxCoeff(), 1e-12 * (1 + dIE.cwiseAbs().maxCoeff())) << l;
    for (auto [X, G, name] :
         {std::tuple{&in.dann->EE, &dc.EE, "W_EE"}, std::tuple{&in.dann->IE, &dc.IE, "W_IE"},
          std::tuple{&in.dann->EI, &dc.EI, "W_EI"}}) {
      ASSERT_EQ(G->rows(), X->rows());
      ASSERT_EQ(G->cols(), X->cols());
      for (Eigen::Index j = 0; j < X->cols(); ++j) {
        for (Eigen::Index i = 0; i < X->rows(); ++i) {
          const double w0 = (*X)(i, j);
          const double up = perturbed_loss(engine, l, *X, i, j, w0 + h, b);
          const double down = perturbed_loss(engine, l, *X, i, j, w0 - h, b);
          EXPECT_NEAR((*G)(i, j), (up - down) / (2 * h), 1e-7)
              << name << " layer " << l << " (" << i << ", " << j << ")";
        }
      }
    }
  }
}

// After many steps no component weight is negative, some were clipped, W is bitwise
// W^EE - W^IE W^EI, and the optimiser keeps state for the components, not for W.
template <class T>
void expect_components_hold(const std::string& algorithm, const std::string& mode) {
  Config c = dann_config(algorithm, mode);
  // The perturbation below moves W by W^EE's offset, so the first losses are far above
  // learning.max_loss_factor's bound on purpose: this test is about clipping, not divergence.
  c.learning.max_loss_factor = 0;
  Engine<T> engine = engine_for<T>(c);
  // Some component weights start just above 0, so that updates push some below it: every third
  // of W^IE and W^EI, every 50th of W^EE (whose entries cancel an offset: a small one moves W
  // by the offset).
  for (int l = 1; l <= engine.network().depth(); ++l) {
    auto& in = engine.network().layer(l).in;
    for (auto [X, every] : {std::pair{&in.dann->EE, 50}, {&in.dann->IE, 3}, {&in.dann->EI, 3}}) {
      for (Eigen::Index i = 0; i < X->size(); i += every) X->data()[i] = T(1e-5);
    }
    in.dann->effective(in.W);
  }
  long long clipped = 0;
  for (int step = 0; step < 60; ++step) {
    const auto b = random_batch(20, 24, 10, 100 + step);
    engine.step(b.x.cast<T>(), b.y);
    for (int l = 1; l <= engine.network().depth(); ++l) {
      const auto& in = engine.network().layer(l).in;
      for (const Mat<T>* X : {&in.dann->EE, &in.dann->IE, &in.dann->EI}) {
        ASSERT_GE(X->minCoeff(), T(0)) << algorithm << " " << mode << " step " << step;
      }
      ASSERT_EQ(in.W, effective(*in.dann)) << algorithm << " " << mode << " step " << step;
      clipped += engine.clipped_synapses()[l];
    }
  }
  EXPECT_GT(clipped, 0) << algorithm << " " << mode << ": the test must exercise the clipping";
  const OptimizerState s = engine.optimizer().state();
  EXPECT_EQ(s.tensors.count("m/W/1"), 0u);
  ASSERT_EQ(s.tensors.count("m/W_IE/2"), 1u);
  EXPECT_EQ(s.tensors.at("m/W_IE/2").cols(), 2);
}

TEST(DannTraining, NoComponentWeightIsEverNegative) {
  for (const char* mode : {"algebraic", "settle"}) {
    for (const char* rule : {"gait", "bp"}) {
      expect_components_hold<double>(rule, mode);
      expect_components_hold<float>(rule, mode);
    }
  }
  expect_components_hold<double>("tp", "algebraic");
  expect_components_hold<double>("fa", "algebraic");
}

// The weights through a run file and the optimiser state into a fresh engine: the next steps
// are bitwise those of the engine that never stopped, and W is W^EE - W^IE W^EI bitwise.
template <class T>
void expect_bitwise_resume(const std::string& optimizer) {
  SCOPED_TRACE(optimizer + (sizeof(T) == 4 ? " float32" : " float64"));
  Config c = dann_config("gait", "algebraic", 0.7);
  c.learning.optimizer = optimizer;
  // SGD on the components steps W by eta (G + W^IE W^IE^T G + G W^EI^T W^EI): the
  // interneurons' path amplifies it (docs/biology.md); at 1e-3 layer 2 is singular by step 5.
  if (optimizer == "sgd") c.learning.learning_rate = 1e-4;
  Engine<T> whole = engine_for<T>(c);
  for (int step = 0; step < 15; ++step) {
    const auto b = random_batch(20, 24, 10, 100 + step);
    ASSERT_NO_THROW(whole.step(b.x.cast<T>(), b.y)) << step;
  }
  RunRecord run;
  run.config_yaml = c.to_yaml();
  run.weights = whole.network().template cast<double>();
  run.optimizer = whole.optimizer().state();
  run.epochs.push_back({1, 1, 0.5, 1, 0.5, NAN, 1, {}, {4, 5, 6}, {}});
  run.progress = {1, 0, 15, 0, 0, 0, {1, 2, 3}, {}};
  const auto path = std::filesystem::temp_directory_path() /
                    ("gaitsim_dann_" + std::to_string(::getpid()) + ".h5");
  write_run_file(path, run);
  const RunRecord back = read_run_file(path);
  std::filesystem::remove(path);
  Engine<T> resumed(back.weights.template cast<T>(), c.learning, feedback_seed(c.network),
                    c.dynamics);
  resumed.optimizer().set_state(back.optimizer);
  for (int l = 1; l <= 3; ++l) {
    const auto& a = whole.network().layer(l).in;
    const auto& r = resumed.network().layer(l).in;
    ASSERT_TRUE(r.dann && r.mask) << l;
    EXPECT_EQ(r.W, effective(*r.dann)) << l;
    EXPECT_EQ(r.W, a.W) << l;
    EXPECT_EQ(r.dann->EE, a.dann->EE) << l;
  }
  for (int step = 15; step < 25; ++step) {
    const auto b = random_batch(20, 24, 10, 100 + step);
    whole.step(b.x.cast<T>(), b.y);
    resumed.step(b.x.cast<T>(), b.y);
  }
  for (int l = 1; l <= 3; ++l) {
    const auto& a = whole.network().layer(l).in;
    const auto& r = resumed.network().layer(l).in;
    EXPECT_EQ(r.W, a.W) << optimizer << " layer " << l;
    EXPECT_EQ(r.dann->EE, a.dann->EE) << l;
    EXPECT_EQ(r.dann->IE, a.dann->IE) << l;
    EXPECT_EQ(r.dann->EI, a.dann->EI) << l;
  }
}

TEST(DannResume, ThroughARunFileIsBitwise) {
  for (const char* optimizer : {"adam", "sgd"}) {
    expect_bitwise_resume<double>(optimizer);
    expect_bitwise_resume<float>(optimizer);
  }
}

using testing::kTower;
using testing::refusal;

TEST(DannConfig, BadCombinationsAreRefusedNamingTheKey) {
  for (const char* f : {"-0.1", "1.1", "0"}) {
    const std::string e =
        refusal(kTower, {"network.dale=dann", std::string("network.inhibitory_fraction=") + f});
    EXPECT_NE(e.find("network.inhibitory_fraction"), std::string::npos) << f << ": " << e;
  }
  const std::string cnn =
      "network:\n  kind: cnn\n  input: [1, 4, 6]\n  layers: [{conv: {filters: 2, kernel: 2, "
      "stride: 2}}, {dense: {units: 10}}]\n";
  const std::string e = refusal(cnn, {"network.dale=dann"});
  EXPECT_NE(e.find("network.dale"), std::string::npos) << e;
  EXPECT_NE(e.find("network.layers[0]"), std::string::npos) << e;
  EXPECT_EQ(refusal(kTower, {"network.dale=dann", "network.connection_prob=0.5"}), "");
}

// inhibitory_fraction left unset: 0.1 under dann, 0.2 under sign; the value taken is written
// into the run's config text, so a resumed run reads the same.
TEST(DannConfig, TheUnsetFractionDependsOnTheForm) {
  const Config dann = parse_config(kTower, "c.yaml", {"network.dale=dann"});
  EXPECT_EQ(dann.network.inhibitory_fraction, 0.1);
  EXPECT_EQ(parse_config(dann.to_yaml(), "again.yaml", {}).network.inhibitory_fraction, 0.1);
  EXPECT_EQ(parse_config(kTower, "c.yaml", {"network.dale=sign"}).network.inhibitory_fraction, 0.2);
  const Config set =
      parse_config(kTower, "c.yaml", {"network.dale=dann", "network.inhibitory_fraction=0.5"});
  EXPECT_EQ(set.network.inhibitory_fraction, 0.5);
  // 0.2 given under dann is the sign form's default, not dann's: it must survive the text.
  const Config sign_default =
      parse_config(kTower, "c.yaml", {"network.dale=dann", "network.inhibitory_fraction=0.2"});
  EXPECT_EQ(parse_config(sign_default.to_yaml(), "again.yaml", {}).network.inhibitory_fraction,
            0.2);
  const Network<double> net = build_network(set, 24, 10);
  EXPECT_EQ(net.layer(1).in.dann->interneurons(), 12);  // ceil(0.5 x 24)
}

}  // namespace
}  // namespace gaitsim
