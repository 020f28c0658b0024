#pragma once
// Reading a responses file (`gaitsim record`, docs/file-formats.md) in either layout: gaitsim's
// (/stimulus_id, /labels, /layers/<name>/rates ...) or NWB (one TimeSeries per layer under
// /processing/gaitsim, the stimuli in /intervals/trials), told apart by the root attribute
// nwb_version. The file is validated against its schema on opening: format and version,
// complete = 1, the layer list, the shapes and dtypes of the ids, labels and every layer's rates
// (and targets when recorded). Every error is a ResponsesFormatError naming the file, the object
// and what was expected; `gaitsim compare` reads its inputs through this reader
// (analysis/comparison_inputs).
#include <Eigen/Dense>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/h5_file.hpp"
#include "analysis/responses_writer.hpp"

namespace gaitsim {

class ResponsesFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ResponsesReader {
 public:
  explicit ResponsesReader(std::filesystem::path file);  // throws ResponsesFormatError

  const std::filesystem::path& path() const { return file_; }
  long long stimuli() const { return static_cast<long long>(ids_.size()); }
  const std::vector<long long>& ids() const { return ids_; }
  const std::vector<int>& labels() const { return labels_; }
  const std::vector<ResponseLayer>& layers() const { return layers_; }  // input first
  bool has_targets() const { return targets_; }
  bool has_trajectories() const { return trajectories_; }
  bool is_nwb() const { return nwb_; }
  const std::string& precision() const { return precision_; }

  // (N, n_l) as float64, whatever the stored dtype; throws ResponsesFormatError for a layer not
  // in the file (or, for targets, when they were not recorded; target_delta and target_scale
  // are not in the NWB layout).
  Eigen::MatrixXd rates(const std::string& layer) const;
  Eigen::MatrixXd targets(const std::string& layer) const;
  Eigen::MatrixXd target_delta(const std::string& layer) const;
  Eigen::VectorXd target_scale(const std::string& layer) const;

 private:
  void read_gaitsim(const h5::File& f);
  void read_nwb(const h5::File& f);
  const ResponseLayer& layer(const std::string& name) const;
  Eigen::MatrixXd matrix(const std::string& layer, const char* dataset, bool target) const;

  std::filesystem::path file_;
  std::vector<long long> ids_;
  std::vector<int> labels_;
  std::vector<ResponseLayer> layers_;
  bool targets_ = false, trajectories_ = false, nwb_ = false;
  std::string precision_;
};

}  // namespace gaitsim
