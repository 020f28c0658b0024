#include "sim/record.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <memory>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_stream.hpp"
#include "analysis/responses_layout.hpp"
#include "analysis/responses_writer.hpp"
#include "sim/engine.hpp"
#include "sim/feedback_checkpoint.hpp"
#include "sim/network_builder.hpp"
#include "analysis/run_file.hpp"
#include "sim/settling_phases.hpp"
#include "sim/stimulus_spec.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace fs = std::filesystem;
namespace rl = responses_layout;

namespace {

// --trajectories: default duration in membrane time constants (capped at dynamics.max_time_ms),
// and the memory one chunk's trajectories may take when --chunk is not given.
constexpr double kTrajectoryTaus = 20.0;
constexpr double kTrajectoryBudgetBytes = 256.0 * (1 << 20);

std::string number_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string describe_layer(const ResponseLayer& l, int classes, int depth) {
  if (l.index == 0) return "input: the stimulus itself (clamped population 0)";
  std::string d = "population " + std::to_string(l.index) + " of " + std::to_string(depth) + ", " +
                  l.activation +
                  (l.activation == "leaky_relu" ? " slope " + std::to_string(l.slope) : "");
  if (l.index == depth) {
    d += "; the first " + std::to_string(classes) + " units are the classes, the rest auxiliary";
  } else if (l.passed_on < l.width) {
    d += "; the first " + std::to_string(l.passed_on) +
         " units drive the layer above, the rest are auxiliary";
  }
  return d;
}

// A unit's cell type: auxiliary where the layer above does not read it, else the sign of its
// outgoing synapses (network.dale sign: the projection above's sign of its row). The output's
// class units have no outgoing synapses; they are the excitatory principal units the readout
// sees. Under network.dale dann every unit passed on is excitatory (its layer's interneurons
// are rows of their own, ResponseLayer::interneurons). Empty when the network has no Dale
// constraint.
std::vector<std::string> cell_types(const Network<double>& net, int l) {
  const bool dale = std::any_of(net.layers.begin(), net.layers.end(), [](const auto& layer) {
    return layer.in.signs != nullptr || layer.in.dann;
  });
  if (!dale) return {};
  const PopulationParams& p = net.population(l);
  std::vector<std::string> out(static_cast<std::size_t>(p.width), rl::kCellAuxiliary);
  const PresynapticSigns* signs = l < net.depth() ? net.layer(l + 1).in.signs.get() : nullptr;
  for (int u = 0; u < p.passed_on; ++u) {
    const bool inhibitory = signs && signs->signs()(u) < 0;
    out[static_cast<std::size_t>(u)] = inhibitory ? rl::kCellInhibitory : rl::kCellExcitatory;
  }
  return out;
}

std::vector<ResponseLayer> response_layers(const Network<double>& net, int classes) {
  std::vector<ResponseLayer> out;
  for (int l = 0; l <= net.depth(); ++l) {
    const PopulationParams& p = net.population(l);
    ResponseLayer info{p.name,           l,  p.width, p.passed_on, p.transfer.kind,
                       p.transfer.slope, {}, {},      {}};
    info.auxiliary.assign(static_cast<std::size_t>(p.width), 0);
    for (int u = p.passed_on; u < p.width; ++u) info.auxiliary[static_cast<std::size_t>(u)] = 1;
    info.description = describe_layer(info, classes, net.depth());
    info.cell_type = cell_types(net, l);
    if (l > 0 && net.layer(l).in.dann) {
      info.interneurons = static_cast<int>(net.layer(l).in.dann->interneurons());
    }
    out.push_back(std::move(info));
  }
  return out;
}

template <class T>
std::vector<Eigen::MatrixXd> as_double(const std::vector<Mat<T>>& m) {
  std::vector<Eigen::MatrixXd> out;
  out.reserve(m.size());
  for (const auto& x : m) out.push_back(x.template cast<double>());
  return out;
}

// network.dale dann: z_l = h_{l-1} W^IE for each layer with interneurons (empty for the others).
template <class T>
std::vector<Eigen::MatrixXd> interneuron_rates(const Network<T>& net,
                                               const std::vector<Mat<T>>& h) {
  std::vector<Eigen::MatrixXd> out(h.size());
  for (int l = 1; l <= net.depth(); ++l) {
    const auto& dann = net.layer(l).in.dann;
    if (dann) out[l] = dann->interneuron_rates(h[l - 1]).template cast<double>();
  }
  return out;
}

template <class T>
void run_chunks(const Config& c, const RecordOptions& o, const Network<double>& net,
                const StimulusSet& s, ResponsesWriter& w, const RecordObserver& observer,
                RecordResult& result) {
  // feedback.mode learned: the targets go through the checkpoint's Q_l (D_{l-1} = r_l Q_l)
  Engine<T> engine(net.template cast<T>(), c.learning, feedback_seed(c.network), {}, c.feedback);
  load_feedback(o.checkpoint, engine);
  const auto N = static_cast<long long>(s.ids.size());
  Activity<T> act;
  Gradients<T> grads;
  // --trajectories: both phases settled by the configured dynamics for exactly trajectory_ms
  // (staying at the fixed point once converged), whatever dynamics.mode is; rates and targets
  // stay the algebraic fixed points.
  std::unique_ptr<Engine<T>> settle;
  SettlingPhases<T>* phases = nullptr;
  if (o.trajectories) {
    DynamicsConfig dyn = c.dynamics;
    dyn.mode = "settle";
    dyn.max_time_ms = o.trajectory_ms;
    settle = std::make_unique<Engine<T>>(net.template cast<T>(), c.learning,
                                         feedback_seed(c.network), dyn, c.feedback);
    load_feedback(o.checkpoint, *settle);
    phases = &dynamic_cast<SettlingPhases<T>&>(settle->phases());
    phases->set_recording(true);
    phases->set_min_time(o.trajectory_ms);
  }
  long long chunks = 0;
  for (long long begin = 0; begin < N; begin += o.chunk) {
    if (o.fail_after >= 0 && chunks == o.fail_after) {
      throw std::runtime_error("injected failure after " + std::to_string(chunks) +
                               " chunks (--fail-after-chunks, a test hook)");
    }
    const long long end = std::min(N, begin + o.chunk);
    const Mat<T> x = s.x.middleRows(begin, end - begin).template cast<T>();
    ResponseChunk chunk{begin,
                        {s.ids.begin() + begin, s.ids.begin() + end},
                        {s.labels.begin() + begin, s.labels.begin() + end},
                        {},
                        {},
                        {},
                        {},
                        {}};
    const Eigen::VectorXi y = Eigen::Map<const Eigen::VectorXi>(chunk.labels.data(), end - begin);
    if (o.targets) {
      engine.updates(engine.rule(), x, y, grads);
      const Activity<T>& a = engine.activity();
      const ErrorSignals<T>& sig = engine.signals();
      chunk.rates = as_double(a.h);
      chunk.targets.resize(a.h.size());
      for (std::size_t l = 1; l < a.h.size(); ++l) {
        chunk.targets[l] = target_from_delta(a.h[l], sig.D[l], sig.mult[l]).template cast<double>();
      }
      chunk.deltas = as_double(sig.D);
      for (const auto& m : sig.mult) chunk.scales.push_back(m.template cast<double>());
    } else {
      engine.network().forward(x, act);
      chunk.rates = as_double(act.h);
    }
    chunk.interneuron_rates =
        interneuron_rates(engine.network(), o.targets ? engine.activity().h : act.h);
    w.append(chunk);
    if (settle) {
      settle->updates(settle->rule(), x, y, grads);
      const PhaseTrajectory& fr = phases->free_trajectory();
      const PhaseTrajectory& tr = phases->target_trajectory();
      w.append_trajectories(begin, end - begin, trajectory_view(fr, false),
                            trajectory_view(tr, true));
      result.free_stats.add(fr.report);
      result.target_stats.add(tr.report);
    }
    ++chunks;
    if (observer.progress) observer.progress(end, N);
  }
}

// Bytes of one stimulus's trajectories held in memory: free rates, target rates and deltas of
// layers 1..L, float64, at the samples of a trajectory_ms run (an estimate: Euler samples at most
// once per step).
double trajectory_bytes_per_stimulus(const Config& c, const Network<double>& net, double ms) {
  const auto& d = c.dynamics;
  const double spacing =
      d.stepper == "euler" ? std::max(d.record_every_ms, d.dt_ms) : d.record_every_ms;
  const double samples = std::floor(ms / spacing) + 2;
  double units = 0;
  for (int l = 1; l <= net.depth(); ++l) units += net.width(l);
  return samples * units * 3 * sizeof(double);
}

void check_options(const Config& c, RecordOptions& o) {
  bool known = false;
  for (const auto& f : responses_formats()) known = known || f == o.format;
  if (!known) throw ConfigError("--format " + o.format + ": expected gaitsim or nwb");
  if (o.trajectory_ms_given && !o.trajectories) {
    throw ConfigError(
        "--trajectory-ms sets the duration of settling trajectories: it needs --trajectories");
  }
  if (o.trajectory_ms_given && !(o.trajectory_ms > 0 && std::isfinite(o.trajectory_ms))) {
    throw ConfigError("--trajectory-ms " + number_g(o.trajectory_ms) +
                      ": expected a positive duration in ms (how long both phases are integrated "
                      "and recorded)");
  }
  if (o.trajectories && o.format == "nwb") {
    throw ConfigError(
        "--trajectories is not supported with --format nwb: NWB files hold one "
        "row per stimulus presentation here; write settling trajectories in the "
        "gaitsim layout (--format gaitsim, the default)");
  }
  if (o.trajectories && !o.trajectory_ms_given) {
    o.trajectory_ms = std::min(c.dynamics.max_time_ms, kTrajectoryTaus * c.dynamics.tau_ms);
  }
  if (o.out.empty() || !o.out.has_filename())
    throw ConfigError("--out needs a file name, e.g. responses.h5");
  if (fs::exists(o.out) && !o.force) {
    throw ConfigError(o.out.string() + " exists; use --force to overwrite it");
  }
  const fs::path dir = o.out.has_parent_path() ? o.out.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("cannot write " + o.out.string() + ": the folder " + dir.string() +
                             " does not exist");
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    throw std::runtime_error("cannot write " + o.out.string() + ": the folder " + dir.string() +
                             " is not writable");
  }
}

