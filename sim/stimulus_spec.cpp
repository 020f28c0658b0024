#include "sim/stimulus_spec.hpp"

#include <hdf5.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <regex>

#include "analysis/h5_file.hpp"
#include "datasets/dataset_registry.hpp"
#include "datasets/idx_reader.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kExpected =
    "expected test:A-B (inclusive), test:N, test[:all], train:class=K[:LIMIT], the same with "
    "train/test swapped, or a path to an HDF5 file with /images or an IDX images file";

[[noreturn]] void bad_spec(const std::string& spec, const std::string& why) {
  throw ConfigError("--stimuli '" + spec + "': " + why + "; " + kExpected);
}

long long parse_count(const std::string& spec, const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 12) {
    bad_spec(spec, "'" + text + "' is not a non-negative integer");
  }
  return std::stoll(text);
}

bool is_hdf5(const fs::path& p) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  return H5Fis_hdf5(p.c_str()) > 0;
}

// Reads an N-D numeric dataset into floats (HDF5 converts), returning its dims.
std::vector<float> read_floats(const fs::path& file, const std::string& name,
                               std::vector<hsize_t>& dims, bool& was_uint8) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error(file.string() + ": cannot open as HDF5");
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  if (d < 0) {
    H5Fclose(f);
    throw std::runtime_error(file.string() + ": has no dataset " + name +
                             " (expected N x C x H x W uint8 or N x d float images)");
  }
  const hid_t space = H5Dget_space(d), type = H5Dget_type(d);
  dims.assign(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)), 0);
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  was_uint8 = H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1;
  const bool numeric = H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT;
  std::uint64_t total = 0;
  try {
    total = h5::checked_read_size(file, name, dims, sizeof(float));
  } catch (...) {
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    throw;
  }
  std::vector<float> out(numeric ? total : 0);
  const herr_t status =
      numeric ? H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) : -1;
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  if (status < 0) throw std::runtime_error(file.string() + ": cannot read " + name + " as numbers");
  return out;
}

StimulusSet from_hdf5(const fs::path& file, int input_width) {
  std::vector<hsize_t> dims;
  bool uint8 = false;
  std::vector<float> v = read_floats(file, "/images", dims, uint8);
  if (dims.size() < 2) {
    throw std::runtime_error(file.string() +
                             ": /images must have a stimulus dimension and at "
                             "least one more (N x d, N x H x W or N x C x H x W)");
  }
  const auto n = static_cast<Eigen::Index>(dims[0]);
  const auto d = static_cast<Eigen::Index>(v.size() / std::max<hsize_t>(1, dims[0]));
  if (input_width > 0 && d != input_width) {
    throw std::runtime_error(file.string() + ": /images holds " + std::to_string(d) +
                             " values per stimulus; the network's input has " +
                             std::to_string(input_width));
  }
  StimulusSet s;
  s.x = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(),
                                                                                          n, d);
  if (uint8) s.x /= 255.0f;
  const h5::File f = h5::File::open_read(file);
  if (f.exists("/stimulus_id")) {
    s.ids = f.read_vector<long long>("/stimulus_id");
  } else {
    s.ids.resize(static_cast<std::size_t>(n));
    std::iota(s.ids.begin(), s.ids.end(), 0LL);
  }
  s.labels = f.exists("/labels") ? f.read_vector<int>("/labels") : std::vector<int>(n, -1);
  if (static_cast<Eigen::Index>(s.ids.size()) != n ||
      static_cast<Eigen::Index>(s.labels.size()) != n) {
    throw std::runtime_error(file.string() +
                             ": /stimulus_id and /labels must have one entry per "
                             "image (" +
                             std::to_string(n) + ")");
  }
  s.description = "images of " + file.string() + (uint8 ? " (uint8 / 255)" : "");
  return s;
}

StimulusSet from_idx(const fs::path& file, int input_width) {
  const datasets::IdxImages images = datasets::read_idx_images(file);
  const auto n = static_cast<Eigen::Index>(images.count);
  const Eigen::Index d = Eigen::Index(images.rows) * images.cols;
  if (input_width > 0 && d != input_width) {
    throw std::runtime_error(file.string() + ": holds " + std::to_string(images.rows) + "x" +
                             std::to_string(images.cols) + " images (" + std::to_string(d) +
                             " values per stimulus); the network's input has " +
                             std::to_string(input_width));
  }
  StimulusSet s;
  s.x.resize(n, d);
  for (Eigen::Index k = 0; k < n * d; ++k)
    s.x.data()[k] = images.pixels[static_cast<std::size_t>(k)] / 255.0f;
  s.ids.resize(static_cast<std::size_t>(n));
  std::iota(s.ids.begin(), s.ids.end(), 0LL);
  s.labels.assign(static_cast<std::size_t>(n), -1);
  s.description = "IDX images of " + file.string() + " (/ 255)";
  return s;
}

}  // namespace

