#pragma once
// The two inputs of a comparison (docs/comparisons.md, "Inputs"), read and validated before they
// are trusted: a responses file of `gaitsim record` (default layout, docs/file-formats.md) and a
// recordings file (/responses, stimulus x neuron [x repetition], and /stimulus_id). Every error
// (std::runtime_error) names the file, the dataset and what was expected.
//
// read_model_responses is the one place a responses file is read for comparing: when the
// responses format gets its own reader, only this function changes.
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

// Checks, before reading any rates: /layers exists; /stimulus_id is a 1-D integer dataset with
// no duplicate id; /labels a 1-D integer dataset of the same length; every layer's rates a 2-D
// floating-point dataset with one row per stimulus id (and `width` columns where the layer
// records its width); every /auxiliary one entry per unit. `role` ("responses", "recordings")
// goes into the messages.
ModelResponses read_model_responses(const std::filesystem::path& file, const std::string& role);

// Checks: /responses a 2-D or 3-D numeric dataset (read as float64) with at least one neuron
// and one repetition; /stimulus_id a 1-D integer dataset, one id per row, no duplicates.
Recordings read_recordings(const std::filesystem::path& file);

}  // namespace gaitsim::analysis
