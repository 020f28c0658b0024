#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "analysis/h5_handle.hpp"

namespace gaitsim::datasets {

// The identity of an image cache file (docs/file-formats.md, "Image cache").
inline constexpr const char* kImageCacheFormat = "gaitsim-image-cache";
inline constexpr int kImageCacheVersion = 1;

// What an image cache holds, apart from the pixels and labels.
struct ImageCacheInfo {
  std::filesystem::path file;
  int channels = 0, height = 0, width = 0;  // [pixels]
  std::size_t count = 0;                    // images [count]
  std::vector<std::string> class_names;     // label k is class_names[k]
  std::vector<std::int64_t> class_counts;   // images per class [count]
  std::vector<double> mean, stddev;         // per channel, of pixel / 255 over all images [1]
  std::string source;                       // the folder or files it was built from
  std::string resize;                       // how images were brought to height x width
  std::size_t skipped = 0;                  // undecodable source images left out [count]

  std::size_t image_bytes() const;  // C * H * W
};

// Read access to an image cache: metadata and labels on opening, pixels on demand. Opening
// checks format, version and that every part agrees with the others; anything amiss throws
// DataError naming the file. read() may be called from several threads at once (HDF5 is built
// thread-safe on Debian and serialises its calls).
class ImageCache {
 public:
  explicit ImageCache(std::filesystem::path file);

  const ImageCacheInfo& info() const { return info_; }
  const std::vector<std::int32_t>& labels() const { return labels_; }

  // Copies the images of `rows` (any order, repeats allowed) to out, image_bytes() each.
  void read(std::span<const Eigen::Index> rows, std::uint8_t* out) const;

 private:
  void read_run(Eigen::Index first, Eigen::Index n, std::uint8_t* out) const;

  ImageCacheInfo info_;
  std::vector<std::int32_t> labels_;
  h5::Handle file_, images_;
};

}  // namespace gaitsim::datasets
