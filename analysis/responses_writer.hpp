#pragma once
// Writing a responses file (`gaitsim record`, docs/file-formats.md): one interface, one class
// per layout (gaitsim_responses_writer, nwb_responses_writer), chosen by name through
// make_responses_writer. The writer owns the HDF5 file under a temporary name; the caller
// renames it into place after finish().
#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analysis/h5_types.hpp"
#include "analysis/trajectory_file.hpp"

namespace gaitsim {

// One population as it appears in the file.
struct ResponseLayer {
  std::string name;
  int index = 0, width = 0, passed_on = 0;
  std::string activation;
  double slope = 1.0;
  std::vector<std::int8_t> auxiliary;  // 1 for units the layer above does not read
  std::string description;             // what the population is, for humans
  // Per unit: excitatory | inhibitory | auxiliary | interneuron (responses_layout.hpp); empty
  // when the network defines no cell types (network.dale off): no unit table is written.
  std::vector<std::string> cell_type;
  int interneurons = 0;  // network.dale dann: n_I of the layer's interneurons [count]
};

// Provenance and settings written once, before the first chunk.
struct ResponsesHeader {
  std::string config_yaml, config_file;
  std::string checkpoint_path, checkpoint_hash;  // empty without a checkpoint
  std::string weights;                           // where the weights came from, for humans
  std::string stimuli, stimulus_source;          // the spec and its description
  long long stimulus_count = 0;
  long long classes = 0;
  std::string algorithm, precision;
  std::string feedback_mode = "exact";  // feedback.mode: where the targets' inverses come from
  h5::ScalarType dtype = h5::scalar_type<float>();  // stored precision of rates and targets
  int gzip = 4;                                     // deflate level 0-9
  bool targets = false;                             // targets, target_delta, target_scale
  bool trajectories = false;                        // settling trajectories (gaitsim layout)
  TrajectorySettings trajectory;                    // when trajectories
};

// The rows offset .. offset + ids.size() - 1. Per layer index l = 0..L: rates[l] (N x n_l);
// with targets, targets[l], deltas[l] (N x n_l) and scales[l] (N) for l >= 1, empty otherwise;
// interneuron_rates[l] (N x n_I) for the layers with interneurons (network.dale dann).
struct ResponseChunk {
  long long offset = 0;
  std::vector<long long> ids;
  std::vector<int> labels;
  std::vector<Eigen::MatrixXd> rates, targets, deltas;
  std::vector<Eigen::VectorXd> scales;
  std::vector<Eigen::MatrixXd> interneuron_rates;
};

class ResponsesWriter {
 public:
  virtual ~ResponsesWriter() = default;
  virtual void append(const ResponseChunk& chunk) = 0;
  // The settling trajectories of the rows offset .. offset + rows - 1 (a layout without them
  // throws std::logic_error: the caller checks supports_trajectories first).
  virtual void append_trajectories(long long offset, long long rows, const PhaseView& free,
                                   const PhaseView& target) = 0;
  virtual bool supports_trajectories() const = 0;
  // Marks the file complete (root attribute complete = 1) and closes it; throws H5Error when
  // the data did not reach the file.
  virtual void finish() = 0;
};

// The layouts by name: "gaitsim", "nwb".
std::vector<std::string> responses_formats();
// Creates `temp` (truncating it) and writes the header in the layout `format`; throws
// std::invalid_argument naming the format and the known ones for an unknown one.
std::unique_ptr<ResponsesWriter> make_responses_writer(const std::string& format,
                                                       const std::filesystem::path& temp,
                                                       const ResponsesHeader& header,
                                                       const std::vector<ResponseLayer>& layers);

}  // namespace gaitsim

namespace gaitsim::responses_detail {

// What both layouts share: the provenance root attributes (complete = 0 until finish()).
void write_provenance(h5::StreamFile& f, const ResponsesHeader& h,
                      const std::vector<ResponseLayer>& layers);
// The per-unit table (layer, index, cell type), one row per unit of every layer in order, as
// columns under `group`: layer (strings), layer_index (int32), unit (int64), cell_type
// (strings); returns the column names. Nothing when no layer has cell types.
std::vector<std::string> write_unit_table(h5::StreamFile& f, const std::string& group,
                                          const std::vector<ResponseLayer>& layers);
// A growing (stimulus, unit) dataset of h.dtype with chunks of about 1 MiB.
void create_rows(h5::StreamFile& f, const ResponsesHeader& h, const std::string& path, int width,
                 const std::string& description);
// Appends the rows of m, converted to `dtype`.
void append_rows(h5::StreamFile& f, h5::ScalarType dtype, const std::string& path,
                 const Eigen::MatrixXd& m);

}  // namespace gaitsim::responses_detail
