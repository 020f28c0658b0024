// `gaitsim record`: the forward rates (and optionally the targets and the settling trajectories
// of both phases) of every layer for a set of stimuli, streamed chunk by chunk into a chunked,
// gzip-compressed HDF5 file, in gaitsim's own layout or an NWB 2.x layout (no trajectories).
// The file is written under a temporary name with root attribute complete = 0 and renamed into
// place only once complete = 1, so a failed or killed export never leaves a file that looks
// complete.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_stream.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/cli/progress_bar.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "sim/run_record.hpp"
#include "sim/settling_phases.hpp"
#include "sim/stimulus_spec.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "gaitsim-responses";
constexpr long long kFormatVersion = 1;
constexpr const char* kNwbVersion = "2.7.0";
constexpr double kPresentationSeconds = 1.0;  // NWB: stimulus i is presented over [i, i + 1) s
// --trajectories: default duration in membrane time constants (capped at dynamics.max_time_ms),
// and the memory one chunk's trajectories may take when --chunk is not given.
constexpr double kTrajectoryTaus = 20.0;
constexpr double kTrajectoryBudgetBytes = 256.0 * (1 << 20);

struct RecordOptions {
  std::string stimuli;
  fs::path checkpoint, out;
  bool targets = false, force = false, quiet = false;
  std::string format = "gaitsim";  // gaitsim | nwb
  std::string dtype = "float32";   // float32 | float64
  long long chunk = 1000;          // stimuli per forward pass and append
  bool chunk_given = false;
  bool trajectories = false;  // settling trajectories of both phases
  double trajectory_ms = 0;   // their duration T [ms] (0: the default, see record())
  bool trajectory_ms_given = false;
  int gzip = 4;
  long long fail_after = -1;  // test hook: throw after this many chunks
};

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Where everything about one population goes in either layout.
struct LayerInfo {
  std::string name;
  int index = 0, width = 0, passed_on = 0;
  std::string activation;
  double slope = 1.0;
  std::vector<std::int8_t> auxiliary;  // 1 for units the layer above does not read
};

