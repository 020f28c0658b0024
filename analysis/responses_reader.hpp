#pragma once
// Reading a responses file in gaitsim's layout (`gaitsim record`, docs/file-formats.md). The
// file is validated against its schema on opening: format and version, complete = 1, the layer
// list (/layer_names, /layer_widths, the root attribute layer_names and one group per layer),
// the shapes and dtypes of /stimulus_id, /labels and every layer's rates (and targets when
// targets_recorded). Every error is a ResponsesFormatError naming the file, the object and
// what was expected. An NWB file is refused with a pointer to the gaitsim layout.
#include <Eigen/Dense>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

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
  const std::string& precision() const { return precision_; }

  // (N, n_l) as float64, whatever the stored dtype; throws ResponsesFormatError for a layer not
  // in the file (or, for targets, when they were not recorded).
  Eigen::MatrixXd rates(const std::string& layer) const;
  Eigen::MatrixXd targets(const std::string& layer) const;
  Eigen::MatrixXd target_delta(const std::string& layer) const;
  Eigen::VectorXd target_scale(const std::string& layer) const;

 private:
  const ResponseLayer& layer(const std::string& name) const;
  Eigen::MatrixXd matrix(const std::string& layer, const char* dataset, bool target) const;

  std::filesystem::path file_;
  std::vector<long long> ids_;
  std::vector<int> labels_;
  std::vector<ResponseLayer> layers_;
  bool targets_ = false, trajectories_ = false;
  std::string precision_;
};

}  // namespace gaitsim
