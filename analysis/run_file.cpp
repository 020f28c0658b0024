#include "analysis/run_file.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "analysis/atomic_file.hpp"
#include "neurons/connection_mask.hpp"
#include "neurons/conv_wiring.hpp"
#include "neurons/transfer.hpp"
#include "plasticity/output_loss.hpp"

namespace gaitsim {

namespace {

constexpr const char* kFormat = "gaitsim-run";
constexpr long long kVersion = 1;

std::string layer_path(int l) { return "/weights/" + std::to_string(l); }

template <class Get>
std::vector<double> column(const std::vector<EpochRecord>& epochs, Get get) {
  std::vector<double> out;
  for (const auto& e : epochs) out.push_back(get(e));
  return out;
}

// network.dale: synapses clipped by the sign projection, per epoch and layer.
void write_clipped_synapses(h5::File& f, const RunRecord& run) {
  const auto& E = run.epochs;
  if (run.progress.clipped_synapses.empty()) return;  // no Dale constraint
  Eigen::Matrix<long long, Eigen::Dynamic, Eigen::Dynamic> clipped(
      E.size(), run.progress.clipped_synapses.size());
  for (std::size_t i = 0; i < E.size(); ++i) {
    for (Eigen::Index l = 0; l < clipped.cols(); ++l) clipped(i, l) = E[i].clipped_synapses[l];
  }
  f.write_matrix("/constraints/clipped_synapses", clipped);
  f.set_attr("/constraints/clipped_synapses", "description",
             "network.dale: synapses set to 0 after an optimiser step because their sign left "
             "their presynaptic unit's, summed over each epoch (rows), per layer 1..L (columns)");
}

// Bounded f (softplus, logistic): nudged activities clipped into its range, per epoch and layer.
void write_clipped_units(h5::File& f, const RunRecord& run) {
  const auto& E = run.epochs;
  if (!run.records_clipped) return;
  const int L = run.weights.depth();
  Eigen::Matrix<long long, Eigen::Dynamic, Eigen::Dynamic> clipped(E.size(), L);
  for (std::size_t i = 0; i < E.size(); ++i) {
    for (int l = 0; l < L; ++l) clipped(i, l) = E[i].clipped_units[l];
  }
  f.write_matrix("/constraints/clipped_units", clipped);
  f.set_attr("/constraints/clipped_units", "description",
             "clipped_units: per epoch (rows) and layer 1..L (columns), nudged activities of the "
             "target phase that left the open range of a bounded f (softplus, logistic) and were "
             "clipped inside it, summed over the epoch's training steps");
}

void write_metrics(h5::File& f, const RunRecord& run) {
  const auto& E = run.epochs;
  std::vector<int> epoch;
  for (const auto& e : E) epoch.push_back(e.epoch);
  f.write_vector("/metrics/epoch", epoch);
  f.write_vector("/metrics/train_loss", column(E, [](auto& e) { return e.train_loss; }));
  f.write_vector("/metrics/train_accuracy", column(E, [](auto& e) { return e.train_accuracy; }));
  f.write_vector("/metrics/test_loss", column(E, [](auto& e) { return e.test_loss; }));
  f.write_vector("/metrics/test_accuracy", column(E, [](auto& e) { return e.test_accuracy; }));
  if (reports_top5(run.weights.classes)) {
    f.write_vector("/metrics/test_top5_accuracy", column(E, [](auto& e) { return e.test_top5; }));
  }
  f.write_vector("/metrics/epoch_seconds", column(E, [](auto& e) { return e.seconds; }));
  f.set_attr("/metrics", "description",
             "per epoch; accuracy as a fraction 0..1; train metrics are running means over the "
             "epoch's batches before each update");

  Mat<double> ortho(E.size(), run.ortho_layers.size());
  for (std::size_t i = 0; i < E.size(); ++i) {
    for (std::size_t j = 0; j < run.ortho_layers.size(); ++j) ortho(i, j) = E[i].ortho_error[j];
  }
  f.write_vector("/orthogonality/layers", run.ortho_layers);
  f.write_matrix("/orthogonality/error", ortho);
  f.set_attr("/orthogonality", "description", "||W W^T - I||_F per epoch (rows) and layer");
  write_clipped_synapses(f, run);
  write_clipped_units(f, run);
}

void write_alignment(h5::File& f, const RunRecord& run) {
  const int L = run.weights.depth();
  const auto K = static_cast<Eigen::Index>(run.alignment.size());
  std::vector<long long> steps;
  Mat<double> cosine(K, L), angle(K, L);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& a = run.alignment[k];
    steps.push_back(a.step);
    for (int l = 0; l < L; ++l) {
      cosine(k, l) = a.cosine[l];
      angle(k, l) = a.angle_deg[l];
    }
  }
  f.write_vector("/alignment/step", steps);
  f.write_matrix("/alignment/cosine", cosine);
  f.write_matrix("/alignment/angle_deg", angle);
  f.set_attr("/alignment", "description",
             "cosine and angle [deg] between the rule's weight update and BP's, per sampled "
             "step (rows) and layer 1..L (columns), orthogonality term excluded");
}

// The fields of SettlingRecord as /settling/<name> columns, one row per epoch.
const std::vector<std::pair<const char*, double SettlingRecord::*>>& settling_fields() {
  static const std::vector<std::pair<const char*, double SettlingRecord::*>> fields = {
      {"free_steps_mean", &SettlingRecord::free_steps_mean},
      {"free_steps_max", &SettlingRecord::free_steps_max},
      {"free_time_ms_mean", &SettlingRecord::free_time_ms_mean},
      {"free_time_ms_max", &SettlingRecord::free_time_ms_max},
      {"free_not_converged", &SettlingRecord::free_not_converged},
      {"target_steps_mean", &SettlingRecord::target_steps_mean},
      {"target_steps_max", &SettlingRecord::target_steps_max},
      {"target_time_ms_mean", &SettlingRecord::target_time_ms_mean},
      {"target_time_ms_max", &SettlingRecord::target_time_ms_max},
      {"target_not_converged", &SettlingRecord::target_not_converged},
  };
  return fields;
}

void write_settling(h5::File& f, const RunRecord& run) {
  if (run.settling.empty()) return;
  std::vector<int> epoch;
  for (const auto& s : run.settling) epoch.push_back(s.epoch);
  f.write_vector("/settling/epoch", epoch);
  for (const auto& [name, member] : settling_fields()) {
    std::vector<double> v;
    for (const auto& s : run.settling) v.push_back(s.*member);
    f.write_vector(std::string("/settling/") + name, v);
  }
  f.set_attr("/settling", "description",
             "dynamics.mode = settle: per epoch (rows), accepted integrator steps and time [ms] "
             "for a phase to converge, mean and max over the epoch's training batches, and the "
             "number of batches whose phase did not converge within dynamics.max_time_ms");
}

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string s;
  for (hsize_t d : dims) s += (s.empty() ? "" : ", ") + std::to_string(d);
  return "(" + s + ")";
}