std::string number_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string describe_layer(const LayerInfo& l, int classes, int depth) {
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

class ResponseWriter {
 public:
  ResponseWriter(const RecordOptions& o, fs::path temp, const std::vector<LayerInfo>& layers,
                 long long total)
      : o_(o), f_(h5::StreamFile::create(temp)), layers_(layers), total_(total) {}

  h5::StreamFile& file() { return f_; }

  void begin(const Config& c, const StimulusSet& s, int classes, const std::string& hash) {
    const bool nwb = o_.format == "nwb";
    const int depth = static_cast<int>(layers_.size()) - 1;
    const auto t = o_.dtype == "float64" ? h5::scalar_type<double>() : h5::scalar_type<float>();
    const std::string weights =
        o_.checkpoint.empty()
            ? "initial weights drawn from network.seed = " + std::to_string(c.network.seed)
            : "checkpoint " + o_.checkpoint.string() + " (FNV-1a 64: " + hash + ")";
    // Provenance in both layouts.
    f_.set_attr("/", "complete", static_cast<std::int8_t>(0));
    f_.set_attr("/", "gaitsim_format", kFormat);
    f_.set_attr("/", "gaitsim_format_version", kFormatVersion);
    f_.set_attr("/", "config", c.to_yaml());
    f_.set_attr("/", "config_file", c.source);
    f_.set_attr("/", "checkpoint_path", o_.checkpoint.string());
    f_.set_attr("/", "checkpoint_hash", hash);
    f_.set_attr("/", "checkpoint_hash_algorithm", "FNV-1a 64-bit over the file's bytes, hex");
    f_.set_attr("/", "weights", weights);
    f_.set_attr("/", "stimuli", o_.stimuli);
    f_.set_attr("/", "stimulus_source", s.description);
    f_.set_attr("/", "stimulus_count", static_cast<long long>(total_));
    f_.set_attr("/", "classes", static_cast<long long>(classes));
    f_.set_attr("/", "algorithm", c.learning.algorithm);
    f_.set_attr("/", "precision", c.learning.precision);
    f_.set_attr("/", "created", h5::iso8601_now());
    f_.set_attr("/", "gaitsim_version", "0.1.0");
    std::vector<std::string> names;
    for (const auto& l : layers_) names.push_back(l.name);
    f_.set_attr("/", "layer_names", names);

    if (!nwb) {
      f_.set_attr("/", "format", kFormat);
      f_.set_attr("/", "format_version", kFormatVersion);
      f_.set_attr("/", "targets_recorded", static_cast<std::int8_t>(o_.targets));
      f_.set_attr("/", "trajectories_recorded", static_cast<std::int8_t>(o_.trajectories));
      if (o_.trajectories) begin_trajectories(c);
      f_.create_stream("/stimulus_id", h5::scalar_type<long long>(), {}, 4096, o_.gzip);
      f_.set_attr("/stimulus_id", "description",
                  "id of each stimulus (row): its index in the dataset split or the id given by "
                  "the stimulus file");
      f_.create_stream("/labels", h5::scalar_type<int>(), {}, 4096, o_.gzip);
      f_.set_attr("/labels", "description", "true class of each stimulus; -1 where unknown");
      f_.write_strings("/layer_names", names);
      std::vector<long long> widths;
      for (const auto& l : layers_) widths.push_back(l.width);
      f_.write_vector("/layer_widths", widths);
      for (const auto& l : layers_) {
        const std::string g = "/layers/" + l.name;
        f_.create_group(g);
        f_.set_attr(g, "index", static_cast<long long>(l.index));
        f_.set_attr(g, "width", static_cast<long long>(l.width));
        f_.set_attr(g, "passed_on", static_cast<long long>(l.passed_on));
        f_.set_attr(g, "activation", l.activation);
        f_.set_attr(g, "slope", l.slope);
        f_.set_attr(g, "description", describe_layer(l, classes, depth));
        f_.write_vector(g + "/auxiliary", l.auxiliary);
        f_.set_attr(g + "/auxiliary", "description",
                    "1 for auxiliary units (not read by the layer above; for the output: not a "
                    "class unit)");
        stream(g + "/rates", t, l.width,
               "forward (free-phase) rate h_l per stimulus (rows) and unit (columns)");
        if (o_.targets && l.index > 0) {
          stream(g + "/targets", t, l.width,
                 "target t_l = h_l - target_delta / target_scale of the configured rule for the "
                 "true label");
          stream(g + "/target_delta", t, l.width,
                 "D_l = target_scale (h_l - t_l): the rule's scaled difference, free of the "
                 "cancellation in h_l - t_l");
          f_.create_stream(g + "/target_scale", h5::scalar_type<double>(), {}, 4096, o_.gzip);
          f_.set_attr(g + "/target_scale", "description",
                      "mult_l per stimulus (1 for BP and FA and at the output; grows by 1/gamma "
                      "per layer down under GAIT)");
          f_.set_attr(g + "/target_scale", "unit", "1");
        }
      }
      return;
    }
    // NWB 2.x (see docs/file-formats.md and shared/docs/neuro-conventions.md).
    typed("/", "NWBFile", "core");
    f_.set_attr("/", "nwb_version", kNwbVersion);
    const std::string now = h5::iso8601_now();
    f_.write_string("/identifier", "gaitsim-" + h5::uuid4());
    f_.write_string("/session_description", "gaitsim record: layer rates of " + c.source + " (" +
                                                c.learning.algorithm + ", " + weights + ") for " +
                                                s.description);
    f_.write_string("/session_start_time", now);
    f_.write_string("/timestamps_reference_time", now);
    f_.write_strings("/file_create_date", {now});
    for (const char* g : {"/acquisition", "/analysis", "/processing", "/general",
                          "/stimulus/presentation", "/stimulus/templates", "/intervals"}) {
      f_.create_group(g);
    }
    f_.write_string("/general/source_script", c.to_yaml());
    f_.set_attr("/general/source_script", "file_name", c.source);
    f_.write_string("/general/notes", "weights: " + weights + "; stimuli: " + o_.stimuli +
                                          "; stimulus i is presented over [i, i+1) s: free phase "
                                          "at i s, target phase at i+0.5 s");
    f_.create_group("/processing/gaitsim");
    typed("/processing/gaitsim", "ProcessingModule", "core");
    f_.set_attr("/processing/gaitsim", "description",
                "rate-neuron network simulated by gaitsim: one TimeSeries per layer, one row per "
                "stimulus presentation");
    for (const auto& l : layers_) {
      timeseries(l.name, l, t, describe_layer(l, classes, depth) + "; free-phase rates");
      if (o_.targets && l.index > 0) {
        timeseries(l.name + "_target", l, t,
                   describe_layer(l, classes, depth) + "; target-phase targets for the true label");
      }
    }
  }

  template <class T>
  void append(const std::vector<long long>& ids, const std::vector<int>& labels, long long offset,
              const std::vector<Mat<T>>& rates, const std::vector<Mat<T>>* targets,
              const std::vector<Mat<T>>* deltas, const std::vector<ColVec<T>>* scales) {
    const auto n = static_cast<hsize_t>(ids.size());
    const bool nwb = o_.format == "nwb";
    if (!nwb) {
      f_.append("/stimulus_id", ids.data(), n);
      f_.append("/labels", labels.data(), n);
    }
    for (const auto& l : layers_) {
      const std::string base = nwb ? "/processing/gaitsim/" + l.name : "/layers/" + l.name;
      put(nwb ? base + "/data" : base + "/rates", rates[l.index]);
      if (targets != nullptr && l.index > 0) {
        put(nwb ? base + "_target/data" : base + "/targets", (*targets)[l.index]);
        if (!nwb) {
          put(base + "/target_delta", (*deltas)[l.index]);
          const Eigen::VectorXd s = (*scales)[l.index].template cast<double>();
          f_.append(base + "/target_scale", s.data(), n);
        }
      }
      if (nwb) {
        std::vector<double> ts(n), tt(n);
        for (hsize_t i = 0; i < n; ++i) {
          ts[i] = static_cast<double>(offset + static_cast<long long>(i)) * kPresentationSeconds;
          tt[i] = ts[i] + 0.5 * kPresentationSeconds;
        }
        f_.append(base + "/timestamps", ts.data(), n);
        if (targets != nullptr && l.index > 0) f_.append(base + "_target/timestamps", tt.data(), n);
      }
    }
    if (nwb) {
      for (hsize_t i = 0; i < n; ++i) {
        const double start =
            static_cast<double>(offset + static_cast<long long>(i)) * kPresentationSeconds;
        const double half = targets != nullptr ? 0.5 * kPresentationSeconds : kPresentationSeconds;
        trial(start, start + half, ids[i], labels[i], "free");
        if (targets != nullptr)
          trial(start + half, start + kPresentationSeconds, ids[i], labels[i], "target");
      }
    }
  }

  // The settling trajectories of one chunk (rows offset.., in the order of append()), layers
  // 1..L: appended along the stimulus axis of (time x stimulus x unit) streams created on the
  // first chunk, when the number of samples is known.
  void append_trajectories(long long offset, long long rows, const PhaseTrajectory& fr,
                           const PhaseTrajectory& tr) {
    if (times_free_.empty()) {
      create_trajectories(fr.time, tr.time);
    } else {
      same_times(times_free_, fr.time, "free");
      same_times(times_target_, tr.time, "target");
    }
    for (const auto& l : layers_) {
      if (l.index == 0) continue;
      const std::string g = "/layers/" + l.name;
      put3(g + "/trajectory_free", fr.rate[static_cast<std::size_t>(l.index)]);
      put3(g + "/trajectory_target", tr.rate[static_cast<std::size_t>(l.index)]);
      put3(g + "/trajectory_target_delta", tr.delta[static_cast<std::size_t>(l.index)]);
    }
    const std::string c = "/trajectory_convergence/";
    const long long first[] = {offset}, n[] = {rows};
    f_.append(c + "chunk_start", first, 1);
    f_.append(c + "chunk_stimuli", n, 1);
    for (const auto& [phase, r] :
         {std::pair{"free", &fr.report}, std::pair{"target", &tr.report}}) {
      const std::string p = c + phase;
      const std::int8_t converged = r->converged ? 1 : 0;
      const double time = r->converged ? r->convergence_time_ms : std::nan("");
      const long long steps = r->steps;
      f_.append(p + "_converged", &converged, 1);
      f_.append(p + "_time_ms", &time, 1);
      f_.append(p + "_residual", &r->residual, 1);
      f_.append(p + "_steps", &steps, 1);
      auto& sum = phase == std::string("free") ? free_summary_ : target_summary_;
      sum.add(*r);
    }
  }
  const PhaseStats& free_summary() const { return free_summary_; }
  const PhaseStats& target_summary() const { return target_summary_; }
  std::size_t samples() const { return times_free_.size(); }

  void finish() {
    if (o_.format == "nwb") write_trials();
    f_.set_attr("/", "complete", static_cast<std::int8_t>(1));
    f_.close();
  }

 private:
  void stream(const std::string& path, h5::ScalarType t, int width,
              const std::string& description) {
    const std::size_t row_bytes = static_cast<std::size_t>(width) * t.size;
    const auto chunk_rows = static_cast<hsize_t>(std::clamp<long long>(
        static_cast<long long>((1u << 20) / std::max<std::size_t>(1, row_bytes)), 1,
        std::max(1LL, total_)));
    f_.create_stream(path, t, {static_cast<hsize_t>(width)}, chunk_rows, o_.gzip);
    f_.set_attr(path, "description", description);
    f_.set_attr(path, "unit", "1 (dimensionless rate: the output of the transfer function)");
    f_.set_attr(path, "dims", std::vector<std::string>{"stimulus", "unit"});
  }

  void begin_trajectories(const Config& c) {
    f_.set_attr("/", "trajectory_ms", o_.trajectory_ms);
    const std::string g = "/trajectory_convergence";
    f_.create_group(g);
    f_.set_attr(
        g, "description",
        "one row per chunk of stimuli settled together (rows chunk_start .. chunk_start + "
        "chunk_stimuli - 1): whether and since when the phase's residual max |dx/dt| tau "
        "stayed below dynamics.tol, its value at the end (trajectory_ms) and the steps taken");
    f_.set_attr(g, "tol", c.dynamics.tol);
    for (const char* name : {"chunk_start", "chunk_stimuli"}) {
      f_.create_stream(g + "/" + name, h5::scalar_type<long long>(), {}, 256, o_.gzip);
    }
    for (const char* phase : {"free", "target"}) {
      const std::string p = g + "/" + phase;
      f_.create_stream(p + "_converged", h5::scalar_type<std::int8_t>(), {}, 256, o_.gzip);
      f_.create_stream(p + "_time_ms", h5::scalar_type<double>(), {}, 256, o_.gzip);
      f_.set_attr(p + "_time_ms", "description",
                  "time since which the residual stayed below tol [ms]; NaN if it was not below "
                  "tol at the end");
      f_.create_stream(p + "_residual", h5::scalar_type<double>(), {}, 256, o_.gzip);
      f_.set_attr(p + "_residual", "description",
                  "max |dx/dt| tau at the end (rate units in the free phase, delta units in the "
                  "target phase)");
      f_.create_stream(p + "_steps", h5::scalar_type<long long>(), {}, 256, o_.gzip);
    }
    dynamics_ = c.dynamics;
  }

  void create_trajectories(const std::vector<double>& tf, const std::vector<double>& tt) {
    times_free_ = tf;
    times_target_ = tt;
    for (const auto& [phase, times] : {std::pair{"free", &tf}, std::pair{"target", &tt}}) {
      const std::string p = std::string("/time_ms/") + phase;
      f_.write_vector(p, *times);
      f_.set_attr(p, "description",
                  std::string("sample times of the ") + phase +
                      " phase's trajectories (first axis of trajectory_" + phase +
                      "): every record_every_ms from 0 (Euler: at the first step at or after each) "
                      "up to trajectory_ms, the same for every chunk");
      f_.set_attr(p, "unit", "ms");
      f_.set_attr(p, "duration_ms", o_.trajectory_ms);
      f_.set_attr(p, "record_every_ms", dynamics_.record_every_ms);
      f_.set_attr(p, "tau_ms", dynamics_.tau_ms);
      f_.set_attr(p, "dt_ms", dynamics_.dt_ms);
      f_.set_attr(p, "stepper", dynamics_.stepper);
      f_.set_attr(p, "feedback", dynamics_.feedback);
      f_.set_attr(p, "tol", dynamics_.tol);
    }
    const auto t = o_.dtype == "float64" ? h5::scalar_type<double>() : h5::scalar_type<float>();
    for (const auto& l : layers_) {
      if (l.index == 0) continue;
      const std::string g = "/layers/" + l.name;
      stream3(g + "/trajectory_free", t, tf.size(), l.width,
              "free-phase rate h_l(t) = f(a_l(t)) while the input is clamped, from a = 0");
      stream3(g + "/trajectory_target", t, tt.size(), l.width,
              "target-phase rate v_l(t) = h_l - u_l(t) / mult_l (the clamped target t_L at the "
              "output); in float32 (or float64 for deep layers) it may equal h_l: read "
              "trajectory_target_delta");
      stream3(g + "/trajectory_target_delta", t, tt.size(), l.width,
              "target-phase state u_l(t) = mult_l (h_l - v_l(t)); settles to target_delta");
    }
  }

  void same_times(const std::vector<double>& first, const std::vector<double>& now,
                  const char* phase) const {
    bool same = first.size() == now.size();
    for (std::size_t k = 0; same && k < now.size(); ++k) {
      same = std::abs(first[k] - now[k]) <= 1e-9 * std::max(1.0, o_.trajectory_ms);
    }
    if (!same) {
      throw std::logic_error(std::string("record --trajectories: the ") + phase +
                             " phase's sample times differ between chunks (" +
                             std::to_string(first.size()) + " vs " + std::to_string(now.size()) +
                             " samples)");
    }
  }

  void stream3(const std::string& path, h5::ScalarType t, std::size_t samples, int width,
               const std::string& description) {
    const hsize_t K = std::max<std::size_t>(1, samples), n = static_cast<hsize_t>(width);
    const hsize_t kt = std::min<hsize_t>(K, 16);
    const auto rows = static_cast<hsize_t>(std::clamp<long long>(
        static_cast<long long>((1u << 20) / std::max<std::size_t>(1, kt * n * t.size)), 1,
        std::max(1LL, total_)));
    f_.create_stream_along(path, t, {K, 0, n}, 1, {kt, rows, n}, o_.gzip);
    f_.set_attr(path, "description", description);
    f_.set_attr(path, "unit",
                path.ends_with("_delta")
                    ? "1 (scaled rate difference)"
                    : "1 (dimensionless rate: the output of the transfer function)");
    f_.set_attr(path, "dims", std::vector<std::string>{"time", "stimulus", "unit"});
  }

  // slices[k] (N x n) as a (K, N, n) row-major block.
  template <class S>
  void put3_as(const std::string& path, const std::vector<Mat<double>>& slices) {
    const std::size_t K = slices.size();
    const auto N = static_cast<std::size_t>(K ? slices[0].rows() : 0);
    const auto n = static_cast<std::size_t>(K ? slices[0].cols() : 0);
    std::vector<S> buf(K * N * n);
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
          buf[(k * N + i) * n + j] =
              static_cast<S>(slices[k](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
        }
      }
    }
    f_.append(path, buf.data(), static_cast<hsize_t>(N));
  }
  void put3(const std::string& path, const std::vector<Mat<double>>& slices) {
    if (o_.dtype == "float64") {
      put3_as<double>(path, slices);
    } else {
      put3_as<float>(path, slices);
    }
  }

  void typed(const std::string& obj, const std::string& type, const std::string& ns) {
    f_.set_attr(obj, "neurodata_type", type);
    f_.set_attr(obj, "namespace", ns);
    f_.set_attr(obj, "object_id", h5::uuid4());
  }

  void timeseries(const std::string& name, const LayerInfo& l, h5::ScalarType t,
                  const std::string& description) {
    const std::string g = "/processing/gaitsim/" + name;
    f_.create_group(g);
    typed(g, "TimeSeries", "core");
    f_.set_attr(g, "description", description);
    f_.set_attr(g, "comments",
                "one row per stimulus presentation; auxiliary units: " +
                    std::to_string(l.width - l.passed_on) + " (the last ones)");
    stream(g + "/data", t, l.width, description);
    f_.set_attr(g + "/data", "unit", "a.u. (dimensionless rate)");
    f_.set_attr(g + "/data", "conversion", 1.0f);
    f_.set_attr(g + "/data", "offset", 0.0f);
    f_.set_attr(g + "/data", "resolution", -1.0f);
    f_.create_stream(g + "/timestamps", h5::scalar_type<double>(), {}, 4096, o_.gzip);
    f_.set_attr(g + "/timestamps", "interval", static_cast<std::int32_t>(1));
    f_.set_attr(g + "/timestamps", "unit", "seconds");
  }

  template <class T>
  void put(const std::string& path, const Mat<T>& m) {
    if (o_.dtype == "float64") {
      const RowMajor r = m.template cast<double>();
      f_.append(path, r.data(), static_cast<hsize_t>(r.rows()));
    } else {
      const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r =
          m.template cast<float>();
      f_.append(path, r.data(), static_cast<hsize_t>(r.rows()));
    }
  }

  void trial(double start, double stop, long long id, int label, const char* phase) {
    start_.push_back(start);
    stop_.push_back(stop);
    trial_id_.push_back(id);
    trial_label_.push_back(label);
    phase_.emplace_back(phase);
  }

  void column(const std::string& name, const std::string& description) {
    const std::string p = "/intervals/trials/" + name;
    typed(p, "VectorData", "hdmf-common");
    f_.set_attr(p, "description", description);
  }

  void write_trials() {
    const std::string g = "/intervals/trials";
    f_.create_group(g);
    typed(g, "TimeIntervals", "core");
    f_.set_attr(g, "description",
                "one row per phase of each stimulus presentation: free (forward) and, when targets "
                "are recorded, target");
    f_.set_attr(
        g, "colnames",
        std::vector<std::string>{"start_time", "stop_time", "stimulus_id", "label", "phase"});
    std::vector<long long> id(start_.size());
    std::iota(id.begin(), id.end(), 0LL);
    f_.write_vector(g + "/id", id);
    typed(g + "/id", "ElementIdentifiers", "hdmf-common");
    f_.write_vector(g + "/start_time", start_);
    column("start_time", "start of the phase [s]");
    f_.write_vector(g + "/stop_time", stop_);
    column("stop_time", "end of the phase [s]");
    f_.write_vector(g + "/stimulus_id", trial_id_);
    column("stimulus_id", "id of the stimulus presented");
    f_.write_vector(g + "/label", trial_label_);
    column("label", "true class of the stimulus; -1 where unknown");
    f_.write_strings(g + "/phase", phase_);
    column("phase", "free (forward pass) or target (nudged toward the true label)");
  }

  const RecordOptions& o_;
  h5::StreamFile f_;
  std::vector<LayerInfo> layers_;
  long long total_;
  std::vector<double> start_, stop_;
  std::vector<long long> trial_id_;
  std::vector<int> trial_label_;
  std::vector<std::string> phase_;
  DynamicsConfig dynamics_;
  std::vector<double> times_free_, times_target_;
  PhaseStats free_summary_, target_summary_;
};

