#include "datasets/cache_source.hpp"

#include <algorithm>
#include <cassert>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {

ChannelStats channel_stats(const ImageCache& cache) {
  const ImageCacheInfo& info = cache.info();
  ChannelStats stats;
  for (int c = 0; c < info.channels; ++c) {
    if (!(info.stddev[std::size_t(c)] > 0.0)) {
      throw DataError(info.file, "channel " + std::to_string(c) +
                                     " has the same value in every image (std 0): the inputs "
                                     "cannot be standardised");
    }
    stats.mean.push_back(static_cast<float>(info.mean[std::size_t(c)]));
    stats.stddev.push_back(static_cast<float>(info.stddev[std::size_t(c)]));
  }
  return stats;
}

CacheSource::CacheSource(std::shared_ptr<const ImageCache> cache, std::size_t limit,
                         ChannelStats stats)
    : cache_(std::move(cache)),
      size_(limit == 0 ? cache_->info().count : std::min(limit, cache_->info().count)),
      stats_(std::move(stats)) {
  assert(stats_.mean.size() == std::size_t(cache_->info().channels));
}

std::array<int, 3> CacheSource::shape() const {
  const ImageCacheInfo& info = cache_->info();
  return {info.channels, info.height, info.width};
}

int CacheSource::classes() const { return static_cast<int>(cache_->info().class_names.size()); }

void CacheSource::read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const {
  const ImageCacheInfo& info = cache_->info();
  const std::size_t bytes = info.image_bytes();
  const std::size_t plane = bytes / std::size_t(info.channels);
  std::vector<std::uint8_t> pixels(rows.size() * bytes);
  cache_->read(rows, pixels.data());
  x.resize(Eigen::Index(rows.size()), Eigen::Index(bytes));
  y.resize(Eigen::Index(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    assert(std::size_t(rows[i]) < size_);
    y(Eigen::Index(i)) = cache_->labels()[std::size_t(rows[i])];
    const std::uint8_t* p = pixels.data() + i * bytes;
    float* out = x.data() + i * bytes;
    for (std::size_t c = 0; c < std::size_t(info.channels); ++c) {
      const float mean = stats_.mean[c], stddev = stats_.stddev[c];
      for (std::size_t k = c * plane; k < (c + 1) * plane; ++k) {
        out[k] = (static_cast<float>(p[k]) / 255.0f - mean) / stddev;
      }
    }
  }
}

}  // namespace gaitsim::datasets
