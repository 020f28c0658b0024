#include "analysis/nwb_responses_writer.hpp"

#include <numeric>
#include <stdexcept>

#include "analysis/responses_layout.hpp"

namespace gaitsim {

namespace rl = responses_layout;
using responses_detail::append_rows;

NwbResponsesWriter::NwbResponsesWriter(const std::filesystem::path& temp, const ResponsesHeader& h,
                                       const std::vector<ResponseLayer>& layers)
    : f_(h5::StreamFile::create(temp)), h_(h), layers_(layers) {
  responses_detail::write_provenance(f_, h_, layers_);
  typed("/", "NWBFile", "core");
  f_.set_attr("/", "nwb_version", rl::kNwbVersion);
  const std::string now = h5::iso8601_now();
  f_.write_string("/identifier", "gaitsim-" + h5::uuid4());
  f_.write_string("/session_description", "gaitsim record: layer rates of " + h.config_file + " (" +
                                              h.algorithm + ", " + h.weights + ") for " +
                                              h.stimulus_source);
  f_.write_string("/session_start_time", now);
  f_.write_string("/timestamps_reference_time", now);
  f_.write_strings("/file_create_date", {now});
  for (const char* g : {"/acquisition", "/analysis", "/processing", "/general",
                        "/stimulus/presentation", "/stimulus/templates", "/intervals"}) {
    f_.create_group(g);
  }
  f_.write_string("/general/source_script", h.config_yaml);
  f_.set_attr("/general/source_script", "file_name", h.config_file);
  f_.write_string("/general/notes", "weights: " + h.weights + "; stimuli: " + h.stimuli +
                                        "; stimulus i is presented over [i, i+1) s: free phase "
                                        "at i s, target phase at i+0.5 s");
  f_.create_group(rl::kNwbModule);
  typed(rl::kNwbModule, "ProcessingModule", "core");
  f_.set_attr(rl::kNwbModule, "description",
              "rate-neuron network simulated by gaitsim: one TimeSeries per layer, one row per "
              "stimulus presentation");
  for (const auto& l : layers_) {
    timeseries(l.name, l, l.description + "; free-phase rates");
    if (h_.targets && l.index > 0) {
      timeseries(l.name + rl::kNwbTargetSuffix, l,
                 l.description + "; target-phase targets for the true label");
    }
    if (l.interneurons > 0) {
      ResponseLayer z = l;
      z.width = z.passed_on = l.interneurons;
      const std::string what =
          "network.dale dann: free-phase rates z = h W^IE of the "
          "feedforward inhibitory interneurons of " +
          l.name;
      timeseries(l.name + rl::kInterneuronSuffix, z, what);
    }
  }
  unit_table();
}

// The per-unit table as an NWB DynamicTable (hdmf-common): a recording-side analysis can split
// the TimeSeries' columns by cell type.
void NwbResponsesWriter::unit_table() {
  const std::string g = rl::kNwbUnits;
  const auto columns = responses_detail::write_unit_table(f_, g, layers_);
  if (columns.empty()) return;
  typed(g, "DynamicTable", "hdmf-common");
  f_.set_attr(g, "colnames", columns);
  std::size_t rows = 0;
  for (const auto& l : layers_) rows += l.cell_type.size() + std::size_t(l.interneurons);
  std::vector<long long> id(rows);
  std::iota(id.begin(), id.end(), 0LL);
  f_.write_vector(g + "/id", id);
  typed(g + "/id", "ElementIdentifiers", "hdmf-common");
  for (const auto& [name, description] :
       {std::pair{"layer", "name of the unit's layer (its TimeSeries in this module)"},
        std::pair{"layer_index", "index l of the layer (0: input)"},
        std::pair{"unit", "index of the unit in its layer (the column of its TimeSeries)"},
        std::pair{"cell_type", "excitatory, inhibitory, auxiliary or interneuron"}}) {
    typed(g + "/" + name, "VectorData", "hdmf-common");
    f_.set_attr(g + "/" + name, "description", description);
  }
}

void NwbResponsesWriter::append(const ResponseChunk& c) {
  const auto n = static_cast<hsize_t>(c.ids.size());
  const bool targets = !c.targets.empty();
  constexpr double P = rl::kPresentationSeconds;
  std::vector<double> ts(n), tt(n);
  for (hsize_t i = 0; i < n; ++i) {
    ts[i] = static_cast<double>(c.offset + static_cast<long long>(i)) * P;
    tt[i] = ts[i] + 0.5 * P;
  }
  for (const auto& l : layers_) {
    const auto i = static_cast<std::size_t>(l.index);
    const std::string base = std::string(rl::kNwbModule) + "/" + l.name;
    append_rows(f_, h_.dtype, base + "/data", c.rates[i]);
    f_.append(base + "/timestamps", ts.data(), n);
    if (targets && l.index > 0) {
      const std::string t = base + rl::kNwbTargetSuffix;
      append_rows(f_, h_.dtype, t + "/data", c.targets[i]);
      f_.append(t + "/timestamps", tt.data(), n);
    }
    if (l.interneurons > 0) {
      const std::string z = base + rl::kInterneuronSuffix;
      append_rows(f_, h_.dtype, z + "/data", c.interneuron_rates[i]);
      f_.append(z + "/timestamps", ts.data(), n);
    }
  }
  for (hsize_t i = 0; i < n; ++i) {
    const double start = ts[i];
    const double half = targets ? 0.5 * P : P;
    trial(start, start + half, c.ids[i], c.labels[i], "free");
    if (targets) trial(start + half, start + P, c.ids[i], c.labels[i], "target");
  }
}

void NwbResponsesWriter::append_trajectories(long long, long long, const PhaseView&,
                                             const PhaseView&) {
  throw std::logic_error("the NWB responses layout holds no trajectories");
}

void NwbResponsesWriter::finish() {
  write_trials();
  f_.set_attr("/", rl::kComplete, static_cast<std::int8_t>(1));
  f_.close();
}

void NwbResponsesWriter::typed(const std::string& obj, const std::string& type,
                               const std::string& ns) {
  f_.set_attr(obj, "neurodata_type", type);
  f_.set_attr(obj, "namespace", ns);
  f_.set_attr(obj, "object_id", h5::uuid4());
}

void NwbResponsesWriter::timeseries(const std::string& name, const ResponseLayer& l,
                                    const std::string& description) {
  const std::string g = std::string(rl::kNwbModule) + "/" + name;
  f_.create_group(g);
  typed(g, "TimeSeries", "core");
  f_.set_attr(g, "description", description);
  f_.set_attr(g, "comments",
              "one row per stimulus presentation; auxiliary units: " +
                  std::to_string(l.width - l.passed_on) + " (the last ones)");
  responses_detail::create_rows(f_, h_, g + "/data", l.width, description);
  f_.set_attr(g + "/data", "unit", "a.u. (dimensionless rate)");
  f_.set_attr(g + "/data", "conversion", 1.0f);
  f_.set_attr(g + "/data", "offset", 0.0f);
  f_.set_attr(g + "/data", "resolution", -1.0f);
  f_.create_stream(g + "/timestamps", h5::scalar_type<double>(), {}, 4096, h_.gzip);
  f_.set_attr(g + "/timestamps", "interval", static_cast<std::int32_t>(1));
  f_.set_attr(g + "/timestamps", "unit", "seconds");
}

void NwbResponsesWriter::trial(double start, double stop, long long id, int label,
                               const char* phase) {
  start_.push_back(start);
  stop_.push_back(stop);
  trial_id_.push_back(id);
  trial_label_.push_back(label);
  phase_.emplace_back(phase);
}

void NwbResponsesWriter::column(const std::string& name, const std::string& description) {
  const std::string p = std::string(rl::kNwbTrials) + "/" + name;
  typed(p, "VectorData", "hdmf-common");
  f_.set_attr(p, "description", description);
}

void NwbResponsesWriter::write_trials() {
  const std::string g = rl::kNwbTrials;
  f_.create_group(g);
  typed(g, "TimeIntervals", "core");
  f_.set_attr(g, "description",
              "one row per phase of each stimulus presentation: free (forward) and, when targets "
              "are recorded, target");
  f_.set_attr(g, "colnames",
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

}  // namespace gaitsim