std::string bound_text(long long n) { return n < 0 ? "any" : std::to_string(n); }

// The reader's checks of docs/file-formats.md: each failure names the file, the object and what
// was expected. Sizes are checked before the data they size is read or indexed.
class Schema {
 public:
  explicit Schema(const h5::File& f) : f_(f) {}

  [[noreturn]] void fail(const std::string& object, const std::string& problem) const {
    throw RunFileError(f_.path().string() + ": " + object + ": " + problem +
                       " (damaged or not a gaitsim run file; see docs/file-formats.md)");
  }

  std::vector<hsize_t> shape(const std::string& ds) const {
    if (!f_.exists(ds)) fail(ds, "missing dataset");
    return f_.shape(ds);
  }

  // A 1-D dataset of n values (n < 0: any length).
  template <class T>
  std::vector<T> vector(const std::string& ds, long long n = -1) const {
    const auto dims = shape(ds);
    if (dims.size() != 1 || (n >= 0 && dims[0] != hsize_t(n))) {
      fail(ds, "shape " + shape_text(dims) + ", expected (" + bound_text(n) + ")");
    }
    return f_.read_vector<T>(ds);
  }

  // A 2-D dataset of rows x cols (negative: any).
  Mat<double> matrix(const std::string& ds, long long rows, long long cols) const {
    const auto dims = shape(ds);
    if (dims.size() != 2 || (rows >= 0 && dims[0] != hsize_t(rows)) ||
        (cols >= 0 && dims[1] != hsize_t(cols))) {
      fail(ds, "shape " + shape_text(dims) + ", expected (" + bound_text(rows) + ", " +
                   bound_text(cols) + ")");
    }
    return f_.read_matrix<double>(ds);
  }

  // An integer attribute in [lo, hi].
  long long integer(const std::string& obj, const std::string& name, long long lo,
                    long long hi) const {
    if (!f_.has_attr(obj, name)) fail(obj, "missing attribute '" + name + "'");
    const long long v = f_.attr_int(obj, name);
    if (v < lo || v > hi) {
      fail(obj, "attribute " + name + " = " + std::to_string(v) + ", expected " +
                    std::to_string(lo) + ".." + std::to_string(hi));
    }
    return v;
  }

  // A string attribute, one of `allowed` (empty: any).
  std::string text(const std::string& obj, const std::string& name,
                   const std::vector<std::string>& allowed = {}) const {
    if (!f_.has_attr(obj, name)) fail(obj, "missing attribute '" + name + "'");
    std::string v = f_.attr_string(obj, name);
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
      fail(obj, "attribute " + name + " = '" + v + "', expected " + list);
    }
    return v;
  }

  const h5::File& file() const { return f_; }

 private:
  const h5::File& f_;
};

std::vector<SettlingRecord> read_settling(const Schema& s, std::size_t epochs) {
  std::vector<SettlingRecord> out;
  if (!s.file().exists("/settling/epoch")) return out;
  const auto epoch = s.vector<int>("/settling/epoch", static_cast<long long>(epochs));
  out.resize(epoch.size());
  for (std::size_t i = 0; i < epoch.size(); ++i) out[i].epoch = epoch[i];
  for (const auto& [name, member] : settling_fields()) {
    const auto v = s.vector<double>(std::string("/settling/") + name, (long long)epochs);
    for (std::size_t i = 0; i < out.size(); ++i) out[i].*member = v[i];
  }
  return out;
}

// Sides and counts of a conv layer stored in a file, bounded so that its geometry (c_in k k
// entries per output position) stays small: 2^16 per side, 2^28 geometry entries.
constexpr long long kMaxConvSide = 1 << 16;
constexpr long long kMaxConvEntries = 1LL << 28;

