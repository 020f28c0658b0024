#pragma once
// `gaitsim align` as a function: the configured rule's weight update against BP's on one batch,
// per layer, and optionally a dump of the batch, weights and both updates (HDF5).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/config.hpp"

namespace gaitsim {

struct AlignOptions {
  std::filesystem::path checkpoint;  // weights to use; empty = the config's initial weights
  std::filesystem::path dump;        // HDF5 file to write the batch and updates to; empty = none
  bool force = false;                // overwrite an existing dump
};

// The measured angles, one row per layer 1..L.
struct AlignReport {
  struct Layer {
    std::string name;
    double cosine = 0;
    double angle_deg = 0;  // [deg]
  };
  long long examples = 0;  // rows of the batch
  std::vector<Layer> layers;
};

// Measures on the first learning.batch_size training examples, hands the result to `measured`,
// then writes the dump (when options.dump is set). Throws ConfigError when the dump exists
// without options.force.
void align(const Config& config, const AlignOptions& options,
           const std::function<void(const AlignReport&)>& measured);

}  // namespace gaitsim
