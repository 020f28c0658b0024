#include "datasets/npz_import.hpp"

#include <algorithm>
#include <cmath>

#include "datasets/class_map.hpp"
#include "datasets/data_error.hpp"
#include "datasets/npy_array.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;

// Rows read and written at a time: about 32 MiB.
constexpr std::size_t kBlockBytes = std::size_t{32} << 20;

// One file's arrays, checked; labels are still as stored (1-based).
struct NpzPart {
  fs::path file;
  std::uint64_t rows = 0;
  int size = 0;  // S [pixels]
  std::vector<std::int64_t> labels;
};

int square_size(std::uint64_t columns) {
  const auto s = static_cast<std::uint64_t>(std::llround(std::sqrt(double(columns) / 3.0)));
  return s > 0 && 3 * s * s == columns ? static_cast<int>(s) : 0;
}

NpzPart inspect(const fs::path& file) {
  const ZipArchive zip(file);
  NpzPart part{file, 0, 0, {}};
  ZipEntryReader data(zip, zip.entry("data.npy"));
  const NpyHeader h = read_npy_header(data);
  if (h.descr != "|u1" || h.fortran_order || h.shape.size() != 2) {
    data.fail("expected a C-order 2-D uint8 array ('|u1', N x 3*S*S), found type '" + h.descr +
              "' with " + std::to_string(h.shape.size()) + " dimensions" +
              (h.fortran_order ? " in Fortran order" : ""));
  }
  part.rows = h.shape[0];
  part.size = square_size(h.shape[1]);
  if (part.size == 0) {
    data.fail("rows of " + std::to_string(h.shape[1]) +
              " values are not 3 x S x S RGB images (expected 3072 for 32x32, 12288 for 64x64)");
  }
  ZipEntryReader labels(zip, zip.entry("labels.npy"));
  part.labels = read_npy_integers(labels, read_npy_header(labels));
  if (part.labels.size() != part.rows) {
    labels.fail(std::to_string(part.labels.size()) + " labels for " + std::to_string(part.rows) +
                " images in data.npy");
  }
  return part;
}

// K from the class map, the option, or the data; every label must lie in 1..K.
std::size_t class_count(const NpzImportOptions& o, const std::vector<NpzPart>& parts,
                        std::size_t mapped) {
  std::int64_t largest = 0;
  for (const NpzPart& p : parts) {
    for (std::int64_t v : p.labels) largest = std::max(largest, v);
  }
  const std::size_t k = mapped > 0      ? mapped
                        : o.classes > 0 ? std::size_t(o.classes)
                                        : std::size_t(largest);
  for (const NpzPart& p : parts) {
    for (std::size_t i = 0; i < p.labels.size(); ++i) {
      if (p.labels[i] < 1 || std::uint64_t(p.labels[i]) > k) {
        throw DataError(p.file, "labels.npy: label " + std::to_string(p.labels[i]) + " of row " +
                                    std::to_string(i) + " out of range: expected 1.." +
                                    std::to_string(k) +
                                    " (downsampled ImageNet labels are 1-based)");
      }
    }
  }
  return k;
}

// Without a class map, a class is known by its label as the npz files give it.
std::vector<std::string> numbered_classes(std::size_t k) {
  std::vector<std::string> names;
  for (std::size_t v = 1; v <= k; ++v) names.push_back(std::to_string(v));
  return names;
}

void copy_rows(const NpzPart& part, ImageCacheWriter& writer, std::size_t& done, std::size_t total,
               const CacheProgress& progress) {
  const ZipArchive zip(part.file);
  ZipEntryReader data(zip, zip.entry("data.npy"));
  read_npy_header(data);
  const std::size_t row = 3 * std::size_t(part.size) * part.size;
  const std::size_t block = std::max<std::size_t>(1, kBlockBytes / row);
  std::vector<std::uint8_t> pixels;
  std::vector<std::int32_t> labels;
  for (std::size_t first = 0; first < part.rows; first += block) {
    const std::size_t n = std::min<std::size_t>(block, part.rows - first);
    pixels.resize(n * row);
    data.read(pixels.data(), pixels.size(), "data.npy rows");
    labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = std::int32_t(part.labels[first + i] - 1);
    writer.append(pixels.data(), labels.data(), n);
    done += n;
    if (progress) progress(done, total);
  }
}

std::string join_paths(const std::vector<fs::path>& files) {
  std::string s;
  for (const fs::path& f : files) s += (s.empty() ? "" : ", ") + fs::absolute(f).string();
  return s;
}

}  // namespace

CacheBuildReport import_npz(const NpzImportOptions& o, const CacheProgress& progress) {
  if (o.files.empty()) throw DataError(o.out, "no .npz files to import");
  std::vector<NpzPart> parts;
  std::size_t total = 0;
  for (const fs::path& file : o.files) {
    parts.push_back(inspect(file));
    if (parts.back().size != parts.front().size) {
      throw DataError(file, "holds " + std::to_string(parts.back().size) + "x" +
                                std::to_string(parts.back().size) + " images, but " +
                                parts.front().file.string() + " holds " +
                                std::to_string(parts.front().size) + "x" +
                                std::to_string(parts.front().size) + "; one cache has one size");
    }
    total += parts.back().rows;
  }
  if (total == 0) throw DataError(o.files.front(), "no images in the given files");
  const std::vector<std::string> mapped =
      o.class_map ? read_class_map(*o.class_map) : std::vector<std::string>{};
  const std::size_t k = class_count(o, parts, mapped.size());
  const int s = parts.front().size;
  ImageCacheWriter writer(o.out, {3, s, s},
                          {mapped.empty() ? numbered_classes(k) : mapped, join_paths(o.files),
                           "none: imported as stored in the npz files (" + std::to_string(s) + "x" +
                               std::to_string(s) + ", channel-planar RGB)"});
  std::size_t done = 0;
  for (const NpzPart& part : parts) copy_rows(part, writer, done, total, progress);
  CacheBuildReport report;
  report.written = writer.count();
  report.shape = {3, s, s};
  report.classes = k;
  writer.commit(0);
  return report;
}

}  // namespace gaitsim::datasets
