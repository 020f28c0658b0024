#include "datasets/image_cache_writer.hpp"

#include <cassert>
#include <cmath>

#include "datasets/data_error.hpp"
#include "datasets/image_cache.hpp"

namespace gaitsim::datasets {

ImageCacheWriter::ImageCacheWriter(std::filesystem::path final_path, std::array<int, 3> shape,
                                   CacheDescription description)
    : shape_(shape),
      description_(std::move(description)),
      sum_(static_cast<std::size_t>(shape[0]), 0),
      sum_squares_(static_cast<std::size_t>(shape[0]), 0) {
  assert(shape[0] > 0 && shape[1] > 0 && shape[2] > 0 && !description_.class_names.empty());
  const auto parent = final_path.has_parent_path() ? final_path.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(parent, ec)) {
    throw DataError(final_path, "output folder " + parent.string() + " does not exist");
  }
  out_.emplace(std::move(final_path));
  // One image per chunk: training reads images in random order, one at a time, and a larger
  // chunk would be read whole for each of them.
  out_->file().create_stream("/images", h5::scalar_type<std::uint8_t>(),
                             {hsize_t(shape[0]), hsize_t(shape[1]), hsize_t(shape[2])}, 1, 0);
}

void ImageCacheWriter::append(const std::uint8_t* images, const std::int32_t* labels,
                              std::size_t n) {
  const std::size_t plane = std::size_t(shape_[1]) * shape_[2];
  for (std::size_t i = 0; i < n; ++i) {
    assert(labels[i] >= 0 && std::size_t(labels[i]) < description_.class_names.size());
    for (std::size_t c = 0; c < sum_.size(); ++c) {
      const std::uint8_t* p = images + (i * sum_.size() + c) * plane;
      std::uint64_t s = 0, s2 = 0;
      for (std::size_t k = 0; k < plane; ++k) {
        s += p[k];
        s2 += std::uint64_t{p[k]} * p[k];
      }
      sum_[c] += s;
      sum_squares_[c] += s2;
    }
  }
  out_->file().append("/images", images, n);
  labels_.insert(labels_.end(), labels, labels + n);
}

void ImageCacheWriter::commit(std::size_t skipped) {
  const std::size_t classes = description_.class_names.size();
  std::vector<std::int64_t> counts(classes, 0);
  for (std::int32_t label : labels_) ++counts[std::size_t(label)];
  // Population mean and standard deviation of pixel / 255 over every pixel of every image:
  // mean = S / (255 n), std = sqrt(S2 / n - (S / n)^2) / 255, with n pixels per channel.
  const double n = double(labels_.size()) * shape_[1] * shape_[2];
  std::vector<double> mean, stddev;
  for (std::size_t c = 0; c < sum_.size(); ++c) {
    const double m = n > 0 ? double(sum_[c]) / n : 0.0;
    const double var = n > 0 ? std::max(0.0, double(sum_squares_[c]) / n - m * m) : 0.0;
    mean.push_back(m / 255.0);
    stddev.push_back(std::sqrt(var) / 255.0);
  }
  h5::StreamFile& f = out_->file();
  f.write_vector("/labels", labels_);
  f.write_vector("/class_counts", counts);
  f.write_vector("/mean", mean);
  f.write_vector("/std", stddev);
  f.write_strings("/class_names", description_.class_names);
  f.set_attr("/", "format", kImageCacheFormat);
  f.set_attr("/", "format_version", kImageCacheVersion);
  f.set_attr("/", "channels", shape_[0]);
  f.set_attr("/", "height", shape_[1]);
  f.set_attr("/", "width", shape_[2]);
  if (shape_[1] == shape_[2]) f.set_attr("/", "resolution", shape_[1]);
  f.set_attr("/", "count", static_cast<std::int64_t>(labels_.size()));
  f.set_attr("/", "classes", static_cast<std::int64_t>(classes));
  f.set_attr("/", "skipped", static_cast<std::int64_t>(skipped));
  f.set_attr("/", "source", description_.source);
  f.set_attr("/", "resize", description_.resize);
  f.set_attr("/", "created", h5::iso8601_now());
  out_->commit();
}

}  // namespace gaitsim::datasets