std::shared_ptr<const Wiring> read_wiring(const Schema& s, const std::string& path,
                                          const Mat<double>& W, int passed_on) {
  if (!s.file().has_attr(path, "wiring") || s.text(path, "wiring", {"dense", "conv"}) != "conv") {
    return nullptr;
  }
  ConvParams p;
  for (const auto& [name, member] :
       {std::pair{"in_channels", &ConvParams::in_channels},
        std::pair{"in_height", &ConvParams::in_height},
        std::pair{"in_width", &ConvParams::in_width}, std::pair{"kernel", &ConvParams::kernel},
        std::pair{"stride", &ConvParams::stride}, std::pair{"channels", &ConvParams::channels}}) {
    p.*member = static_cast<int>(s.integer(path, name, 1, kMaxConvSide));
  }
  p.in_layout = s.text(path, "in_layout", {"planar", "interleaved"}) == "planar"
                    ? ImageLayout::kPlanar
                    : ImageLayout::kInterleaved;
  const long long patch = 1LL * p.in_channels * p.kernel * p.kernel;
  const long long positions =
      1LL * ((p.in_height + p.stride - 1) / p.stride) * ((p.in_width + p.stride - 1) / p.stride);
  if (patch > kMaxConvEntries / positions) {
    s.fail(path, "conv geometry of " + std::to_string(patch) + " x " + std::to_string(positions) +
                     " entries, more than the limit of " + std::to_string(kMaxConvEntries));
  }
  if (W.rows() != patch || W.cols() != p.channels) {
    s.fail(path + "/W", "shape (" + std::to_string(W.rows()) + ", " + std::to_string(W.cols()) +
                            "), expected (" + std::to_string(patch) + ", " +
                            std::to_string(p.channels) + ") from the wiring attributes");
  }
  // The population stores passed_on = positions x channels passed on.
  if (passed_on % positions != 0 || passed_on / positions > p.channels) {
    s.fail(path, "passed_on = " + std::to_string(passed_on) + ", expected a multiple of the " +
                     std::to_string(positions) + " positions of at most " +
                     std::to_string(p.channels) + " channels");
  }
  p.passed_on = static_cast<int>(passed_on / positions);
  return std::make_shared<ConvWiring>(p);
}
// Written only for learned feedback, so that exact-mode run files keep their layout.
void write_feedback(h5::File& f, const RunRecord& run) {
  const FeedbackState& st = run.feedback_state;
  if (!st.learned()) return;
  const int L = run.weights.depth();
  const auto K = static_cast<Eigen::Index>(run.feedback.size());
  std::vector<long long> steps;
  std::vector<int> layers;
  for (int l = 2; l <= L; ++l) layers.push_back(l);
  Mat<double> inverse(K, L - 1), loss(K, L - 1);
  for (Eigen::Index k = 0; k < K; ++k) {
    const auto& r = run.feedback[k];
    steps.push_back(r.step);
    for (int j = 0; j < L - 1; ++j) {
      inverse(k, j) = r.inverse_error[j];
      loss(k, j) = r.reconstruction_loss[j];
    }
  }
  f.write_vector("/feedback/step", steps);
  f.write_vector("/feedback/layers", layers);
  f.write_matrix("/feedback/inverse_error", inverse);
  f.write_matrix("/feedback/reconstruction_loss", loss);
  f.set_attr("/feedback", "description",
             "learned feedback per sampled step (rows) and inverted layer (columns, /feedback/"
             "layers): ||Q_l W_l - I||_F / sqrt(n_l), and the last noisy reconstruction loss "
             "1/(2N) sum ||u Q_l + c_l - h~||^2");
  f.write_vector("/state/feedback/steps", std::vector<long long>{st.steps});
  for (int l = 2; l <= L; ++l) {
    f.write_matrix("/state/feedback/Q/" + std::to_string(l), st.Q[l]);
    f.write_vector("/state/feedback/c/" + std::to_string(l), st.c[l]);
  }
}

// The optional connection mask of a layer (network.connection_prob < 1): 0/1 of W's shape, and
// every absent synapse's weight exactly 0.
std::shared_ptr<const ConnectionMask> read_mask(const Schema& s, const std::string& path,
                                                const Mat<double>& W) {
  if (!s.file().exists(path + "/mask")) return nullptr;
  const Mat<double> M = s.matrix(path + "/mask", W.rows(), W.cols());
  if (!(M.array() == 0.0 || M.array() == 1.0).all()) s.fail(path + "/mask", "expected 0 or 1");
  ConnectionMask::Bits present = M.array() == 1.0;
  if (!present.select(0.0, W.array()).isZero(0.0)) {
    s.fail(path + "/W", "a weight of an absent synapse (mask 0) is not 0");
  }
  return std::make_shared<const ConnectionMask>(std::move(present));
}

// The optional presynaptic signs of a layer (network.dale = sign): +1 or -1 per row of W, and
// no weight of the other sign.
std::shared_ptr<const PresynapticSigns> read_signs(const Schema& s, const std::string& path,
                                                   const Mat<double>& W) {
  if (!s.file().exists(path + "/sign")) return nullptr;
  const auto v = s.vector<int>(path + "/sign", W.rows());
  PresynapticSigns::Signs signs(W.rows());
  for (Eigen::Index i = 0; i < W.rows(); ++i) {
    if (v[i] != 1 && v[i] != -1) s.fail(path + "/sign", "expected +1 or -1 per presynaptic unit");
    signs(i) = static_cast<std::int8_t>(v[i]);
  }
  if (((signs.cast<double>().asDiagonal() * W).array() < 0.0).any()) {
    s.fail(path + "/W", "a weight has the sign opposite to its presynaptic unit's (/sign)");
  }
  return std::make_shared<const PresynapticSigns>(std::move(signs));
}

