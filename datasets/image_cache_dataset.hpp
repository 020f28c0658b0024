#pragma once

#include <cstddef>
#include <filesystem>

#include "datasets/batch_source.hpp"

namespace gaitsim::datasets {

// The "imagenet" dataset: a folder holding two image caches, train.h5 and test.h5 (built by
// `gaitsim cache`). Both must have the same image shape and class names. Inputs are
// standardised per channel with the mean and std stored in train.h5 (CacheSource); limits > 0
// keep the first examples of each split. Problems throw DataError naming the file.
SourceSplit open_image_cache_dir(const std::filesystem::path& dir, std::size_t train_limit,
                                 std::size_t test_limit);

// The same examples read into memory.
DataSplit load_image_cache_dir(const std::filesystem::path& dir, std::size_t train_limit,
                               std::size_t test_limit);

}  // namespace gaitsim::datasets
