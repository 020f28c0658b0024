#pragma once
// `gaitsim cache` as a function: builds an image cache from an image folder or from
// downsampled-ImageNet .npz files, and reads back what the cache says about itself.
#include <variant>

#include "datasets/folder_cache.hpp"
#include "datasets/image_cache.hpp"
#include "datasets/npz_import.hpp"

namespace gaitsim::datasets {

// What to build from; its `out` is the cache file to write (replaced when it exists).
using CacheSource = std::variant<FolderCacheOptions, NpzImportOptions>;

struct BuiltCache {
  CacheBuildReport report;
  ImageCacheInfo info;  // as read back from the written cache (per-channel mean and sd)
};

BuiltCache build_cache(const CacheSource& source, const CacheProgress& progress = {});

}  // namespace gaitsim::datasets