// network.dale dann: the non-negative components beside W, W = W_EE - W_IE W_EI.
std::optional<DannWeights<double>> read_dann(const Schema& s, const std::string& path,
                                             const Mat<double>& W) {
  if (!s.file().exists(path + "/W_EE")) return std::nullopt;
  DannWeights<double> d;
  d.EE = s.matrix(path + "/W_EE", W.rows(), W.cols());
  d.IE = s.matrix(path + "/W_IE", W.rows(), -1);
  d.EI = s.matrix(path + "/W_EI", d.IE.cols(), W.cols());
  for (const auto& [name, X] : {std::pair{"/W_EE", &d.EE}, {"/W_IE", &d.IE}, {"/W_EI", &d.EI}}) {
    if (!X->allFinite() || (X->array() < 0.0).any()) {
      s.fail(path + name, "a negative or non-finite weight (dann components are >= 0)");
    }
  }
  // W was computed from the components in the run's precision: equal up to its rounding.
  Mat<double> effective;
  d.effective(effective);
  const double scale = d.EE.cwiseAbs().maxCoeff() + (d.IE.cwiseAbs() * d.EI.cwiseAbs()).maxCoeff();
  if ((effective - W).cwiseAbs().maxCoeff() > 1e-5 * scale) {
    s.fail(path + "/W", "not W_EE - W_IE W_EI (network.dale dann)");
  }
  return d;
}

void write_dann(h5::File& f, const std::string& path, const DannWeights<double>& d) {
  f.write_matrix(path + "/W_EE", d.EE);
  f.write_matrix(path + "/W_IE", d.IE);
  f.write_matrix(path + "/W_EI", d.EI);
}

void write_weights(h5::File& f, const Network<double>& net) {
  for (int l = 1; l <= net.depth(); ++l) {
    const auto& layer = net.layer(l);
    f.write_matrix(layer_path(l) + "/W", layer.in.W);
    f.write_vector(layer_path(l) + "/b", layer.in.b);
    if (layer.in.mask) f.write_matrix(layer_path(l) + "/mask", layer.in.mask->matrix());
    if (layer.in.signs) f.write_vector(layer_path(l) + "/sign", layer.in.signs->signs());
    if (layer.in.dann) write_dann(f, layer_path(l), *layer.in.dann);
    f.set_attr(layer_path(l), "name", layer.pop.name);
    write_transfer(f, layer_path(l), layer.pop.transfer);
    f.set_attr(layer_path(l), "passed_on", static_cast<long long>(layer.pop.passed_on));
    f.set_attr(layer_path(l), "width", static_cast<long long>(layer.pop.width));
    write_wiring(f, layer_path(l), layer.in.wiring.get());
  }
  f.set_attr("/weights", "input_width", static_cast<long long>(net.input.width));
  f.set_attr("/weights", "classes", static_cast<long long>(net.classes));
  f.set_attr("/weights", "depth", static_cast<long long>(net.depth()));
}

void write_state(h5::File& f, const RunRecord& run) {
  const auto& p = run.progress;
  f.write_vector("/state/progress",
                 std::vector<long long>{p.epoch, p.batch, p.step, p.correct, p.seen});
  f.write_vector("/state/loss_sum", std::vector<double>{p.loss_sum});
  f.set_attr("/state/progress", "progress_fields", progress_fields());
  f.write_vector("/state/optimizer_steps", std::vector<long long>{run.optimizer.steps});
  if (!p.clipped_synapses.empty()) f.write_vector("/state/clipped_synapses", p.clipped_synapses);
  if (run.records_clipped) {
    std::vector<long long> clipped = p.clipped_units;
    clipped.resize(static_cast<std::size_t>(run.weights.depth()), 0);
    f.write_vector("/state/clipped_units", clipped);
  }
  for (const auto& [name, tensor] : run.optimizer.tensors) {
    const std::string path = "/state/optimizer/" + name;
    if (moment_shape(name, tensor.rows(), tensor.cols()).size() == 1) {
      f.write_vector(path, tensor.reshaped());
    } else {
      f.write_matrix(path, tensor);
    }
  }
}

// Layers and classes a run file may claim: far above any network gaitsim builds.
constexpr long long kMaxDepth = 1 << 12;
constexpr long long kMaxUnits = std::numeric_limits<int>::max();

// A positive parameter of a layer's f, present when its kind uses it (write_transfer).
void read_transfer_parameter(const Schema& s, const std::string& layer, const std::string& name,
                             double& value) {
  if (!s.file().has_attr(layer, name)) return;
  value = s.file().attr_double(layer, name);
  if (!(value > 0) || !std::isfinite(value)) {
    s.fail(layer, "attribute '" + name + "' = " + std::to_string(value) + ", expected > 0");
  }
}

