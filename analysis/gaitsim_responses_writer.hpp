#pragma once
// gaitsim's own responses layout (docs/file-formats.md): /stimulus_id, /labels, /layer_names,
// /layer_widths and per population /layers/<name>/{rates, targets, target_delta, target_scale,
// auxiliary}, and optionally the settling trajectories (analysis/trajectory_file.hpp).
#include <optional>

#include "analysis/responses_writer.hpp"

namespace gaitsim {

class GaitsimResponsesWriter : public ResponsesWriter {
 public:
  GaitsimResponsesWriter(const std::filesystem::path& temp, const ResponsesHeader& header,
                         const std::vector<ResponseLayer>& layers);
  void append(const ResponseChunk& chunk) override;
  void append_trajectories(long long offset, long long rows, const PhaseView& free,
                           const PhaseView& target) override;
  bool supports_trajectories() const override { return true; }
  void finish() override;

 private:
  void layer(const ResponseLayer& l);

  h5::StreamFile f_;
  ResponsesHeader h_;
  std::vector<ResponseLayer> layers_;
  std::optional<TrajectoryWriter> trajectories_;
};

}  // namespace gaitsim
