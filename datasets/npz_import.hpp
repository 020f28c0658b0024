#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "datasets/image_cache_writer.hpp"

namespace gaitsim::datasets {

struct NpzImportOptions {
  // Downsampled-ImageNet files (Imagenet32/64, Chrabaszcz et al. 2017), e.g.
  // train_data_batch_1.npz .. _10.npz: `data` N x 3*S*S uint8, each row the R, G, B planes of
  // an S x S image; `labels` N integers 1..K. Imported in the order given.
  std::vector<std::filesystem::path> files;
  std::filesystem::path out;  // the cache file to write
  // Class names, "wnid index" per line (map_clsloc.txt): label v is the class of index v.
  std::optional<std::filesystem::path> class_map;
  int classes = 0;  // K without a class map; 0 = the largest label found [count]
};

// Imports npz files into an image cache without resizing; labels become 0-based. Checks every
// file before writing anything: both arrays present, uint8 data of a square RGB size shared by
// all files, one label per row, labels in 1..K. DataError names the file (and member) at fault.
CacheBuildReport import_npz(const NpzImportOptions& options, const CacheProgress& progress = {});

}  // namespace gaitsim::datasets