Network<double> read_weights(const Schema& s) {
  Network<double> net;
  net.classes = static_cast<int>(s.integer("/weights", "classes", 1, kMaxUnits));
  const int L = static_cast<int>(s.integer("/weights", "depth", 1, kMaxDepth));
  const int input_width = static_cast<int>(s.integer("/weights", "input_width", 1, kMaxUnits));
  for (int l = 1; l <= L; ++l) {
    const std::string p = layer_path(l);
    Mat<double> W = s.matrix(p + "/W", -1, -1);
    const auto b = s.vector<double>(p + "/b", W.cols());
    TransferParams transfer{s.text(p, "activation", transfer_names()),
                            s.file().attr_double(p, "slope")};
    read_transfer_parameter(s, p, "beta", transfer.beta);
    read_transfer_parameter(s, p, "rate_max", transfer.rate_max);
    const int width = s.file().has_attr(p, "width")
                          ? static_cast<int>(s.integer(p, "width", 1, kMaxUnits))
                          : int(W.cols());
    const int passed_on = static_cast<int>(s.integer(p, "passed_on", 1, width));
    PopulationParams pop{s.text(p, "name"), width, passed_on, transfer};
    auto wiring = read_wiring(s, p, W, passed_on);
    auto dann = read_dann(s, p, W);
    auto mask = read_mask(s, p, dann ? dann->EE : W);  // dann: the mask is W_EE's
    auto signs = read_signs(s, p, W);
    net.layers.push_back({pop,
                          make_transfer(transfer),
                          {std::move(W), Eigen::Map<const RowVec<double>>(b.data(), b.size()),
                           std::move(wiring), std::move(mask), std::move(signs), std::move(dann)}});
  }
  net.input = {
      "input", input_width, static_cast<int>(net.layer(1).in.pre_units()), {"linear", 1.0}};
  return net;
}

std::vector<EpochRecord> read_metrics(const Schema& s, int classes,
                                      const std::vector<int>& ortho_layers) {
  const auto epoch = s.vector<int>("/metrics/epoch");
  const auto E = static_cast<long long>(epoch.size());
  for (long long i = 0; i < E; ++i) {
    if (epoch[i] != i + 1) {
      s.fail("/metrics/epoch", "entry " + std::to_string(i) + " is " + std::to_string(epoch[i]) +
                                   ", expected " + std::to_string(i + 1) + " (1, 2, ... E)");
    }
  }
  const auto train_loss = s.vector<double>("/metrics/train_loss", E);
  const auto train_acc = s.vector<double>("/metrics/train_accuracy", E);
  const auto test_loss = s.vector<double>("/metrics/test_loss", E);
  const auto test_acc = s.vector<double>("/metrics/test_accuracy", E);
  const auto seconds = s.vector<double>("/metrics/epoch_seconds", E);
  const auto top5 = reports_top5(classes) ? s.vector<double>("/metrics/test_top5_accuracy", E)
                                          : std::vector<double>(epoch.size(), NAN);
  const Mat<double> ortho =
      s.matrix("/orthogonality/error", E, static_cast<long long>(ortho_layers.size()));
  std::vector<EpochRecord> out;
  for (std::size_t i = 0; i < epoch.size(); ++i) {
    EpochRecord e{epoch[i], train_loss[i], train_acc[i], test_loss[i], test_acc[i],
                  top5[i],  seconds[i],    {},           {},           {}};
    for (Eigen::Index j = 0; j < ortho.cols(); ++j) e.ortho_error.push_back(ortho(i, j));
    out.push_back(e);
  }
  return out;
}

// network.dale: per-epoch and current-epoch counts of clipped synapses, each per layer.
void read_clipped_synapses(const Schema& s, RunRecord& run) {
  if (!s.file().exists("/state/clipped_synapses")) return;
  const long long L = run.weights.depth();
  run.progress.clipped_synapses = s.vector<long long>("/state/clipped_synapses", L);
  const auto E = static_cast<long long>(run.epochs.size());
  const auto dims = s.shape("/constraints/clipped_synapses");
  if (dims.size() != 2 || dims[0] != hsize_t(E) || dims[1] != hsize_t(L)) {
    s.fail("/constraints/clipped_synapses", "shape " + shape_text(dims) + ", expected (" +
                                                std::to_string(E) + ", " + std::to_string(L) + ")");
  }
  const auto clipped = s.file().read_matrix<long long>("/constraints/clipped_synapses");
  for (long long i = 0; i < E; ++i) {
    for (long long l = 0; l < L; ++l) run.epochs[i].clipped_synapses.push_back(clipped(i, l));
  }
}

// /constraints/clipped_units, when present: one row of L non-negative counts per epoch.
void read_clipped_units(const Schema& s, RunRecord& run) {
  const std::string ds = "/constraints/clipped_units";
  run.records_clipped = s.file().exists(ds);
  if (!run.records_clipped) return;
  const auto E = static_cast<long long>(run.epochs.size());
  const int L = run.weights.depth();
  const auto dims = s.shape(ds);
  if (dims.size() != 2 || dims[0] != hsize_t(E) || dims[1] != hsize_t(L)) {
    s.fail(ds, "shape " + shape_text(dims) + ", expected (" + std::to_string(E) + ", " +
                   std::to_string(L) + ")");
  }
  const auto clipped = s.file().read_matrix<long long>(ds);
  if (clipped.size() > 0 && clipped.minCoeff() < 0) s.fail(ds, "a negative count");
  for (long long i = 0; i < E; ++i) {
    for (int l = 0; l < L; ++l) run.epochs[i].clipped_units.push_back(clipped(i, l));
  }
}

std::vector<int> read_ortho_layers(const Schema& s, int depth) {
  const auto layers = s.vector<int>("/orthogonality/layers");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i] < 2 || layers[i] > depth || (i > 0 && layers[i] <= layers[i - 1])) {
      s.fail("/orthogonality/layers",
             "entry " + std::to_string(i) + " is " + std::to_string(layers[i]) +
                 ", expected increasing layers 2.." + std::to_string(depth));
    }
  }
  return layers;
}

