#include "analysis/gaitsim_responses_writer.hpp"

#include <stdexcept>

#include "analysis/responses_layout.hpp"

namespace gaitsim {

namespace rl = responses_layout;
using responses_detail::append_rows;
using responses_detail::create_rows;

GaitsimResponsesWriter::GaitsimResponsesWriter(const std::filesystem::path& temp,
                                               const ResponsesHeader& header,
                                               const std::vector<ResponseLayer>& layers)
    : f_(h5::StreamFile::create(temp)), h_(header), layers_(layers) {
  responses_detail::write_provenance(f_, h_, layers_);
  f_.set_attr("/", rl::kFormatAttr, rl::kFormat);
  f_.set_attr("/", rl::kFormatVersionAttr, rl::kFormatVersion);
  f_.set_attr("/", rl::kTargetsRecorded, static_cast<std::int8_t>(h_.targets));
  f_.set_attr("/", rl::kTrajectoriesRecorded, static_cast<std::int8_t>(h_.trajectories));
  if (h_.trajectories) {
    std::vector<TrajectoryLayer> driven;
    for (const auto& l : layers_) {
      if (l.index > 0) driven.push_back({l.name, l.index, l.width});
    }
    trajectories_.emplace(f_, driven, h_.dtype, h_.gzip, h_.stimulus_count, h_.trajectory);
    trajectories_->begin();
  }
  f_.create_stream(rl::kStimulusId, h5::scalar_type<long long>(), {}, 4096, h_.gzip);
  f_.set_attr(rl::kStimulusId, "description",
              "id of each stimulus (row): its index in the dataset split or the id given by "
              "the stimulus file");
  f_.create_stream(rl::kLabels, h5::scalar_type<int>(), {}, 4096, h_.gzip);
  f_.set_attr(rl::kLabels, "description", "true class of each stimulus; -1 where unknown");
  std::vector<std::string> names;
  std::vector<long long> widths;
  for (const auto& l : layers_) {
    names.push_back(l.name);
    widths.push_back(l.width);
  }
  f_.write_strings(rl::kLayerNames, names);
  f_.write_vector(rl::kLayerWidths, widths);
  for (const auto& l : layers_) layer(l);
  responses_detail::write_unit_table(f_, rl::kUnits, layers_);
}

void GaitsimResponsesWriter::layer(const ResponseLayer& l) {
  const std::string g = rl::layer_group(l.name);
  f_.create_group(g);
  f_.set_attr(g, "index", static_cast<long long>(l.index));
  f_.set_attr(g, "width", static_cast<long long>(l.width));
  f_.set_attr(g, "passed_on", static_cast<long long>(l.passed_on));
  f_.set_attr(g, "activation", l.activation);
  f_.set_attr(g, "slope", l.slope);
  f_.set_attr(g, "description", l.description);
  const std::string aux = g + "/" + rl::kAuxiliary;
  f_.write_vector(aux, l.auxiliary);
  f_.set_attr(aux, "description",
              "1 for auxiliary units (not read by the layer above; for the output: not a "
              "class unit)");
  create_rows(f_, h_, g + "/" + rl::kRates, l.width,
              "forward (free-phase) rate h_l per stimulus (rows) and unit (columns)");
  if (l.interneurons > 0) {
    create_rows(f_, h_, g + "/" + rl::kInterneuronRates, l.interneurons,
                "network.dale dann: free-phase rate z_l = h_{l-1} W^IE of the layer's "
                "inhibitory interneurons per stimulus (rows) and interneuron (columns)");
  }
  if (!h_.targets || l.index == 0) return;
  create_rows(f_, h_, g + "/" + rl::kTargets, l.width,
              "target t_l = h_l - target_delta / target_scale of the configured rule for the "
              "true label");
  create_rows(f_, h_, g + "/" + rl::kTargetDelta, l.width,
              "D_l = target_scale (h_l - t_l): the rule's scaled difference, free of the "
              "cancellation in h_l - t_l");
  const std::string scale = g + "/" + rl::kTargetScale;
  f_.create_stream(scale, h5::scalar_type<double>(), {}, 4096, h_.gzip);
  f_.set_attr(scale, "description",
              "mult_l per stimulus (1 for BP and FA and at the output; grows by 1/gamma "
              "per layer down under GAIT)");
  f_.set_attr(scale, "unit", "1");
}

void GaitsimResponsesWriter::append(const ResponseChunk& c) {
  const auto n = static_cast<hsize_t>(c.ids.size());
  f_.append(rl::kStimulusId, c.ids.data(), n);
  f_.append(rl::kLabels, c.labels.data(), n);
  for (const auto& l : layers_) {
    const auto i = static_cast<std::size_t>(l.index);
    append_rows(f_, h_.dtype, rl::layer_dataset(l.name, rl::kRates), c.rates[i]);
    if (l.interneurons > 0) {
      append_rows(f_, h_.dtype, rl::layer_dataset(l.name, rl::kInterneuronRates),
                  c.interneuron_rates[i]);
    }
    if (c.targets.empty() || l.index == 0) continue;
    append_rows(f_, h_.dtype, rl::layer_dataset(l.name, rl::kTargets), c.targets[i]);
    append_rows(f_, h_.dtype, rl::layer_dataset(l.name, rl::kTargetDelta), c.deltas[i]);
    f_.append(rl::layer_dataset(l.name, rl::kTargetScale), c.scales[i].data(), n);
  }
}

void GaitsimResponsesWriter::append_trajectories(long long offset, long long rows,
                                                 const PhaseView& free, const PhaseView& target) {
  if (!trajectories_) {
    throw std::logic_error("append_trajectories on a responses file created without them");
  }
  trajectories_->append(offset, rows, free, target);
}

void GaitsimResponsesWriter::finish() {
  f_.set_attr("/", rl::kComplete, static_cast<std::int8_t>(1));
  f_.close();
}

}  // namespace gaitsim
