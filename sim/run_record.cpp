#include "sim/run_record.hpp"

#include <chrono>
#include <cmath>

#include "analysis/atomic_file.hpp"
#include "neurons/conv_wiring.hpp"

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

void write_metrics(h5::File& f, const RunRecord& run) {
  const auto& E = run.epochs;
  std::vector<int> epoch;
  for (const auto& e : E) epoch.push_back(e.epoch);
  f.write_vector("/metrics/epoch", epoch);
  f.write_vector("/metrics/train_loss", column(E, [](auto& e) { return e.train_loss; }));
  f.write_vector("/metrics/train_accuracy", column(E, [](auto& e) { return e.train_accuracy; }));
  f.write_vector("/metrics/test_loss", column(E, [](auto& e) { return e.test_loss; }));
  f.write_vector("/metrics/test_accuracy", column(E, [](auto& e) { return e.test_accuracy; }));
  if (run.weights.classes > 10) {
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

std::vector<SettlingRecord> read_settling(const h5::File& f) {
  std::vector<SettlingRecord> out;
  if (!f.exists("/settling/epoch")) return out;
  const auto epoch = f.read_vector<int>("/settling/epoch");
  out.resize(epoch.size());
  for (std::size_t i = 0; i < epoch.size(); ++i) out[i].epoch = epoch[i];
  for (const auto& [name, member] : settling_fields()) {
    const auto v = f.read_vector<double>(std::string("/settling/") + name);
    for (std::size_t i = 0; i < out.size() && i < v.size(); ++i) out[i].*member = v[i];
  }
  return out;
}

std::shared_ptr<const Wiring> read_wiring(const h5::File& f, const std::string& path,
                                          int passed_on) {
  if (!f.has_attr(path, "wiring") || f.attr_string(path, "wiring") != "conv") return nullptr;
  ConvParams p;
  for (const auto& [name, member] :
       {std::pair{"in_channels", &ConvParams::in_channels},
        std::pair{"in_height", &ConvParams::in_height},
        std::pair{"in_width", &ConvParams::in_width}, std::pair{"kernel", &ConvParams::kernel},
        std::pair{"stride", &ConvParams::stride}, std::pair{"channels", &ConvParams::channels}}) {
    p.*member = static_cast<int>(f.attr_int(path, name));
  }
  p.in_layout = f.attr_string(path, "in_layout") == "planar" ? ImageLayout::kPlanar
                                                             : ImageLayout::kInterleaved;
  // The population stores passed_on = positions x channels passed on.
  p.passed_on = 1;
  p.passed_on = passed_on / ConvWiring(p).geometry().positions;
  return std::make_shared<ConvWiring>(p);
}

void write_weights(h5::File& f, const Network<double>& net) {
  for (int l = 1; l <= net.depth(); ++l) {
    const auto& layer = net.layer(l);
    f.write_matrix(layer_path(l) + "/W", layer.in.W);
    f.write_vector(layer_path(l) + "/b", layer.in.b);
    f.set_attr(layer_path(l), "name", layer.pop.name);
    f.set_attr(layer_path(l), "activation", layer.pop.transfer.kind);
    f.set_attr(layer_path(l), "slope", layer.pop.transfer.slope);
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
  f.set_attr("/state", "progress_fields", "epochs_done, batch, step, correct, seen");
  f.write_vector("/state/optimizer_steps", std::vector<long long>{run.optimizer.steps});
  for (const auto& [name, tensor] : run.optimizer.tensors) {
    f.write_matrix("/state/optimizer/" + name, tensor);
  }
}

Network<double> read_weights(const h5::File& f) {
  Network<double> net;
  net.classes = static_cast<int>(f.attr_int("/weights", "classes"));
  const int L = static_cast<int>(f.attr_int("/weights", "depth"));
  const int input_width = static_cast<int>(f.attr_int("/weights", "input_width"));
  for (int l = 1; l <= L; ++l) {
    const std::string p = layer_path(l);
    TransferParams transfer{f.attr_string(p, "activation"), f.attr_double(p, "slope")};
    Mat<double> W = f.read_matrix<double>(p + "/W");
    const auto b = f.read_vector<double>(p + "/b");
    const int width =
        f.has_attr(p, "width") ? static_cast<int>(f.attr_int(p, "width")) : int(W.cols());
    const int passed_on = static_cast<int>(f.attr_int(p, "passed_on"));
    PopulationParams pop{f.attr_string(p, "name"), width, passed_on, transfer};
    auto wiring = read_wiring(f, p, passed_on);
    net.layers.push_back(
        {pop,
         make_transfer(transfer),
         {std::move(W), Eigen::Map<const RowVec<double>>(b.data(), b.size()), std::move(wiring)}});
  }
  net.input = {"input",
               input_width,
               L > 0 ? static_cast<int>(net.layer(1).in.pre_units()) : 0,
               {"linear", 1.0}};
  return net;
}

std::vector<EpochRecord> read_metrics(const h5::File& f, int classes) {
  const auto epoch = f.read_vector<int>("/metrics/epoch");
  const auto train_loss = f.read_vector<double>("/metrics/train_loss");
  const auto train_acc = f.read_vector<double>("/metrics/train_accuracy");
  const auto test_loss = f.read_vector<double>("/metrics/test_loss");
  const auto test_acc = f.read_vector<double>("/metrics/test_accuracy");
  const auto seconds = f.read_vector<double>("/metrics/epoch_seconds");
  const auto top5 = classes > 10 ? f.read_vector<double>("/metrics/test_top5_accuracy")
                                 : std::vector<double>(epoch.size(), NAN);
  const Mat<double> ortho = f.read_matrix<double>("/orthogonality/error");
  std::vector<EpochRecord> out;
  for (std::size_t i = 0; i < epoch.size(); ++i) {
    EpochRecord e{epoch[i],    train_loss[i], train_acc[i], test_loss[i],
                  test_acc[i], top5[i],       seconds[i],   {}};
    for (Eigen::Index j = 0; j < ortho.cols(); ++j) e.ortho_error.push_back(ortho(i, j));
    out.push_back(e);
  }
  return out;
}

std::vector<AlignmentRecord> read_alignment(const h5::File& f) {
  const auto steps = f.read_vector<long long>("/alignment/step");
  const Mat<double> cosine = f.read_matrix<double>("/alignment/cosine");
  const Mat<double> angle = f.read_matrix<double>("/alignment/angle_deg");
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

void read_state(const h5::File& f, RunRecord& run) {
  const auto p = f.read_vector<long long>("/state/progress");
  run.progress = {
      static_cast<int>(p[0]), p[1], p[2], f.read_vector<double>("/state/loss_sum")[0], p[3], p[4]};
  run.optimizer.steps = f.read_vector<long long>("/state/optimizer_steps")[0];
  if (!f.exists("/state/optimizer")) return;
  for (const auto& moment : f.list("/state/optimizer")) {
    for (const auto& kind : f.list("/state/optimizer/" + moment)) {
      for (const auto& l : f.list("/state/optimizer/" + moment + "/" + kind)) {
        const std::string name = moment + "/" + kind + "/" + l;
        run.optimizer.tensors[name] = f.read_matrix<double>("/state/optimizer/" + name);
      }
    }
  }
}

void require_run_file(const h5::File& f) {
  // A killed checkpoint write can leave a temporary file that looks complete but never became
  // the run's state.
  if (h5::is_atomic_temp_of(f.path(), "run.h5")) {
    throw std::runtime_error(f.path().string() +
                             ": a temporary file of an unfinished checkpoint write, not a run file "
                             "(use the run.h5 beside it)");
  }
  if (!f.has_attr("/", "format") || f.attr_string("/", "format") != kFormat) {
    throw std::runtime_error(f.path().string() +
                             ": not a gaitsim run file or checkpoint (no format = gaitsim-run)");
  }
}

}  // namespace

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
  h5::AtomicWriter writer(path);
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
  writer.commit();
}

RunRecord read_run_file(const std::filesystem::path& path) {
  const h5::File f = h5::File::open_read(path);
  require_run_file(f);
  RunRecord run;
  run.status = f.attr_string("/", "status");
  run.config_yaml = f.attr_string("/", "config");
  run.precision = f.attr_string("/", "precision");
  run.weights = read_weights(f);
  run.epochs = read_metrics(f, run.weights.classes);
  run.alignment = read_alignment(f);
  run.settling = read_settling(f);
  run.ortho_layers = f.read_vector<int>("/orthogonality/layers");
  read_state(f, run);
  return run;
}

void load_weights(const std::filesystem::path& path, Network<double>& net) {
  const h5::File f = h5::File::open_read(path);
  require_run_file(f);
  const Network<double> stored = read_weights(f);
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
  }
}

void mark_run_file(const std::filesystem::path& path, const std::string& status,
                   const std::string& detail) {
  // A copy is edited and renamed over the file: an edit in place killed half-way could leave the
  // run's only checkpoint unreadable, and would fail while a reader holds the file open.
  h5::AtomicWriter edit(path, h5::AtomicWriter::EditCopy{});
  edit.file().set_attr("/", "status", status);
  edit.file().set_attr("/", "status_detail", detail);
  h5::detail::test_pause_point("mark-edited");
  edit.commit();
}

}  // namespace gaitsim