std::vector<AlignmentRecord> read_alignment(const Schema& s, int depth) {
  const auto steps = s.vector<long long>("/alignment/step");
  const auto A = static_cast<long long>(steps.size());
  const Mat<double> cosine = s.matrix("/alignment/cosine", A, depth);
  const Mat<double> angle = s.matrix("/alignment/angle_deg", A, depth);
  std::vector<AlignmentRecord> out;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    AlignmentRecord a{steps[k], {}, {}};
    for (Eigen::Index l = 0; l < cosine.cols(); ++l) {
      a.cosine.push_back(cosine(k, l));
      a.angle_deg.push_back(angle(k, l));
    }
    out.push_back(a);
  }
  return out;
}

// /feedback and /state/feedback, when the run learned its feedback; shapes from the weights.
void read_feedback(const Schema& s, RunRecord& run) {
  if (!s.file().exists("/state/feedback")) return;
  const int L = run.weights.depth();
  FeedbackState& st = run.feedback_state;
  st.steps = s.vector<long long>("/state/feedback/steps", 1)[0];
  if (st.steps < 0) s.fail("/state/feedback/steps", "negative step count");
  st.Q.assign(L + 1, Mat<double>());
  st.c.assign(L + 1, RowVec<double>());
  for (int l = 2; l <= L; ++l) {
    const Mat<double>& W = run.weights.layer(l).in.W;
    const std::string n = std::to_string(l);
    st.Q[l] = s.matrix("/state/feedback/Q/" + n, W.cols(), W.rows());
    const auto c = s.vector<double>("/state/feedback/c/" + n, W.rows());
    st.c[l] = Eigen::Map<const RowVec<double>>(c.data(), static_cast<Eigen::Index>(c.size()));
  }
  const auto steps = s.vector<long long>("/feedback/step");
  const auto K = static_cast<long long>(steps.size());
  const Mat<double> inverse = s.matrix("/feedback/inverse_error", K, L - 1);
  const Mat<double> loss = s.matrix("/feedback/reconstruction_loss", K, L - 1);
  for (long long k = 0; k < K; ++k) {
    FeedbackRecord r{steps[k], {}, {}};
    for (int j = 0; j < L - 1; ++j) {
      r.inverse_error.push_back(inverse(k, j));
      r.reconstruction_loss.push_back(loss(k, j));
    }
    run.feedback.push_back(std::move(r));
  }
}

void read_state(const Schema& s, RunRecord& run) {
  const auto n_fields = static_cast<long long>(progress_fields().size());
  const auto p = s.vector<long long>("/state/progress", n_fields);
  const double loss_sum = s.vector<double>("/state/loss_sum", 1)[0];
  run.progress = {static_cast<int>(std::clamp<long long>(p[0], -1, kMaxUnits)),
                  p[1],
                  p[2],
                  loss_sum,
                  p[3],
                  p[4],
                  {},
                  {}};
  run.optimizer.steps = s.vector<long long>("/state/optimizer_steps", 1)[0];
  const h5::File& f = s.file();
  if (run.records_clipped) {
    run.progress.clipped_units = s.vector<long long>("/state/clipped_units", run.weights.depth());
  }
  if (!f.exists("/state/optimizer")) return;
  for (const auto& moment : f.list("/state/optimizer")) {
    for (const auto& kind : f.list("/state/optimizer/" + moment)) {
      for (const auto& l : f.list("/state/optimizer/" + moment + "/" + kind)) {
        const std::string name = moment + "/" + kind + "/" + l;
        Eigen::MatrixXd t = f.read_matrix<double>("/state/optimizer/" + name);
        if (kind == "b" && t.cols() == 1) t.transposeInPlace();  // stored (n), held 1 x n
        run.optimizer.tensors[name] = std::move(t);
      }
    }
  }
}

// Ranges of /state/progress that hold for every run (docs/file-formats.md).
void check_progress(const Schema& s, const RunRecord& run) {
  const TrainingProgress& p = run.progress;
  const std::string where = "/state/progress";
  if (p.epoch != static_cast<long long>(run.epochs.size())) {
    s.fail(where, "epochs_done = " + std::to_string(p.epoch) + ", expected " +
                      std::to_string(run.epochs.size()) + " (one /metrics row per epoch done)");
  }
  if (p.batch < 0 || p.step < p.batch || p.seen < 0 || p.correct < 0 || p.correct > p.seen) {
    s.fail(where, "batch " + std::to_string(p.batch) + ", step " + std::to_string(p.step) +
                      ", correct " + std::to_string(p.correct) + ", seen " +
                      std::to_string(p.seen) +
                      ", expected 0 <= batch <= step and 0 <= correct <= seen");
  }
  // Learned feedback's warm-up steps (feedback.warmup_epochs) train Q_l only: no optimiser step.
  const bool warmup = run.feedback_state.learned();
  if (warmup ? run.optimizer.steps < 0 || run.optimizer.steps > p.step
             : p.step != run.optimizer.steps) {
    s.fail("/state/optimizer_steps",
           std::to_string(run.optimizer.steps) + ", expected " +
               (warmup ? "0.." + std::to_string(p.step) + " (at most the step of /state/progress)"
                       : std::to_string(p.step) + " (the step of /state/progress)"));
  }
  if (!std::isfinite(p.loss_sum) || p.loss_sum < 0) {
    s.fail("/state/loss_sum", "not a finite non-negative loss sum");
  }
}

// The moments an optimiser stores per parameter tensor (plasticity/optimizer.cpp names them
// "<moment>/<W|b>/<l>", dann layers "<moment>/<W_EE|W_IE|W_EI>/<l>" for W): Adam m and v, SGD
// none.
std::vector<std::string> optimizer_moments(const std::string& kind) {
  if (kind == "adam") return {"m", "v"};
  return {};
}