void check_labels(const RecordOptions& o, const StimulusSet& s, int classes) {
  if (!o.targets && !o.trajectories) return;
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    if (s.labels[i] < 0 || s.labels[i] >= classes) {
      throw ConfigError(std::string(o.targets ? "--targets" : "--trajectories") +
                        " needs the true label of every stimulus; stimulus " +
                        std::to_string(s.ids[i]) + " of " + s.description + " has " +
                        (s.labels[i] < 0 ? "none" : "label " + std::to_string(s.labels[i])));
    }
  }
}

// Removes OUT.<pid>.partial files left by killed runs: only those whose process is gone (a
// live pid may be another record writing the same OUT right now).
void remove_stale_partials(const fs::path& out) {
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const std::string prefix = out.filename().string() + ".", suffix = ".partial";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
        !name.ends_with(suffix)) {
      continue;
    }
    const std::string pid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid.size() > 9) continue;
    const auto p = static_cast<pid_t>(std::stol(pid));
    if (p <= 0 || p == ::getpid()) continue;
    if (::kill(p, 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
  }
}

ResponsesHeader make_header(const Config& c, const RecordOptions& o, const StimulusSet& s,
                            int classes, const std::string& hash) {
  ResponsesHeader h;
  h.config_yaml = c.to_yaml();
  h.config_file = c.source;
  h.checkpoint_path = o.checkpoint.string();
  h.checkpoint_hash = hash;
  h.weights = o.checkpoint.empty()
                  ? "initial weights drawn from network.seed = " + std::to_string(c.network.seed)
                  : "checkpoint " + o.checkpoint.string() + " (FNV-1a 64: " + hash + ")";
  h.stimuli = o.stimuli;
  h.stimulus_source = s.description;
  h.stimulus_count = static_cast<long long>(s.ids.size());
  h.classes = classes;
  h.algorithm = c.learning.algorithm;
  h.precision = c.learning.precision;
  h.feedback_mode = c.feedback.mode;
  h.dtype = o.dtype == "float64" ? h5::scalar_type<double>() : h5::scalar_type<float>();
  h.gzip = o.gzip;
  h.targets = o.targets;
  h.trajectories = o.trajectories;
  const auto& d = c.dynamics;
  h.trajectory = {o.trajectory_ms, d.record_every_ms, d.tau_ms,  d.dt_ms,
                  d.tol,           d.stepper,         d.feedback};
  return h;
}

}  // namespace

