#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analysis/atomic_file.hpp"

namespace gaitsim::datasets {

// What a new cache says about itself (root attributes, /class_names).
struct CacheDescription {
  std::vector<std::string> class_names;  // label k is class_names[k]
  std::string source;                    // the folder or files it is built from
  std::string resize;                    // how images were brought to the cache's size
};

// Called as a cache is built: source images (or rows) done so far out of the total.
using CacheProgress = std::function<void(std::size_t done, std::size_t total)>;

// The outcome of building a cache.
struct CacheBuildReport {
  std::size_t written = 0;             // images in the cache [count]
  std::size_t skipped = 0;             // undecodable images left out [count]
  std::size_t ignored = 0;             // files that are not images (by extension) [count]
  std::filesystem::path skipped_list;  // where the skipped files are listed, if any
  std::array<int, 3> shape{};          // channels, height, width [pixels]
  std::size_t classes = 0;             // [count]
};

// Writes an image cache (docs/file-formats.md) image by image, so that no more than a block of
// images is ever in memory. Everything goes to a temporary file beside the final path
// (h5::AtomicStreamWriter); commit() completes it and renames it into place, and a writer
// destroyed without commit() (an error, an interruption) deletes it, so the final path only
// ever holds a complete cache or whatever was there before.
class ImageCacheWriter {
 public:
  // shape: channels, height, width of every image [pixels].
  ImageCacheWriter(std::filesystem::path final_path, std::array<int, 3> shape,
                   CacheDescription description);
  ImageCacheWriter(const ImageCacheWriter&) = delete;
  ImageCacheWriter& operator=(const ImageCacheWriter&) = delete;

  // Appends n images (C x H x W bytes each, channel-planar) with their labels, each a valid
  // index into class_names.
  void append(const std::uint8_t* images, const std::int32_t* labels, std::size_t n);
  std::size_t count() const { return labels_.size(); }

  // Writes labels, per-class counts, per-channel mean and standard deviation and the
  // attributes, then closes, syncs and renames the file into place. `skipped`: source images
  // left out because they could not be decoded [count].
  void commit(std::size_t skipped);

 private:
  std::array<int, 3> shape_;
  CacheDescription description_;
  std::optional<h5::AtomicStreamWriter> out_;  // emplaced once the folder is known to exist
  std::vector<std::int32_t> labels_;
  // Exact integer sums of pixel values and their squares per channel, for mean and std.
  std::vector<std::uint64_t> sum_, sum_squares_;
};

}  // namespace gaitsim::datasets
