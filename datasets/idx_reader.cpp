#include "datasets/idx_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "datasets/byte_reader.hpp"

namespace gaitsim::datasets {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension

std::string hex(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

void expect_magic(ByteReader& in, std::uint32_t expected, const char* kind) {
  const std::uint32_t magic = in.read_u32_be("header");
  if (magic != expected) {
    throw DataError(in.path(), std::string("wrong magic number for an IDX ") + kind +
                                   " file: expected " + hex(expected) + ", found " + hex(magic));
  }
}

// Checks the whole file against its header when that is cheap (plain files), so truncation is
// reported even when a limit means the missing tail would never be read. Absurd headers are
// rejected first so that the size arithmetic here and in the readers cannot overflow.
void expect_declared_size(const ByteReader& in, std::uintmax_t header_bytes, std::uintmax_t count,
                          std::uintmax_t item_bytes) {
  if (count != 0 && item_bytes > std::numeric_limits<std::uintmax_t>::max() / 2 / count) {
    throw DataError(in.path(), "header declares " + std::to_string(count) + " examples of " +
                                   std::to_string(item_bytes) + " bytes, more than fits in memory");
  }
  const auto size = in.plain_size();
  const std::uintmax_t expected = header_bytes + count * item_bytes;
  if (size && *size < expected) {
    throw DataError(in.path(), "truncated: header declares " + std::to_string(count) +
                                   " examples (" + std::to_string(expected) +
                                   " bytes with header), file has " + std::to_string(*size));
  }
}

std::size_t take(std::size_t count, std::size_t limit) {
  return limit == 0 ? count : std::min(count, limit);
}

// Checks the magic number and returns the example count that follows it in every IDX header.
std::uint32_t declared_count(ByteReader& in, std::uint32_t magic, const char* kind) {
  expect_magic(in, magic, kind);
  return in.read_u32_be("header");
}

std::uint32_t declared_count(const std::filesystem::path& file, std::uint32_t magic,
                             const char* kind) {
  ByteReader in(file);
  return declared_count(in, magic, kind);
}

void expect_labels_below(const std::vector<std::uint8_t>& labels, int classes,
                         const std::filesystem::path& file) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= classes) {
      throw DataError(file, "label " + std::to_string(labels[i]) + " at index " +
                                std::to_string(i) + " out of range: expected 0.." +
                                std::to_string(classes - 1));
    }
  }
}

// Finds `stem` + "-" + `kind` in dir, trying the dotted spelling and a .gz suffix too.
std::filesystem::path find_idx_file(const std::filesystem::path& dir, const std::string& stem,
                                    const std::string& kind) {
  std::string tried;
  for (const char* sep : {"-", "."}) {
    for (const char* suffix : {"", ".gz"}) {
      const std::string name = stem + sep + kind + suffix;
      if (std::filesystem::is_regular_file(dir / name)) return dir / name;
      tried += (tried.empty() ? "" : ", ") + name;
    }
  }
  throw DataError(dir, "missing " + stem + " file; tried " + tried);
}

Dataset load_idx_part(const std::filesystem::path& dir, const std::string& prefix,
                      std::size_t limit) {
  // Separate statements fix the lookup order, so a folder missing both reports the images first.
  const std::filesystem::path images = find_idx_file(dir, prefix + "-images", "idx3-ubyte");
  const std::filesystem::path labels = find_idx_file(dir, prefix + "-labels", "idx1-ubyte");
  return read_idx_dataset(images, labels, limit);
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& file, std::size_t limit) {
  ByteReader in(file);
  const std::uint32_t count = declared_count(in, kImagesMagic, "images");
  IdxImages images;
  images.rows = static_cast<int>(in.read_u32_be("header"));
  images.cols = static_cast<int>(in.read_u32_be("header"));
  if (images.rows <= 0 || images.cols <= 0) {
    throw DataError(file, "bad image size in header: expected positive rows and columns, found " +
                              std::to_string(images.rows) + "x" + std::to_string(images.cols));
  }
  const std::size_t item = static_cast<std::size_t>(images.rows) * images.cols;
  expect_declared_size(in, 16, count, item);
  images.count = take(count, limit);
  images.pixels = in.read(images.count * item, "image data");
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file, std::size_t limit) {
  ByteReader in(file);
  const std::uint32_t count = declared_count(in, kLabelsMagic, "labels");
  expect_declared_size(in, 8, count, 1);
  return in.read(take(count, limit), "label data");
}

Dataset read_idx_dataset(const std::filesystem::path& images_file,
                         const std::filesystem::path& labels_file, std::size_t limit, int classes) {
  // Compare the full header counts first: a mismatch means the files do not belong together,
  // even if the first `limit` examples happen to be present in both.
  const std::uint32_t n_images = declared_count(images_file, kImagesMagic, "images");
  const std::uint32_t n_labels = declared_count(labels_file, kLabelsMagic, "labels");
  if (n_images != n_labels) {
    throw DataError(labels_file, "header declares " + std::to_string(n_labels) +
                                     " labels, expected " + std::to_string(n_images) +
                                     " to match the images in " + images_file.string());
  }
  const IdxImages images = read_idx_images(images_file, limit);
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_file, limit);
  expect_labels_below(labels, classes, labels_file);

  const auto n = static_cast<Eigen::Index>(images.count);
  const auto d = static_cast<Eigen::Index>(images.rows) * images.cols;
  using Bytes = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Dataset data;
  data.x = Eigen::Map<const Bytes>(images.pixels.data(), n, d).cast<float>() / 255.0f;
  data.y = Eigen::Map<const Eigen::Matrix<std::uint8_t, Eigen::Dynamic, 1>>(labels.data(), n)
               .cast<int>();
  data.classes = classes;
  data.shape = {1, images.rows, images.cols};
  return data;
}

DataSplit load_idx_dir(const std::filesystem::path& dir, std::size_t train_limit,
                       std::size_t test_limit) {
  if (!std::filesystem::is_directory(dir)) {
    throw DataError(dir, "dataset folder not found (expected a folder with IDX files)");
  }
  return {load_idx_part(dir, "train", train_limit), load_idx_part(dir, "t10k", test_limit)};
}

}  // namespace gaitsim::datasets
