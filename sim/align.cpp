#include "sim/align.hpp"

#include "analysis/atomic_file.hpp"
#include "analysis/run_file.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/alignment.hpp"
#include "sim/batches.hpp"
#include "sim/feedback_checkpoint.hpp"
#include "sim/network_builder.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

template <class T>
void write_dump(const fs::path& path, const Config& c, const Network<T>& net, const Mat<T>& x,
                const Eigen::VectorXi& y, const AlignmentResult<T>& result,
                const LearnedFeedback<T>* feedback) {
  h5::AtomicWriter writer(path);
  h5::File& f = writer.file();
  f.set_attr("/", "algorithm", c.learning.algorithm);
  f.set_attr("/", "gamma", c.learning.gamma);
  f.set_attr("/", "adaptive_gamma", c.learning.adaptive_gamma);
  f.set_attr("/", "loss", c.learning.loss);
  f.set_attr("/", "classes", static_cast<long long>(net.classes));
  f.set_attr("/", "precision", c.learning.precision);
  f.set_attr("/", "config", c.to_yaml());
  f.set_attr("/", "feedback_mode", c.feedback.mode);
  f.set_attr("/", "convention",
             "h_l = f(h_{l-1}[:, :rows(W)] W + b) (wiring conv: at every position, W the D x D "
             "kernel matrix, docs/file-formats.md); updates have gradient sign and exclude the "
             "orthogonality term");
  f.write_matrix("/x", x.template cast<double>());
  f.write_vector("/y", y);
  for (int l = 1; l <= net.depth(); ++l) {
    const std::string g = "/layers/" + std::to_string(l);
    const auto& layer = net.layer(l);
    f.write_matrix(g + "/W", layer.in.W.template cast<double>());
    f.write_vector(g + "/b", layer.in.b.template cast<double>());
    if (layer.in.mask) f.write_matrix(g + "/mask", layer.in.mask->matrix());
    if (layer.in.signs) f.write_vector(g + "/sign", layer.in.signs->signs());
    if (layer.in.dann) {  // network.dale dann: the components beside the effective W
      f.write_matrix(g + "/W_EE", layer.in.dann->EE.template cast<double>());
      f.write_matrix(g + "/W_IE", layer.in.dann->IE.template cast<double>());
      f.write_matrix(g + "/W_EI", layer.in.dann->EI.template cast<double>());
    }
    f.write_matrix(g + "/dW", result.rule.dW[l].template cast<double>());
    f.write_vector(g + "/db", result.rule.db[l].template cast<double>());
    f.write_matrix(g + "/dW_bp", result.bp.dW[l].template cast<double>());
    f.write_vector(g + "/db_bp", result.bp.db[l].template cast<double>());
    // learned feedback: D_{l-1}[:, :k] = r_l Q_l, Q_l of shape (n_l, k)
    if (feedback != nullptr && l >= 2)
      f.write_matrix(g + "/Q", feedback->Q[l].template cast<double>());
    write_transfer(f, g, layer.pop.transfer);
    f.set_attr(g, "name", layer.pop.name);
    write_wiring(f, g, layer.in.wiring.get());
  }
  writer.commit();
}

template <class T>
void run_align(const Config& c, const AlignOptions& o, const datasets::Dataset& train,
               const std::function<void(const AlignReport&)>& measured) {
  Network<double> net = build_network(c, static_cast<int>(train.x.cols()), train.classes);
  if (!o.checkpoint.empty()) load_weights(o.checkpoint, net);
  Engine<T> engine(net.template cast<T>(), c.learning, feedback_seed(c.network), c.dynamics,
                   c.feedback);
  load_feedback(o.checkpoint, engine);
  // noise.*: the draws of training step 0 (docs/biology.md, "Noise in the rates")
  engine.set_noise({c.noise.rate_std, static_cast<std::uint64_t>(c.network.seed),
                    static_cast<std::uint64_t>(c.noise.seed), 0});
  Mat<T> x;
  Eigen::VectorXi y;
  first_rows(train, std::min<Eigen::Index>(c.learning.batch_size, train.size()), x, y);
  const AlignmentResult<T> result = measure_alignment(engine, x, y);
  AlignReport report{static_cast<long long>(x.rows()), {}};
  for (int l = 1; l <= engine.network().depth(); ++l) {
    const auto& a = result.layers[l - 1];
    report.layers.push_back({engine.network().layer(l).pop.name, a.cosine, a.angle_deg});
  }
  measured(report);
  if (!o.dump.empty()) {
    write_dump(o.dump, c, engine.network(), x, y, result, engine.learned_feedback());
  }
}

}  // namespace

void align(const Config& c, const AlignOptions& o,
           const std::function<void(const AlignReport&)>& measured) {
  if (!o.dump.empty() && fs::exists(o.dump) && !o.force) {
    throw ConfigError(o.dump.string() + " exists; use --force to overwrite it");
  }
  const fs::path dir = c.data.folder();
  const auto data = datasets::load_dataset(c.data.dataset, dir, c.learning.batch_size, 1);
  with_precision(c.learning, [&]<class T>() { run_align<T>(c, o, data.train, measured); });
}

}  // namespace gaitsim
