#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "datasets/dataset.hpp"

namespace gaitsim::datasets {

// Raw contents of an idx3-ubyte image file: `count` images of rows x cols bytes, row-major.
struct IdxImages {
  std::size_t count = 0;
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;
};

// Readers for the IDX format (MNIST and look-alikes), plain or gzip. `limit` > 0 reads only the
// first `limit` examples and stops there; 0 reads all. All problems throw DataError.
IdxImages read_idx_images(const std::filesystem::path& file, std::size_t limit = 0);
std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file, std::size_t limit = 0);

// Pairs an image file with its label file; the headers must agree on the example count and every
// label must lie in [0, classes).
Dataset read_idx_dataset(const std::filesystem::path& images, const std::filesystem::path& labels,
                         std::size_t limit = 0, int classes = 10);

// Loads the four standard MNIST files from `dir` (train-images-idx3-ubyte, ...), each plain or
// .gz, also accepting the dotted spelling train-images.idx3-ubyte.
DataSplit load_idx_dir(const std::filesystem::path& dir, std::size_t train_limit,
                       std::size_t test_limit);

}  // namespace gaitsim::datasets
