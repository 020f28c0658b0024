#include "gui/models/file_helpers.hpp"

#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

namespace gaitsim::gui::detail {

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

h5::Handle open_raw(const fs::path& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) fail(file, "cannot open the file (damaged, truncated or not HDF5)");
  return f;
}

// Reads the block [start, start + count) of a dataset of any rank as doubles.
std::vector<double> read_slab(const fs::path& file, hid_t f, const std::string& ds,
                              const std::vector<hsize_t>& start,
                              const std::vector<hsize_t>& count) {
  h5::Handle set(H5Dopen2(f, ds.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail(file, "missing dataset " + ds);
  h5::Handle space(H5Dget_space(set.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != static_cast<int>(start.size())) {
    fail(file, ds + ": expected rank " + std::to_string(start.size()) + ", found " +
                   std::to_string(rank));
  }
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  for (int d = 0; d < rank; ++d) {
    if (start[d] + count[d] > dims[d]) fail(file, ds + ": index out of range");
  }
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0) {
    fail(file, ds + ": cannot select");
  }
  const hsize_t total =
      std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  std::vector<double> out(total);
  h5::Handle mem(H5Screate_simple(1, &total, nullptr), H5Sclose);
  if (total > 0 &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0) {
    fail(file, ds + ": cannot read (damaged file?)");
  }
  return out;
}

std::vector<std::vector<double>> columns(const Eigen::MatrixXd& m) {
  std::vector<std::vector<double>> out(m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    out[j].assign(m.col(j).data(), m.col(j).data() + m.rows());
  }
  return out;
}

void image_shape(int width, int& h, int& w, int& c) {
  c = 1;
  if (width == 3072) {
    h = w = 32;
    c = 3;
    return;
  }
  const int s = static_cast<int>(std::lround(std::sqrt(static_cast<double>(width))));
  if (s * s == width) {
    h = w = s;
  } else {
    h = w = 0;
  }
}

std::string attr_or(const h5::File& f, const std::string& obj, const std::string& name) {
  return f.has_attr(obj, name) ? f.attr_string(obj, name) : std::string();
}

// A list of names (a string-array attribute); empty when the attribute is absent.
std::vector<std::string> strings_or(const h5::File& f, const std::string& obj,
                                    const std::string& name) {
  return f.has_attr(obj, name) ? f.attr_strings(obj, name) : std::vector<std::string>();
}

QStringList to_qt(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out.push_back(QString::fromStdString(s));
  return out;
}

}  // namespace gaitsim::gui::detail
