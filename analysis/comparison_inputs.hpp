#pragma once
// The two inputs of a comparison (docs/comparisons.md, "Inputs"), read and validated before they
// are trusted: a responses file of `gaitsim record` (either layout, gaitsim or NWB, read and
// checked by ResponsesReader, docs/file-formats.md) and a recordings file (/responses, stimulus x
// neuron [x repetition], and /stimulus_id). Every error (std::runtime_error) names the file, the
// dataset and what was expected.
#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "analysis/noise_ceiling.hpp"

namespace gaitsim::analysis {

struct ModelResponses {
  std::filesystem::path path;
  std::vector<long long> stimulus_id;                 // one per row, no duplicates
  std::vector<std::string> layer_names;               // the recorded order (input first)
  std::map<std::string, Eigen::MatrixXd> rates;       // per layer: stimulus x unit
  std::map<std::string, std::vector<int>> auxiliary;  // per layer: 1 for auxiliary units
};

struct Recordings {
  std::filesystem::path path;
  std::vector<long long> stimulus_id;  // one per row, no duplicates
  Repetitions reps;                    // R >= 1 matrices of stimulus x neuron; NaN = missing
};

// Reads through ResponsesReader, which checks the file's schema (ResponsesFormatError), then
// checks what matching needs beyond it: no stimulus id twice. `role` ("responses",
// "recordings") goes into that message.
ModelResponses read_model_responses(const std::filesystem::path& file, const std::string& role);

// Checks: /responses a 2-D or 3-D numeric dataset (read as float64) with at least one neuron
// and one repetition; /stimulus_id a 1-D integer dataset, one id per row, no duplicates.
Recordings read_recordings(const std::filesystem::path& file);

}  // namespace gaitsim::analysis