std::vector<LayerInfo> layer_infos(const Network<double>& net) {
  std::vector<LayerInfo> out;
  for (int l = 0; l <= net.depth(); ++l) {
    const PopulationParams& p = net.population(l);
    LayerInfo info{p.name, l, p.width, p.passed_on, p.transfer.kind, p.transfer.slope, {}};
    info.auxiliary.assign(static_cast<std::size_t>(p.width), 0);
    for (int u = p.passed_on; u < p.width; ++u) info.auxiliary[static_cast<std::size_t>(u)] = 1;
    out.push_back(info);
  }
  return out;
}

template <class T>
void run_chunks(const Config& c, const RecordOptions& o, const Network<double>& net,
                const StimulusSet& s, ResponseWriter& w) {
  Engine<T> engine(net.template cast<T>(), c.learning, feedback_seed(c.network));
  const auto N = static_cast<long long>(s.ids.size());
  ProgressBar progress("record", N, !o.quiet);
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
                                         feedback_seed(c.network), dyn);
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
    const std::vector<long long> ids(s.ids.begin() + begin, s.ids.begin() + end);
    const std::vector<int> labels(s.labels.begin() + begin, s.labels.begin() + end);
    if (o.targets) {
      const Eigen::VectorXi y = Eigen::Map<const Eigen::VectorXi>(labels.data(), end - begin);
      engine.updates(engine.rule(), x, y, grads);
      const Activity<T>& a = engine.activity();
      const ErrorSignals<T>& sig = engine.signals();
      std::vector<Mat<T>> targets(a.h.size());
      for (std::size_t l = 1; l < a.h.size(); ++l) {
        targets[l] = target_from_delta(a.h[l], sig.D[l], sig.mult[l]);
      }
      w.append(ids, labels, begin, a.h, &targets, &sig.D, &sig.mult);
    } else {
      engine.network().forward(x, act);
      w.append<T>(ids, labels, begin, act.h, nullptr, nullptr, nullptr);
    }
    if (settle) {
      const Eigen::VectorXi y = Eigen::Map<const Eigen::VectorXi>(labels.data(), end - begin);
      settle->updates(settle->rule(), x, y, grads);
      w.append_trajectories(begin, end - begin, phases->free_trajectory(),
                            phases->target_trajectory());
    }
    ++chunks;
    progress.update(end, "stimuli");
  }
  progress.finish();
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

