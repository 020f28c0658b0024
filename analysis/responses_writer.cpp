#include "analysis/responses_writer.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "analysis/gaitsim_responses_writer.hpp"
#include "analysis/nwb_responses_writer.hpp"
#include "analysis/responses_layout.hpp"

namespace gaitsim {

namespace rl = responses_layout;

namespace {

using Factory = std::function<std::unique_ptr<ResponsesWriter>(
    const std::filesystem::path&, const ResponsesHeader&, const std::vector<ResponseLayer>&)>;

// The layouts, in one place.
const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> layouts = {
      {"gaitsim",
       [](const auto& temp, const auto& h, const auto& layers) {
         return std::make_unique<GaitsimResponsesWriter>(temp, h, layers);
       }},
      {"nwb",
       [](const auto& temp, const auto& h, const auto& layers) {
         return std::make_unique<NwbResponsesWriter>(temp, h, layers);
       }},
  };
  return layouts;
}

}  // namespace

std::vector<std::string> responses_formats() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

std::unique_ptr<ResponsesWriter> make_responses_writer(const std::string& format,
                                                       const std::filesystem::path& temp,
                                                       const ResponsesHeader& header,
                                                       const std::vector<ResponseLayer>& layers) {
  for (const auto& [name, factory] : registry()) {
    if (name == format) return factory(temp, header, layers);
  }
  std::string known;
  for (const auto& name : responses_formats()) known += (known.empty() ? "" : ", ") + name;
  throw std::invalid_argument("responses format " + format + ": expected one of " + known);
}

namespace responses_detail {

void write_provenance(h5::StreamFile& f, const ResponsesHeader& h,
                      const std::vector<ResponseLayer>& layers) {
  f.set_attr("/", rl::kComplete, static_cast<std::int8_t>(0));
  f.set_attr("/", rl::kGaitsimFormatAttr, rl::kFormat);
  f.set_attr("/", rl::kGaitsimFormatVersionAttr, rl::kFormatVersion);
  f.set_attr("/", "config", h.config_yaml);
  f.set_attr("/", "config_file", h.config_file);
  f.set_attr("/", "checkpoint_path", h.checkpoint_path);
  f.set_attr("/", "checkpoint_hash", h.checkpoint_hash);
  f.set_attr("/", "checkpoint_hash_algorithm", "FNV-1a 64-bit over the file's bytes, hex");
  f.set_attr("/", "weights", h.weights);
  f.set_attr("/", "stimuli", h.stimuli);
  f.set_attr("/", "stimulus_source", h.stimulus_source);
  f.set_attr("/", "stimulus_count", h.stimulus_count);
  f.set_attr("/", "classes", h.classes);
  f.set_attr("/", "algorithm", h.algorithm);
  f.set_attr("/", "precision", h.precision);
  f.set_attr("/", "feedback_mode", h.feedback_mode);
  f.set_attr("/", "created", h5::iso8601_now());
  f.set_attr("/", "gaitsim_version", "0.1.0");
  std::vector<std::string> names;
  for (const auto& l : layers) names.push_back(l.name);
  f.set_attr("/", rl::kLayerNamesAttr, names);
}

std::vector<std::string> write_unit_table(h5::StreamFile& f, const std::string& group,
                                          const std::vector<ResponseLayer>& layers) {
  std::vector<std::string> layer, cell_type;
  std::vector<std::int32_t> layer_index;
  std::vector<long long> unit;
  for (const auto& l : layers) {
    if (l.cell_type.empty()) continue;
    for (std::size_t u = 0; u < l.cell_type.size(); ++u) {
      layer.push_back(l.name);
      layer_index.push_back(l.index);
      unit.push_back(static_cast<long long>(u));
      cell_type.push_back(l.cell_type[u]);
    }
    for (int u = 0; u < l.interneurons; ++u) {  // network.dale dann
      layer.push_back(l.name + rl::kInterneuronSuffix);
      layer_index.push_back(l.index);
      unit.push_back(u);
      cell_type.push_back(rl::kCellInterneuron);
    }
  }
  if (unit.empty()) return {};
  f.create_group(group);
  f.set_attr(group, "description",
             "one row per unit: its layer (name and index l), its index in the layer and its "
             "cell type: excitatory or inhibitory (the sign of all its outgoing synapses, "
             "network.dale), auxiliary (not read by the layer above), interneuron (network.dale "
             "dann: layer '<name>_interneurons', the feedforward inhibitory interneurons of "
             "layer <name>)");
  f.write_strings(group + "/layer", layer);
  f.write_vector(group + "/layer_index", layer_index);
  f.write_vector(group + "/unit", unit);
  f.write_strings(group + "/cell_type", cell_type);
  return {"layer", "layer_index", "unit", "cell_type"};
}

void create_rows(h5::StreamFile& f, const ResponsesHeader& h, const std::string& path, int width,
                 const std::string& description) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * h.dtype.size;
  const auto chunk_rows = static_cast<hsize_t>(std::clamp<long long>(
      static_cast<long long>((1u << 20) / std::max<std::size_t>(1, row_bytes)), 1,
      std::max(1LL, h.stimulus_count)));
  f.create_stream(path, h.dtype, {static_cast<hsize_t>(width)}, chunk_rows, h.gzip);
  f.set_attr(path, "description", description);
  f.set_attr(path, "unit", "1 (dimensionless rate: the output of the transfer function)");
  f.set_attr(path, "dims", std::vector<std::string>{"stimulus", "unit"});
}

void append_rows(h5::StreamFile& f, h5::ScalarType dtype, const std::string& path,
                 const Eigen::MatrixXd& m) {
  if (dtype.size == sizeof(double)) {
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
    f.append(path, r.data(), static_cast<hsize_t>(r.rows()));
  } else {
    const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m.cast<float>();
    f.append(path, r.data(), static_cast<hsize_t>(r.rows()));
  }
}

}  // namespace responses_detail

}  // namespace gaitsim
