#include "datasets/folder_cache.hpp"

#include <omp.h>

#include <algorithm>

#include "analysis/atomic_file.hpp"
#include "datasets/centre_square.hpp"
#include "datasets/data_error.hpp"
#include "datasets/rgb_image.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;

// Images decoded at once: enough to keep every thread busy, few enough to bound memory.
constexpr std::size_t kBlock = 512;

struct Decoded {
  std::vector<std::uint8_t> pixels;  // C x H x W, empty on failure
  std::string error;
};

// Decodes and resizes files[first, first + n) in parallel; failures are kept, not thrown,
// since an exception must not leave an OpenMP region.
std::vector<Decoded> decode_block(const std::vector<LabelledFile>& files, std::size_t first,
                                  std::size_t n, int size, int threads) {
  std::vector<Decoded> out(n);
  const int team = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 4) num_threads(team)
  for (std::size_t i = 0; i < n; ++i) {
    try {
      // The DCT-domain reduction keeps twice the target size, so the area filter still does
      // the final anti-aliasing.
      const RgbImage image = read_image(files[first + i].path, 2 * size);
      out[i].pixels = centre_square(image, size);
    } catch (const DataError& e) {
      out[i].error = e.problem();
    } catch (const std::exception& e) {
      out[i].error = e.what();
    }
  }
  return out;
}

std::string describe_resize(int size) {
  const std::string s = std::to_string(size);
  return "shorter side scaled to " + s +
         " (area average when shrinking, after libjpeg DCT reduction to at least " +
         std::to_string(2 * size) + "; bilinear when enlarging), centre crop " + s + "x" + s +
         "; grey-scale and CMYK converted to RGB, alpha composited onto black";
}

void write_skipped_list(const fs::path& list, const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + '\n';
  write_text_atomic(list, text);
}

void check_every_class_present(const ImageFolderListing& listing,
                               const std::vector<std::int64_t>& written, const fs::path& root) {
  std::vector<std::int64_t> listed(written.size(), 0);
  for (const LabelledFile& f : listing.files) ++listed[std::size_t(f.label)];
  for (std::size_t k = 0; k < written.size(); ++k) {
    if (listed[k] > 0 && written[k] == 0) {
      throw DataError(
          root / listing.class_names[k],
          "none of the images of class " + listing.class_names[k] + " could be decoded");
    }
  }
}

}  // namespace

fs::path skipped_list_path(const fs::path& cache) {
  fs::path list = cache;
  list.replace_extension(".skipped.txt");
  return list;
}

CacheBuildReport build_folder_cache(const FolderCacheOptions& o, const CacheProgress& progress) {
  const ImageFolderListing listing = list_image_folder(o.source, o.labels);
  ImageCacheWriter writer(
      o.out, {3, o.size, o.size},
      {listing.class_names, fs::absolute(o.source).string(), describe_resize(o.size)});
  CacheBuildReport report;
  report.ignored = listing.ignored;
  std::vector<std::string> skipped;
  std::vector<std::int64_t> written(listing.class_names.size(), 0);
  std::vector<std::uint8_t> images;
  std::vector<std::int32_t> labels;
  const std::size_t total = listing.files.size();
  for (std::size_t first = 0; first < total; first += kBlock) {
    const std::size_t n = std::min(kBlock, total - first);
    std::vector<Decoded> block = decode_block(listing.files, first, n, o.size, o.threads);
    images.clear();
    labels.clear();
    for (std::size_t i = 0; i < n; ++i) {
      const LabelledFile& file = listing.files[first + i];
      if (!block[i].error.empty()) {
        if (o.on_bad_image == BadImagePolicy::kStop) {
          throw DataError(file.path, block[i].error +
                                         "; nothing was written (--on-bad-image skip leaves such "
                                         "images out and lists them)");
        }
        skipped.push_back(file.path.string() + ": " + block[i].error);
        continue;
      }
      images.insert(images.end(), block[i].pixels.begin(), block[i].pixels.end());
      labels.push_back(file.label);
      ++written[std::size_t(file.label)];
    }
    writer.append(images.data(), labels.data(), labels.size());
    if (progress) progress(first + n, total);
  }
  check_every_class_present(listing, written, o.source);
  report.written = writer.count();
  report.skipped = skipped.size();
  report.shape = {3, o.size, o.size};
  report.classes = listing.class_names.size();
  writer.commit(report.skipped);
  // The list describes the cache beside it: an old one goes with the cache it described.
  const fs::path list = skipped_list_path(o.out);
  if (skipped.empty()) {
    fs::remove(list);
  } else {
    write_skipped_list(list, skipped);
    report.skipped_list = list;
  }
  return report;
}

}  // namespace gaitsim::datasets
