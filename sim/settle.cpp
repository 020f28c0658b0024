#include "sim/settle.hpp"

#include <cmath>

#include "analysis/atomic_file.hpp"
#include "analysis/responses_layout.hpp"
#include "analysis/trajectory_file.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/batches.hpp"
#include "sim/engine.hpp"
#include "sim/feedback_checkpoint.hpp"
#include "sim/network_builder.hpp"
#include "analysis/run_file.hpp"
#include "sim/settling_phases.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace fs = std::filesystem;
namespace rl = responses_layout;

namespace {

// A complete (rows, cols) float64 dataset, row-major on disk like h5::File::write_matrix.
void write_rows(h5::StreamFile& f, const std::string& path, const Eigen::MatrixXd& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  f.create_stream(path, h5::scalar_type<double>(), {static_cast<hsize_t>(r.cols())},
                  static_cast<hsize_t>(std::max<Eigen::Index>(1, r.rows())), 0);
  f.append(path, r.data(), static_cast<hsize_t>(r.rows()));
}

void write_header(h5::StreamFile& f, const Config& c, const DynamicsConfig& dyn, int depth) {
  f.set_attr("/", rl::kFormatAttr, "gaitsim-settle");
  f.set_attr("/", rl::kFormatVersionAttr, 2LL);
  f.set_attr("/", "config", c.to_yaml());
  f.set_attr("/", "algorithm", c.learning.algorithm);
  f.set_attr("/", "precision", c.learning.precision);
  f.set_attr("/", "stepper", dyn.stepper);
  f.set_attr("/", "feedback", dyn.feedback);
  f.set_attr("/", "feedback_mode", c.feedback.mode);
  f.set_attr("/", "tau_ms", dyn.tau_ms);
  f.set_attr("/", "dt_ms", dyn.dt_ms);
  f.set_attr("/", "tol", dyn.tol);
  f.set_attr("/", "depth", static_cast<long long>(depth));
  f.set_attr("/", "convention",
             "layers/<name>/trajectory_free and trajectory_target: (time, stimulus, unit) rates; "
             "trajectory_target is the target-phase rate v_l = h_l - u_l / mult_l (the clamped "
             "target t_L for l = L), trajectory_target_delta is u_l = mult_l (h_l - v_l); rates, "
             "targets and target_delta: (stimulus, unit), the algebraic one-sweep fixed points");
}

template <class T>
SettleResult run_settle(const Config& c, const SettleOptions& o, const datasets::DataSplit& data) {
  Network<double> net = build_network(c, static_cast<int>(data.train.x.cols()), data.train.classes);
  if (!o.checkpoint.empty()) load_weights(o.checkpoint, net);
  const auto seed = feedback_seed(c.network);
  DynamicsConfig dyn = c.dynamics;
  dyn.mode = "settle";
  // feedback.mode learned: both target phases go through the checkpoint's Q_l
  Engine<T> settle(net.template cast<T>(), c.learning, seed, dyn, c.feedback);
  Engine<T> algebraic(net.template cast<T>(), c.learning, seed, {}, c.feedback);
  load_feedback(o.checkpoint, settle);
  load_feedback(o.checkpoint, algebraic);
  Mat<T> x;
  Eigen::VectorXi y;
  first_rows(data.test, std::min<Eigen::Index>(o.stimuli, data.test.size()), x, y);
  auto& phases = dynamic_cast<SettlingPhases<T>&>(settle.phases());
  phases.set_recording(true);
  Gradients<T> g_settle, g_alg;
  settle.updates(settle.rule(), x, y, g_settle);
  algebraic.updates(algebraic.rule(), x, y, g_alg);
  const PhaseTrajectory& fr = phases.free_trajectory();
  const PhaseTrajectory& tr = phases.target_trajectory();
  const int L = settle.network().depth();
  const auto N = static_cast<long long>(x.rows());

  h5::AtomicStreamWriter writer(o.out);
  h5::StreamFile& f = writer.file();
  write_header(f, c, dyn, L);
  write_rows(f, "/x", x.template cast<double>());
  std::vector<long long> ids(static_cast<std::size_t>(N));
  for (long long i = 0; i < N; ++i) ids[static_cast<std::size_t>(i)] = i;
  f.write_vector(rl::kStimulusId, ids);
  f.write_vector(rl::kLabels, std::vector<int>(y.data(), y.data() + y.size()));
  std::vector<std::string> names;
  std::vector<long long> widths;
  std::vector<TrajectoryLayer> driven;
  for (int l = 0; l <= L; ++l) {
    const PopulationParams& p = net.population(l);
    names.push_back(p.name);
    widths.push_back(p.width);
    if (l > 0) driven.push_back({p.name, l, p.width});
  }
  f.write_strings(rl::kLayerNames, names);
  f.write_vector(rl::kLayerWidths, widths);
  const Activity<T>& act = algebraic.activity();
  const ErrorSignals<T>& sig = algebraic.signals();
  for (int l = 1; l <= L; ++l) {
    const std::string g = rl::layer_group(names[static_cast<std::size_t>(l)]);
    const auto& layer = settle.network().layer(l);
    const Mat<double> h = act.h[l].template cast<double>();
    const Mat<double> D = sig.D[l].template cast<double>();
    write_rows(f, g + "/" + rl::kRates, h);
    write_rows(f, g + "/" + rl::kTargets,
               target_from_delta<double>(h, D, sig.mult[l].template cast<double>()));
    write_rows(f, g + "/" + rl::kTargetDelta, D);
    write_rows(f, g + "/settled_delta", settle.signals().D[l].template cast<double>());
    write_rows(f, g + "/dW_settle", g_settle.dW[l].template cast<double>());
    write_rows(f, g + "/dW_algebraic", g_alg.dW[l].template cast<double>());
    f.set_attr(g, "index", static_cast<long long>(l));
    f.set_attr(g, "width", static_cast<long long>(layer.pop.width));
    f.set_attr(g, "passed_on", static_cast<long long>(layer.pop.passed_on));
    f.set_attr(g, "activation", layer.pop.transfer.kind);
  }
  TrajectoryWriter trajectories(f, driven, h5::scalar_type<double>(), 0, N,
                                {fr.time.empty() ? 0.0 : fr.time.back(), dyn.record_every_ms,
                                 dyn.tau_ms, dyn.dt_ms, dyn.tol, dyn.stepper, dyn.feedback});
  trajectories.begin();
  trajectories.append(0, N, trajectory_view(fr, false), trajectory_view(tr, true));
  writer.commit();
  return {N, fr.report, tr.report};
}

}  // namespace

SettleResult settle(const Config& c, const SettleOptions& o) {
  if (fs::exists(o.out) && !o.force) {
    throw ConfigError(o.out.string() + " exists; use --force to overwrite it");
  }
  if (o.stimuli < 1) throw ConfigError("--stimuli must be at least 1");
  const fs::path dir = c.data.folder();
  const auto data =
      datasets::load_dataset(c.data.dataset, dir, 1, static_cast<std::size_t>(o.stimuli));
  return with_precision(c.learning, [&]<class T>() { return run_settle<T>(c, o, data); });
}

}  // namespace gaitsim
