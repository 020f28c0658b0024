#pragma once
// `gaitsim align`: the configured rule's weight update against BP's on one batch, per layer.
#include <filesystem>
#include <optional>

#include "sim/config.hpp"

namespace gaitsim {

struct AlignOptions {
  std::filesystem::path checkpoint;  // weights to use; empty = the config's initial weights
  std::filesystem::path dump;        // HDF5 file to write the batch and updates to; empty = none
  bool force = false;                // overwrite an existing dump
};

int align(const Config& config, const AlignOptions& options);

}  // namespace gaitsim
