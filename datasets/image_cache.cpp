#include "datasets/image_cache.hpp"

#include <cassert>

#include "analysis/h5_error.hpp"
#include "analysis/h5_file.hpp"
#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string s;
  for (hsize_t d : dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
  return "(" + s + ")";
}

// A 1-D dataset of variable-length strings, as h5::StreamFile::write_strings stores them.
std::vector<std::string> read_strings(hid_t file, const std::string& path,
                                      const std::filesystem::path& name) {
  const h5::Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) throw DataError(name, "image cache has no " + path + " dataset");
  const h5::Handle space(H5Dget_space(ds.get()), H5Sclose);
  const h5::Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<char*> raw(static_cast<std::size_t>(std::max<hssize_t>(n, 0)), nullptr);
  if (n < 0 || H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0) {
    throw DataError(name, "cannot read " + path + ": " + h5::take_hdf5_error());
  }
  std::vector<std::string> out;
  for (char* s : raw) out.emplace_back(s ? s : "");
  H5Dvlen_reclaim(type.get(), space.get(), H5P_DEFAULT, raw.data());
  return out;
}

// Attributes, shapes and the small datasets, each checked against the others.
ImageCacheInfo read_info(const h5::File& f, std::vector<std::int32_t>& labels) {
  ImageCacheInfo info;
  info.file = f.path();
  const auto& name = info.file;
  if (!f.has_attr("/", "format") || f.attr_string("/", "format") != kImageCacheFormat) {
    throw DataError(name,
                    std::string("not a gaitsim image cache (expected root attribute format = ") +
                        kImageCacheFormat + "; build one with `gaitsim cache`)");
  }
  const long long version = f.attr_int("/", "format_version");
  if (version != kImageCacheVersion) {
    throw DataError(name, "image cache format_version " + std::to_string(version) +
                              " is not the version this build reads (" +
                              std::to_string(kImageCacheVersion) +
                              "); rebuild it with `gaitsim cache`");
  }
  info.channels = static_cast<int>(f.attr_int("/", "channels"));
  info.height = static_cast<int>(f.attr_int("/", "height"));
  info.width = static_cast<int>(f.attr_int("/", "width"));
  info.source = f.attr_string("/", "source");
  info.resize = f.attr_string("/", "resize");
  info.skipped = static_cast<std::size_t>(f.attr_int("/", "skipped"));
  const std::vector<hsize_t> dims = f.shape("/images");
  info.count = dims.empty() ? 0 : dims[0];
  const std::vector<hsize_t> expected = {info.count, hsize_t(info.channels), hsize_t(info.height),
                                         hsize_t(info.width)};
  if (dims != expected) {
    throw DataError(name, "/images has shape " + shape_text(dims) + ", expected " +
                              shape_text(expected) + " from the channels/height/width attributes");
  }
  labels = f.read_vector<std::int32_t>("/labels");
  info.mean = f.read_vector<double>("/mean");
  info.stddev = f.read_vector<double>("/std");
  info.class_counts = f.read_vector<std::int64_t>("/class_counts");
  if (labels.size() != info.count || info.mean.size() != std::size_t(info.channels) ||
      info.stddev.size() != std::size_t(info.channels)) {
    throw DataError(name, "/labels, /mean or /std does not match /images (damaged cache)");
  }
  return info;
}

void check_labels(const ImageCacheInfo& info, const std::vector<std::int32_t>& labels) {
  const auto classes = static_cast<std::int32_t>(info.class_names.size());
  if (info.class_counts.size() != info.class_names.size()) {
    throw DataError(info.file, "/class_counts and /class_names differ in length (damaged cache)");
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw DataError(info.file, "label " + std::to_string(labels[i]) + " of image " +
                                     std::to_string(i) + " out of range: expected 0.." +
                                     std::to_string(classes - 1));
    }
  }
}

}  // namespace

std::size_t ImageCacheInfo::image_bytes() const {
  return static_cast<std::size_t>(channels) * height * width;
}

ImageCache::ImageCache(std::filesystem::path file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw DataError(file, "image cache not found (build it with `gaitsim cache`)");
  }
  try {
    const h5::File f = h5::File::open_read(file);
    info_ = read_info(f, labels_);
  } catch (const h5::H5Error& e) {
    throw DataError(file, std::string("not a readable image cache: ") + e.what());
  }
  h5::silence_hdf5_errors();
  file_ = h5::Handle(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file_.valid()) throw DataError(file, "cannot open: " + h5::take_hdf5_error());
  info_.class_names = read_strings(file_.get(), "/class_names", file);
  check_labels(info_, labels_);
  images_ = h5::Handle(H5Dopen2(file_.get(), "/images", H5P_DEFAULT), H5Dclose);
  if (!images_.valid()) throw DataError(file, "cannot open /images: " + h5::take_hdf5_error());
}

void ImageCache::read_run(Eigen::Index first, Eigen::Index n, std::uint8_t* out) const {
  h5::silence_hdf5_errors();
  const hsize_t start[4] = {hsize_t(first), 0, 0, 0};
  const hsize_t count[4] = {hsize_t(n), hsize_t(info_.channels), hsize_t(info_.height),
                            hsize_t(info_.width)};
  const h5::Handle file_space(H5Dget_space(images_.get()), H5Sclose);
  // The memory space has the selection's shape: HDF5 copies chunk by chunk then, while a
  // differently shaped (e.g. flat) one makes it go element by element, a hundred times slower.
  const h5::Handle memory(H5Screate_simple(4, count, nullptr), H5Sclose);
  if (!file_space.valid() || !memory.valid() ||
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dread(images_.get(), H5T_NATIVE_UINT8, memory.get(), file_space.get(), H5P_DEFAULT, out) <
          0) {
    throw DataError(info_.file, "cannot read images " + std::to_string(first) + ".." +
                                    std::to_string(first + n - 1) + ": " + h5::take_hdf5_error());
  }
}

void ImageCache::read(std::span<const Eigen::Index> rows, std::uint8_t* out) const {
  // Runs of consecutive rows (evaluation reads the whole split in order) become one read each.
  std::size_t i = 0;
  while (i < rows.size()) {
    std::size_t j = i + 1;
    while (j < rows.size() && rows[j] == rows[j - 1] + 1) ++j;
    assert(rows[i] >= 0 && std::size_t(rows[j - 1]) < info_.count);
    read_run(rows[i], Eigen::Index(j - i), out + i * info_.image_bytes());
    i = j;
  }
}

}  // namespace gaitsim::datasets
