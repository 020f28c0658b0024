// `gaitsim settle`: both phases of the settling dynamics for the first N test stimuli, with
// every layer's rates over time, written to an HDF5 file (docs/dynamics.md, docs/file-formats.md).
#include <cstdio>

#include "analysis/atomic_file.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/batches.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "sim/run_record.hpp"
#include "sim/settling_phases.hpp"
#include "sim/trajectory_writer.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

struct SettleOptions {
  fs::path checkpoint, out;
  long long stimuli = 10;
  bool force = false;
};

void phase_attrs(h5::File& f, const std::string& obj, const RelaxReport& r) {
  f.set_attr(obj, "converged", r.converged);
  f.set_attr(obj, "convergence_time_ms", r.time_ms);
  f.set_attr(obj, "final_residual", r.residual);
  f.set_attr(obj, "steps", static_cast<long long>(r.steps));
  f.set_attr(obj, "rhs_evaluations", static_cast<long long>(r.rhs_evals));
}

template <class T>
int run_settle(const Config& c, const SettleOptions& o, const datasets::DataSplit& data) {
  Network<double> net = build_network(c, static_cast<int>(data.train.x.cols()), data.train.classes);
  if (!o.checkpoint.empty()) load_weights(o.checkpoint, net);
  const auto seed = feedback_seed(c.network);
  DynamicsConfig dyn = c.dynamics;
  dyn.mode = "settle";
  Engine<T> settle(net.template cast<T>(), c.learning, seed, dyn);
  Engine<T> algebraic(net.template cast<T>(), c.learning, seed);
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

  h5::AtomicWriter writer(o.out);
  h5::File& f = writer.file();
  f.set_attr("/", "format", "gaitsim-settle");
  f.set_attr("/", "format_version", 1LL);
  f.set_attr("/", "config", c.to_yaml());
  f.set_attr("/", "algorithm", c.learning.algorithm);
  f.set_attr("/", "precision", c.learning.precision);
  f.set_attr("/", "stepper", dyn.stepper);
  f.set_attr("/", "feedback", dyn.feedback);
  f.set_attr("/", "tau_ms", dyn.tau_ms);
  f.set_attr("/", "dt_ms", dyn.dt_ms);
  f.set_attr("/", "tol", dyn.tol);
  f.set_attr("/", "depth", static_cast<long long>(L));
  f.set_attr("/", "convention",
             "layers/<l>/free and target: (time, stimulus, unit) rates; target is the target-phase "
             "rate v_l = h_l - u_l / mult_l (the clamped target t_L for l = L), target_delta is "
             "u_l = mult_l (h_l - v_l); forward and onesweep_target: (stimulus, unit), algebraic");
  f.write_matrix("/x", x.template cast<double>());
  f.write_vector("/y", y);
  f.write_vector("/time_ms/free", fr.time);
  f.write_vector("/time_ms/target", tr.time);
  phase_attrs(f, "/time_ms/free", fr.report);
  phase_attrs(f, "/time_ms/target", tr.report);
  std::vector<std::string> names;
  std::vector<long long> widths;
  const Activity<T>& act = algebraic.activity();
  const ErrorSignals<T>& sig = algebraic.signals();
  for (int l = 1; l <= L; ++l) {
    const std::string g = "/layers/" + std::to_string(l);
    const auto& layer = settle.network().layer(l);
    const Mat<double> h = act.h[l].template cast<double>();
    const Mat<double> t = target_from_delta<double>(h, sig.D[l].template cast<double>(),
                                                    sig.mult[l].template cast<double>());
    f.write_matrix(g + "/forward", h);
    f.write_matrix(g + "/onesweep_target", t);
    f.write_matrix(g + "/onesweep_delta", sig.D[l].template cast<double>());
    f.write_matrix(g + "/settled_delta", settle.signals().D[l].template cast<double>());
    f.write_matrix(g + "/dW_settle", g_settle.dW[l].template cast<double>());
    f.write_matrix(g + "/dW_algebraic", g_alg.dW[l].template cast<double>());
    f.set_attr(g, "name", layer.pop.name);
    f.set_attr(g, "width", static_cast<long long>(layer.pop.width));
    f.set_attr(g, "passed_on", static_cast<long long>(layer.pop.passed_on));
    f.set_attr(g, "activation", layer.pop.transfer.kind);
    names.push_back(layer.pop.name);
    widths.push_back(layer.pop.width);
    f.flush();
    write_array3(writer.temp_path(), g + "/free", fr.rate[l]);
    write_array3(writer.temp_path(), g + "/target", tr.rate[l]);
    write_array3(writer.temp_path(), g + "/target_delta", tr.delta[l]);
  }
  f.set_attr("/layers", "names", names);    // a string array, layer 1 first
  f.write_vector("/layer_widths", widths);  // beside /layers, whose members are all groups
  writer.commit();

  std::printf("settled %lld test stimuli (%s, %s, tau %g ms, %s feedback)\n",
              static_cast<long long>(x.rows()), c.learning.algorithm.c_str(), dyn.stepper.c_str(),
              dyn.tau_ms, dyn.feedback.c_str());
  for (const auto& [phase, r] : {std::pair{"free", fr.report}, std::pair{"target", tr.report}}) {
    std::printf("%-7s %s at %.3f ms, %lld steps, residual %.3g\n", phase,
                r.converged ? "converged" : "NOT converged", r.time_ms,
                static_cast<long long>(r.steps), r.residual);
  }
  std::printf("trajectories: %s\n", o.out.c_str());
  return kOk;
}

int settle(const Config& c, const SettleOptions& o) {
  if (fs::exists(o.out) && !o.force) {
    throw ConfigError(o.out.string() + " exists; use --force to overwrite it");
  }
  if (o.stimuli < 1) throw ConfigError("--stimuli must be at least 1");
  const fs::path dir = c.data.folder();
  const auto data =
      datasets::load_dataset(c.data.dataset, dir, 1, static_cast<std::size_t>(o.stimuli));
  return with_precision(c.learning, [&]<class T>() { return run_settle<T>(c, o, data); });
}

class SettleCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "settle",
        "run the free and target phase as settling dynamics for the first N test stimuli and "
        "record every layer's rates over time");
    config_.attach(*cmd);
    cmd->add_option("--checkpoint", checkpoint_, "weights from a run file or checkpoint")
        ->check(CLI::ExistingFile);
    cmd->add_option("--stimuli", options_.stimuli, "number of test stimuli (the first N)")
        ->check(integer_at_least(1));
    cmd->add_option("--out", out_, "HDF5 file for the trajectories")->required();
    cmd->add_flag("--force", options_.force, "overwrite an existing output file");
    return cmd;
  }

  int run() override {
    options_.checkpoint = checkpoint_;
    options_.out = out_;
    return settle(config_.load(), options_);
  }

 private:
  ConfigOptions config_;
  SettleOptions options_;
  std::string checkpoint_, out_;
};

}  // namespace

std::unique_ptr<Command> make_settle_command() { return std::make_unique<SettleCommand>(); }

}  // namespace gaitsim