RecordResult record(const Config& c, const RecordOptions& options, const RecordObserver& observer) {
  RecordOptions o = options;
  check_options(c, o);
  remove_stale_partials(o.out);
  // A checkpoint fixes the network's input width and classes: file stimuli must match it.
  const Network<double> stored =
      o.checkpoint.empty() ? Network<double>{} : read_run_file(o.checkpoint).weights;
  const StimulusSet s = load_stimuli(o.stimuli, c, o.checkpoint.empty() ? 0 : stored.input.width);
  int classes = s.classes;
  if (classes == 0 && !o.checkpoint.empty()) classes = stored.classes;
  if (classes == 0) {
    throw std::runtime_error("cannot tell the number of classes: the dataset " + c.data.dataset +
                             " is not readable from " + c.data.folder().string() +
                             " and no --checkpoint was given");
  }
  Network<double> net = build_network(c, static_cast<int>(s.x.cols()), classes);
  std::string hash;
  if (!o.checkpoint.empty()) {
    load_weights(o.checkpoint, net);
    hash = h5::fnv1a64_file(o.checkpoint);
  }
  check_labels(o, s, classes);
  const auto N = static_cast<long long>(s.ids.size());
  RecordPlan plan{N, o.chunk, o.checkpoint.empty(), o.trajectory_ms, 0};
  if (o.trajectories) {
    const double per_stimulus = trajectory_bytes_per_stimulus(c, net, o.trajectory_ms);
    if (!o.chunk_given) {
      o.chunk = std::clamp<long long>(static_cast<long long>(kTrajectoryBudgetBytes / per_stimulus),
                                      1, o.chunk);
    }
    plan.chunk = o.chunk;
    plan.trajectory_bytes = per_stimulus * double(std::min(N, o.chunk));
  }
  if (observer.planned) observer.planned(plan);
  fs::path temp = o.out;
  temp += "." + std::to_string(::getpid()) + ".partial";
  const auto layers = response_layers(net, classes);
  RecordResult result{N, layers.size(), o.trajectory_ms, {}, {}};
  try {
    auto w = make_responses_writer(o.format, temp, make_header(c, o, s, classes, hash), layers);
    with_precision(c.learning,
                   [&]<class T>() { run_chunks<T>(c, o, net, s, *w, observer, result); });
    w->finish();
    h5::detail::atomic_replace(temp, o.out);  // synced, so a crash cannot leave it empty
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  return result;
}

}  // namespace gaitsim
