#pragma once

#include <filesystem>

#include "datasets/image_cache_writer.hpp"
#include "datasets/image_folder.hpp"

namespace gaitsim::datasets {

// What to do with a file that does not decode as a JPEG or PNG.
enum class BadImagePolicy { kStop, kSkip };

struct FolderCacheOptions {
  std::filesystem::path source;  // one split: class subfolders, or flat with labels.flat_labels
  std::filesystem::path out;     // the cache file to write
  ImageFolderLabels labels;
  int size = 64;  // side of the square images in the cache [pixels]
  BadImagePolicy on_bad_image = BadImagePolicy::kStop;
  int threads = 0;  // decoding threads, 0 = OpenMP's default [count]
};

// Builds an image cache from an image folder (list_image_folder): every image is decoded,
// brought to size x size by centre_square and written with its label; decoding runs in
// parallel, writing in listing order. An undecodable image stops the build with a DataError
// naming it (kStop), or is left out and listed, one "file: reason" per line, in
// <out stem>.skipped.txt beside the cache (kSkip). A class left with no image, an empty class
// folder or no images at all is an error. Nothing is written under `out` unless the whole cache
// is complete (see ImageCacheWriter); `out` must not exist (the caller decides on replacing).
CacheBuildReport build_folder_cache(const FolderCacheOptions& options,
                                    const CacheProgress& progress = {});

// Where build_folder_cache lists the images it skipped: FILE.h5 -> FILE.skipped.txt.
std::filesystem::path skipped_list_path(const std::filesystem::path& cache);

}  // namespace gaitsim::datasets