StimulusSet load_stimuli(const std::string& spec, const Config& c, int input_width) {
  // std::regex matches recursively, a stack frame per character: a spec is a selection or a
  // path, neither longer than a path may be.
  constexpr std::size_t kMaxSpec = 4096;
  if (spec.size() > kMaxSpec) {
    bad_spec(spec.substr(0, 40) + "...", std::to_string(spec.size()) +
                                             " characters long, more than the limit of " +
                                             std::to_string(kMaxSpec));
  }
  const std::regex split_re("^(train|test)(?::(.*))?$");
  std::smatch m;
  if (!std::regex_match(spec, m, split_re)) {
    if (spec.empty()) bad_spec(spec, "empty");
    const fs::path file(spec);
    if (!fs::exists(file)) bad_spec(spec, "not a split selection, and no such file");
    // The dataset gives classes and the input width when it is there; the file stands alone.
    int classes = 0, width = input_width;
    try {
      const auto meta = datasets::load_dataset(c.data.dataset, c.data.folder(), 1, 1);
      classes = meta.train.classes;
      if (width == 0) width = static_cast<int>(meta.train.x.cols());
    } catch (const std::exception&) {
    }
    StimulusSet s = is_hdf5(file) ? from_hdf5(file, width) : from_idx(file, width);
    s.classes = classes;
    return s;
  }
  const bool train = m[1] == "train";
  const std::string sel = m[2].matched ? m[2].str() : "all";
  const std::string split = train ? "train" : "test";
  std::smatch r;
  long long first = 0, last = -1, klass = -1, limit = 0;
  if (sel == "all" || sel.empty()) {
  } else if (std::regex_match(sel, r, std::regex("^([0-9]+)-([0-9]+)$"))) {
    first = parse_count(spec, r[1]);
    last = parse_count(spec, r[2]);
    if (last < first) bad_spec(spec, "the range ends before it starts");
  } else if (std::regex_match(sel, r, std::regex("^[0-9]+$"))) {
    first = last = parse_count(spec, sel);
  } else if (std::regex_match(sel, r, std::regex("^class=([0-9]+)(?::([0-9]+))?$"))) {
    klass = parse_count(spec, r[1]);
    if (r[2].matched) limit = parse_count(spec, r[2]);
    if (r[2].matched && limit == 0) bad_spec(spec, "a class limit must be positive");
  } else {
    bad_spec(spec, "cannot read the selection '" + sel + "'");
  }
  // Load only as much of the split as the selection needs (1 example of the other split).
  const std::size_t need = last >= 0 ? static_cast<std::size_t>(last + 1) : 0;
  const auto data =
      datasets::load_dataset(c.data.dataset, c.data.folder(), train ? need : 1, train ? 1 : need);
  const datasets::Dataset& set = train ? data.train : data.test;
  const auto size = static_cast<long long>(set.size());
  StimulusSet s;
  s.classes = set.classes;
  std::vector<Eigen::Index> rows;
  if (klass >= 0) {
    if (klass >= set.classes) {
      bad_spec(spec, c.data.dataset + " has classes 0-" + std::to_string(set.classes - 1));
    }
    for (Eigen::Index i = 0; i < set.y.size(); ++i) {
      if (set.y(i) == klass && (limit == 0 || static_cast<long long>(rows.size()) < limit))
        rows.push_back(i);
    }
    s.description = c.data.dataset + " " + split + " split, class " + std::to_string(klass) +
                    (limit ? ", first " + std::to_string(limit) : "");
  } else {
    if (last >= size) {
      bad_spec(spec, "the " + split + " split of " + c.data.dataset + " has " +
                         std::to_string(size) + " examples (ids 0-" + std::to_string(size - 1) +
                         ")");
    }
    if (last < 0) last = size - 1;
    for (long long i = first; i <= last; ++i) rows.push_back(static_cast<Eigen::Index>(i));
    s.description = c.data.dataset + " " + split + " split, examples " + std::to_string(first) +
                    "-" + std::to_string(last);
  }
  if (rows.empty()) bad_spec(spec, "selects no stimuli");
  s.x.resize(static_cast<Eigen::Index>(rows.size()), set.x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    s.x.row(static_cast<Eigen::Index>(i)) = set.x.row(rows[i]);
    s.ids.push_back(rows[i]);
    s.labels.push_back(set.y(rows[i]));
  }
  return s;
}

}  // namespace gaitsim