// The stored moments, by name and shape, against those the configured optimiser keeps for the
// configured network: all of them, or none in a file saved before the first step.
void check_moments(const Schema& s, const RunExpectation& e, long long steps) {
  std::map<std::string, std::vector<hsize_t>> expected;
  for (const auto& m : optimizer_moments(e.optimizer)) {
    for (int l = 1; l <= e.net->depth(); ++l) {
      const auto& in = e.net->layer(l).in;
      const auto add = [&](const std::string& kind, const auto& tensor) {
        const std::string name = m + "/" + kind + "/" + std::to_string(l);
        expected[name] = moment_shape(name, tensor.rows(), tensor.cols());
      };
      if (in.dann) {  // network.dale dann: the components learn, not the effective W
        add("W_EE", in.dann->EE);
        add("W_IE", in.dann->IE);
        add("W_EI", in.dann->EI);
      } else {
        add("W", in.W);
      }
      add("b", in.b);
    }
  }
  std::map<std::string, std::vector<hsize_t>> stored;
  const h5::File& f = s.file();
  if (f.exists("/state/optimizer")) {
    for (const auto& moment : f.list("/state/optimizer")) {
      for (const auto& kind : f.list("/state/optimizer/" + moment)) {
        for (const auto& l : f.list("/state/optimizer/" + moment + "/" + kind)) {
          const std::string name = moment + "/" + kind + "/" + l;
          stored[name] = s.shape("/state/optimizer/" + name);
        }
      }
    }
  }
  if (stored.empty() && steps == 0) return;
  for (const auto& [name, dims] : stored) {
    if (!expected.count(name)) {
      s.fail("/state/optimizer/" + name,
             "not a moment that learning.optimizer = " + e.optimizer + " keeps");
    }
  }
  for (const auto& [name, dims] : expected) {
    const auto it = stored.find(name);
    if (it == stored.end()) s.fail("/state/optimizer/" + name, "missing dataset");
    if (it->second != dims) {
      s.fail("/state/optimizer/" + name,
             "shape " + shape_text(it->second) + ", expected " + shape_text(dims));
    }
  }
}

// The stored run against the configured one: the same network and optimiser, progress within
// an epoch of this data.
// network.dale dann: the stored components exactly when configured, with as many interneurons.
void check_dann_expected(const Schema& s, int l, const Projection<double>& configured,
                         const Projection<double>& stored) {
  if (bool(configured.dann) != bool(stored.dann)) {
    s.fail(layer_path(l) + "/W_EE", configured.dann
                                        ? "missing, but the configured network.dale is dann"
                                        : "present, but the configured network.dale is not dann");
  }
  if (configured.dann && stored.dann->interneurons() != configured.dann->interneurons()) {
    s.fail(layer_path(l) + "/W_IE",
           std::to_string(stored.dann->interneurons()) +
               " interneurons, the configured network.inhibitory_fraction gives " +
               std::to_string(configured.dann->interneurons()));
  }
}

void check_expected(const Schema& s, const RunRecord& run, const RunExpectation& e) {
  const Network<double>& net = *e.net;
  if (run.weights.depth() != net.depth() || run.weights.classes != net.classes ||
      run.weights.input.width != net.input.width) {
    s.fail("/weights", std::to_string(run.weights.depth()) + " layers, " +
                           std::to_string(run.weights.classes) + " classes, input width " +
                           std::to_string(run.weights.input.width) +
                           "; the configured network has " + std::to_string(net.depth()) + ", " +
                           std::to_string(net.classes) + ", " + std::to_string(net.input.width));
  }
  for (int l = 1; l <= net.depth(); ++l) {
    const auto& W = net.layer(l).in.W;
    const auto& stored = run.weights.layer(l).in.W;
    if (stored.rows() != W.rows() || stored.cols() != W.cols()) {
      s.fail(layer_path(l) + "/W",
             "shape (" + std::to_string(stored.rows()) + ", " + std::to_string(stored.cols()) +
                 "), the configured network needs (" + std::to_string(W.rows()) + ", " +
                 std::to_string(W.cols()) + ")");
    }
    check_dann_expected(s, l, net.layer(l).in, run.weights.layer(l).in);
  }
  const TrainingProgress& p = run.progress;
  if (p.batch >= e.batches_per_epoch || p.seen > p.batch * e.batch_size) {
    s.fail("/state/progress",
           "batch " + std::to_string(p.batch) + " with " + std::to_string(p.seen) +
               " samples seen, expected a batch below " + std::to_string(e.batches_per_epoch) +
               " and at most " + std::to_string(e.batch_size) + " samples per batch");
  }
}

void require_run_file(const h5::File& f) {
  // A killed checkpoint write can leave a temporary file that looks complete but never became
  // the run's state.
  if (h5::is_atomic_temp_of(f.path(), "run.h5")) {
    throw RunFileError(f.path().string() +
                       ": a temporary file of an unfinished checkpoint write, not a run file "
                       "(use the run.h5 beside it)");
  }
  if (!f.has_attr("/", "format") || f.attr_string("/", "format") != kFormat) {
    throw RunFileError(f.path().string() +
                       ": not a gaitsim run file or checkpoint (no format = gaitsim-run)");
  }
}

const std::vector<std::string>& run_statuses() {
  static const std::vector<std::string> statuses = {"running", "paused", "complete", "diverged"};
  return statuses;
}
}  // namespace

