#pragma once
// The names of everything in a responses file (`gaitsim record`, docs/file-formats.md) and in a
// trajectories file (`gaitsim settle`, `gaitsim record --trajectories`): one place for the
// writers, the readers and `gaitsim compare`.
#include <string>

namespace gaitsim::responses_layout {

// Root attributes of both layouts.
inline constexpr const char* kFormat = "gaitsim-responses";
inline constexpr long long kFormatVersion = 1;
inline constexpr const char* kComplete = "complete";  // int8: 0 while written, 1 when done
inline constexpr const char* kFormatAttr = "format";
inline constexpr const char* kFormatVersionAttr = "format_version";
inline constexpr const char* kGaitsimFormatAttr = "gaitsim_format";
inline constexpr const char* kGaitsimFormatVersionAttr = "gaitsim_format_version";
inline constexpr const char* kTargetsRecorded = "targets_recorded";
inline constexpr const char* kTrajectoriesRecorded = "trajectories_recorded";
inline constexpr const char* kLayerNamesAttr = "layer_names";

// The gaitsim layout: one row per stimulus.
inline constexpr const char* kStimulusId = "/stimulus_id";    // int64 (N)
inline constexpr const char* kLabels = "/labels";             // int32 (N), -1 where unknown
inline constexpr const char* kLayerNames = "/layer_names";    // strings (L + 1), input first
inline constexpr const char* kLayerWidths = "/layer_widths";  // int64 (L + 1)
inline constexpr const char* kLayers = "/layers";             // one group per layer name
inline constexpr const char* kRates = "rates";                // (N, n_l)
inline constexpr const char* kTargets = "targets";            // (N, n_l), l >= 1
inline constexpr const char* kTargetDelta = "target_delta";   // (N, n_l), l >= 1
inline constexpr const char* kTargetScale = "target_scale";   // float64 (N), l >= 1
inline constexpr const char* kAuxiliary = "auxiliary";        // int8 (n_l)
// network.dale dann: the layer's interneuron rates z_l = h_{l-1} W^IE, (N, n_I), l >= 1
inline constexpr const char* kInterneuronRates = "interneuron_rates";
// ... and their name in the unit table and the NWB TimeSeries: "<layer>_interneurons"
inline constexpr const char* kInterneuronSuffix = "_interneurons";
// With network.dale on: one row per unit of every layer (layer, layer_index, unit, cell_type).
inline constexpr const char* kUnits = "/units";
inline constexpr const char* kCellExcitatory = "excitatory";
inline constexpr const char* kCellInhibitory = "inhibitory";
inline constexpr const char* kCellAuxiliary = "auxiliary";
inline constexpr const char* kCellInterneuron = "interneuron";

inline std::string layer_group(const std::string& name) {
  return std::string(kLayers) + "/" + name;
}
inline std::string layer_dataset(const std::string& name, const char* dataset) {
  return layer_group(name) + "/" + dataset;
}

// Trajectories (both commands): per driven layer (time, stimulus, unit) datasets, the sample
// times of each phase and one convergence row per batch of stimuli settled together.
inline constexpr const char* kTrajectoryMsAttr = "trajectory_ms";
inline constexpr const char* kTrajectoryFree = "trajectory_free";
inline constexpr const char* kTrajectoryTarget = "trajectory_target";
inline constexpr const char* kTrajectoryTargetDelta = "trajectory_target_delta";
inline constexpr const char* kTimeMs = "/time_ms";  // /time_ms/free, /time_ms/target
inline constexpr const char* kConvergence = "/trajectory_convergence";

// NWB 2.x layout.
inline constexpr const char* kNwbVersion = "2.7.0";
inline constexpr const char* kNwbModule = "/processing/gaitsim";  // one TimeSeries per layer
inline constexpr const char* kNwbTargetSuffix = "_target";
inline constexpr const char* kNwbTrials = "/intervals/trials";
inline constexpr const char* kNwbUnits = "/processing/gaitsim/cell_types";  // DynamicTable
inline constexpr double kPresentationSeconds = 1.0;  // stimulus i is presented over [i, i + 1) s

}  // namespace gaitsim::responses_layout