int record(const Config& c, const RecordOptions& options) {
  RecordOptions o = options;
  if (o.format != "gaitsim" && o.format != "nwb") {
    throw ConfigError("--format " + o.format + ": expected gaitsim or nwb");
  }
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
  if (o.checkpoint.empty()) {
    std::cerr
        << "note: no --checkpoint given: recording the initial weights drawn from network.seed = "
        << c.network.seed << '\n';
  } else {
    load_weights(o.checkpoint, net);
    hash = h5::fnv1a64_file(o.checkpoint);
  }
  if (o.targets || o.trajectories) {
    for (std::size_t i = 0; i < s.labels.size(); ++i) {
      if (s.labels[i] < 0 || s.labels[i] >= classes) {
        throw ConfigError(std::string(o.targets ? "--targets" : "--trajectories") +
                          " needs the true label of every stimulus; stimulus " +
                          std::to_string(s.ids[i]) + " of " + s.description + " has " +
                          (s.labels[i] < 0 ? "none" : "label " + std::to_string(s.labels[i])));
      }
    }
  }
  const auto N = static_cast<long long>(s.ids.size());
  if (o.trajectories) {
    const double per_stimulus = trajectory_bytes_per_stimulus(c, net, o.trajectory_ms);
    if (!o.chunk_given) {
      o.chunk = std::clamp<long long>(static_cast<long long>(kTrajectoryBudgetBytes / per_stimulus),
                                      1, o.chunk);
    }
    if (!o.quiet) {
      std::fprintf(
          stderr,
          "record: trajectories over %g ms in chunks of %lld stimuli (about %.0f MB each)\n",
          o.trajectory_ms, o.chunk, per_stimulus * double(std::min(N, o.chunk)) / 1e6);
    }
  }
  fs::path temp = o.out;
  temp += "." + std::to_string(::getpid()) + ".partial";
  const auto layers = layer_infos(net);
  const auto start = std::chrono::steady_clock::now();
  try {
    ResponseWriter w(o, temp, layers, N);
    w.begin(c, s, classes, hash);
    with_precision(c.learning, [&]<class T>() { run_chunks<T>(c, o, net, s, w); });
    w.finish();
    h5::detail::atomic_replace(temp, o.out);  // synced, so a crash cannot leave it empty
    if (o.trajectories) {
      for (const auto& [phase, st] :
           {std::pair{"free", w.free_summary()}, std::pair{"target", w.target_summary()}}) {
        if (st.not_converged > 0) {
          std::fprintf(stderr,
                       "warning: the %s phase of %lld of %lld chunks had not converged by "
                       "%g ms (see /trajectory_convergence; raise --trajectory-ms)\n",
                       phase, st.not_converged, st.runs, o.trajectory_ms);
        }
      }
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string with =
      std::string(o.targets ? ", with targets" : "") +
      (o.trajectories ? ", with trajectories over " + number_g(o.trajectory_ms) + " ms" : "");
  std::printf("recorded %lld stimuli x %zu layers (%s layout%s) in %.2f s: %s (%.1f MB)\n", N,
              layers.size(), o.format.c_str(), with.c_str(), seconds, o.out.c_str(),
              static_cast<double>(fs::file_size(o.out)) / 1e6);
  return kOk;
}

class RecordCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "record", "write every layer's rates (and targets) for a set of stimuli to HDF5");
    config_.attach(*cmd);
    cmd->add_option("--stimuli", o_.stimuli,
                    "which stimuli: test:0-999, test:5, test, train:class=3, train:class=3:100, "
                    "or an HDF5 (/images) or IDX images file")
        ->required();
    cmd->add_option("--out", out_, "the responses file to write (HDF5)")->required();
    cmd->add_option("--checkpoint", checkpoint_,
                    "weights from a run file or checkpoint (default: the config's initial weights)")
        ->check(CLI::ExistingFile);
    cmd->add_flag(
        "--targets", o_.targets,
        "also record the rule's targets for the true label (targets, target_delta, target_scale)");
    cmd->add_option("--format", o_.format, "file layout: gaitsim (default) or nwb (NWB 2.x)")
        ->check(CLI::IsMember({"gaitsim", "nwb"}));
    cmd->add_option("--dtype", o_.dtype, "stored precision of rates and targets (default float32)")
        ->check(CLI::IsMember({"float32", "float64"}));
    cmd->add_flag(
        "--trajectories", o_.trajectories,
        "also record both phases settling in time (dynamics.*): per layer "
        "trajectory_free, trajectory_target, trajectory_target_delta (time x stimulus x unit)");
    trajectory_ms_ = cmd->add_option("--trajectory-ms", o_.trajectory_ms,
                                     "duration of the trajectories, the same for every chunk "
                                     "(default: min(dynamics.max_time_ms, 20 dynamics.tau_ms))");
    chunk_ = cmd->add_option("--chunk", o_.chunk,
                             "stimuli per forward pass and append (default 1000; with "
                             "--trajectories as many as fit in 256 MB of trajectories)")
                 ->check(CLI::Range(1LL, 1000000LL));
    cmd->add_option("--gzip", o_.gzip, "deflate level 0-9 (default 4)")->check(CLI::Range(0, 9));
    cmd->add_flag("--force", o_.force, "overwrite an existing output file");
    cmd->add_flag("--quiet", o_.quiet, "no progress on stderr");
    cmd->add_option("--fail-after-chunks", o_.fail_after)->group("");  // test hook
    return cmd;
  }

  int run() override {
    o_.out = out_;
    o_.checkpoint = checkpoint_;
    o_.chunk_given = chunk_->count() > 0;
    o_.trajectory_ms_given = trajectory_ms_->count() > 0;
    return record(config_.load(), o_);
  }

 private:
  ConfigOptions config_;
  RecordOptions o_;
  std::string out_, checkpoint_;
  CLI::Option* chunk_ = nullptr;
  CLI::Option* trajectory_ms_ = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_record_command() { return std::make_unique<RecordCommand>(); }

}  // namespace gaitsim
