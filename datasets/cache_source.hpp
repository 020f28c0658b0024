#pragma once

#include <memory>
#include <vector>

#include "datasets/batch_source.hpp"
#include "datasets/image_cache.hpp"

namespace gaitsim::datasets {

// Per-channel statistics that standardise the inputs [1, in units of pixel / 255].
struct ChannelStats {
  std::vector<float> mean, stddev;
};

// The statistics stored in a (training) cache; DataError if a channel has no spread to divide by.
ChannelStats channel_stats(const ImageCache& cache);

// The first `limit` images of a cache (0 = all), read on demand and standardised per channel
// c with `stats` (the training cache's, for both splits):
//   x = (pixel / 255 - mean_c) / stddev_c,
// computed in float exactly as normalise_per_channel does on in-memory data.
class CacheSource : public BatchSource {
 public:
  CacheSource(std::shared_ptr<const ImageCache> cache, std::size_t limit, ChannelStats stats);

  std::size_t size() const override { return size_; }
  std::array<int, 3> shape() const override;
  int classes() const override;
  std::filesystem::path origin() const override { return cache_->info().file; }
  void read(std::span<const Eigen::Index> rows, Features& x, Eigen::VectorXi& y) const override;

 private:
  std::shared_ptr<const ImageCache> cache_;
  std::size_t size_;
  ChannelStats stats_;
};

}  // namespace gaitsim::datasets
