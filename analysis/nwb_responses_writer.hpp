#pragma once
// The responses in an NWB 2.x layout (docs/file-formats.md, shared/docs/neuro-conventions.md):
// one TimeSeries per population under /processing/gaitsim (and <name>_target with targets),
// stimulus i presented over [i, i + 1) s, one trial row per phase in /intervals/trials. No
// trajectories: NWB files hold one row per stimulus presentation here.
#include "analysis/responses_writer.hpp"

namespace gaitsim {

class NwbResponsesWriter : public ResponsesWriter {
 public:
  NwbResponsesWriter(const std::filesystem::path& temp, const ResponsesHeader& header,
                     const std::vector<ResponseLayer>& layers);
  void append(const ResponseChunk& chunk) override;
  void append_trajectories(long long offset, long long rows, const PhaseView& free,
                           const PhaseView& target) override;
  bool supports_trajectories() const override { return false; }
  void finish() override;

 private:
  void typed(const std::string& obj, const std::string& type, const std::string& ns);
  void timeseries(const std::string& name, const ResponseLayer& l, const std::string& description);
  void trial(double start, double stop, long long id, int label, const char* phase);
  void unit_table();
  void column(const std::string& name, const std::string& description);
  void write_trials();

  h5::StreamFile f_;
  ResponsesHeader h_;
  std::vector<ResponseLayer> layers_;
  std::vector<double> start_, stop_;
  std::vector<long long> trial_id_;
  std::vector<int> trial_label_;
  std::vector<std::string> phase_;
};

}  // namespace gaitsim
