#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/batch_source.hpp"
#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

// Loads the named dataset from `dir`; limits > 0 keep only the first examples of each split.
// A relative `dir` that does not exist from the working directory is looked up under the source
// tree, so runs started from a build folder still find data/. Unknown names throw DataError
// listing the valid ones.
DataSplit load_dataset(const std::string& name, const std::filesystem::path& dir,
                       std::size_t train_limit = 0, std::size_t test_limit = 0);

// The same examples as a source of batches, for training: datasets too large for memory
// (imagenet) are read from disk as batches are asked for, the others are loaded whole.
SourceSplit open_dataset(const std::string& name, const std::filesystem::path& dir,
                         std::size_t train_limit = 0, std::size_t test_limit = 0);

// Registered names, sorted; for validating configs before any loading starts.
std::vector<std::string> dataset_names();

}  // namespace gaitsim::datasets
