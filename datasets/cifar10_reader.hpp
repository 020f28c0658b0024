#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

// Reads CIFAR-10 binary batches in order: each record is 1 label byte then 3072 pixel bytes
// (1024 R, 1024 G, 1024 B, each 32x32 row-major), kept in that C,H,W order in x. `limit` > 0
// stops after that many records across all files; 0 reads all. Problems throw DataError.
Dataset read_cifar10_batches(const std::vector<std::filesystem::path>& files,
                             std::size_t limit = 0);

// Loads data_batch_1.bin .. data_batch_5.bin (train) and test_batch.bin (test) from `dir`.
DataSplit load_cifar10_dir(const std::filesystem::path& dir, std::size_t train_limit,
                           std::size_t test_limit);

}  // namespace gaitsim::datasets