void write_transfer(h5::File& f, const std::string& path, const TransferParams& transfer) {
  f.set_attr(path, "activation", transfer.kind);
  f.set_attr(path, "slope", transfer.slope);
  if (transfer.kind == "softplus") f.set_attr(path, "beta", transfer.beta);
  if (transfer.kind == "logistic") f.set_attr(path, "rate_max", transfer.rate_max);
}

void write_wiring(h5::File& f, const std::string& path, const Wiring* wiring) {
  const auto* conv = dynamic_cast<const ConvWiring*>(wiring);
  f.set_attr(path, "wiring", conv ? "conv" : "dense");
  if (!conv) return;
  const ConvParams& p = conv->params();
  for (const auto& [name, value] :
       {std::pair{"in_channels", p.in_channels}, std::pair{"in_height", p.in_height},
        std::pair{"in_width", p.in_width}, std::pair{"kernel", p.kernel},
        std::pair{"stride", p.stride}, std::pair{"channels", p.channels}}) {
    f.set_attr(path, name, static_cast<long long>(value));
  }
  f.set_attr(path, "in_layout", p.in_layout == ImageLayout::kPlanar ? "planar" : "interleaved");
}

void write_run_file(const std::filesystem::path& path, const RunRecord& run) {
  h5::AtomicWriter writer(path, h5::Sealing::kSealed);
  h5::File& f = writer.file();
  f.set_attr("/", "format", kFormat);
  f.set_attr("/", "format_version", kVersion);
  f.set_attr("/", "status", run.status);
  f.set_attr("/", "config", run.config_yaml);
  f.set_attr("/", "precision", run.precision);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  f.set_attr("/", "written_unix_time", static_cast<long long>(now));
  write_metrics(f, run);
  write_alignment(f, run);
  write_settling(f, run);
  write_weights(f, run.weights);
  write_state(f, run);
  write_feedback(f, run);
  writer.commit();
}

const std::vector<std::string>& progress_fields() {
  static const std::vector<std::string> fields = {"epochs_done", "batch", "step", "correct",
                                                  "seen"};
  return fields;
}

// Bias moments (held 1 x n) are stored (n), like b; weight moments as their tensor.
std::vector<hsize_t> moment_shape(const std::string& name, Eigen::Index rows, Eigen::Index cols) {
  if (name.find("/b/") != std::string::npos && rows == 1) return {static_cast<hsize_t>(cols)};
  return {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
}

RunRecord read_run_file(const std::filesystem::path& path, const RunExpectation* expected) {
  h5::verify_seal(path);
  const h5::File f = h5::File::open_read(path);
  require_run_file(f);
  const Schema s(f);
  const long long version = s.integer("/", "format_version", 0, kVersion * 1000);
  if (version != kVersion) {
    s.fail("/", "format_version " + std::to_string(version) + ", expected " +
                    std::to_string(kVersion) + " (the version this build reads)");
  }
  RunRecord run;
  run.status = s.text("/", "status", run_statuses());
  run.config_yaml = s.text("/", "config");
  run.precision = s.text("/", "precision", {"float64", "float32"});
  run.weights = read_weights(s);
  run.ortho_layers = read_ortho_layers(s, run.weights.depth());
  run.epochs = read_metrics(s, run.weights.classes, run.ortho_layers);
  read_clipped_units(s, run);  // before read_state, which reads the epoch in progress's counts
  run.alignment = read_alignment(s, run.weights.depth());
  run.settling = read_settling(s, run.epochs.size());
  const long long steps = s.vector<long long>("/state/optimizer_steps", 1)[0];
  if (expected) check_moments(s, *expected, steps);
  read_state(s, run);
  read_feedback(s, run);
  read_clipped_synapses(s, run);
  check_progress(s, run);
  if (expected) check_expected(s, run, *expected);
  return run;
}

void load_weights(const std::filesystem::path& path, Network<double>& net) {
  const Network<double> stored = read_run_file(path).weights;
  if (stored.depth() != net.depth()) {
    throw std::runtime_error(path.string() + ": holds " + std::to_string(stored.depth()) +
                             " layers, the configured network has " + std::to_string(net.depth()));
  }
  for (int l = 1; l <= net.depth(); ++l) {
    auto& mine = net.layer(l).in;
    const auto& theirs = stored.layer(l).in;
    if (mine.W.rows() != theirs.W.rows() || mine.W.cols() != theirs.W.cols()) {
      throw std::runtime_error(path.string() + ": layer " + std::to_string(l) + " W is " +
                               std::to_string(theirs.W.rows()) + " x " +
                               std::to_string(theirs.W.cols()) + ", the configured network needs " +
                               std::to_string(mine.W.rows()) + " x " +
                               std::to_string(mine.W.cols()));
    }
    mine.W = theirs.W;  // the wiring stays the configured one
    mine.b = theirs.b;
    mine.dann = theirs.dann;  // network.dale dann: the components W holds the effect of
  }
}

void mark_run_file(const std::filesystem::path& path, const std::string& status,
                   const std::string& detail) {
  // A copy is edited and renamed over the file: an edit in place killed half-way could leave the
  // run's only checkpoint unreadable, and would fail while a reader holds the file open.
  h5::verify_seal(path);
  h5::AtomicWriter edit(path, h5::AtomicWriter::EditCopy{}, h5::Sealing::kSealed);
  edit.file().set_attr("/", "status", status);
  edit.file().set_attr("/", "status_detail", detail);
  h5::detail::test_pause_point("mark-edited");
  edit.commit();
}

}  // namespace gaitsim
