#pragma once

#include <hdf5.h>

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "analysis/h5_error.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/h5_types.hpp"

namespace gaitsim::h5 {

// Datasets are never larger in memory than this many times the bytes of the file holding them
// (deflate, the one filter gaitsim writes, compresses at most 1032:1), plus kMinReadBytes. A
// dataset whose shape claims more is damaged or hostile: reading it is refused before allocating.
inline constexpr std::uint64_t kMaxExpansion = 1100;
inline constexpr std::uint64_t kMinReadBytes = std::uint64_t{1} << 20;
// The element count of `dims`; throws H5Error naming file and object when elements of
// element_size bytes would exceed the limit above for `file` (or overflow).
std::uint64_t checked_read_size(const std::filesystem::path& file, const std::string& object,
                                const std::vector<hsize_t>& dims, std::size_t element_size);

// One open HDF5 file. Every failure throws H5Error naming the file and object; HDF5's own stderr
// printing is turned off. Paths such as "/layers/1/W" are absolute from the root ("layers/1/W"
// means the same), and writing one creates the missing groups on the way.
//
// Matrices are stored row-major with shape (rows, cols) whatever Eigen's storage order, so that
// h5py's f[path][i, j] == M(i, j). Values keep their C++ type on disk (double stays float64,
// float stays float32); reads convert to the requested type by HDF5's rules.
//
// Not for concurrent use of one File from several threads.
class File {
 public:
  // Truncates an existing file. user_block > 0 reserves that many bytes (a power of 2, at least
  // 512) before HDF5's superblock for the caller (h5_seal.hpp) [bytes].
  static File create(const std::filesystem::path& path, hsize_t user_block = 0);
  static File open_read(const std::filesystem::path& path);
  static File open_rw(const std::filesystem::path& path);

  File(File&&) noexcept = default;
  File& operator=(File&&) noexcept = default;
  ~File() = default;  // closes; call close() instead to learn whether the data was written

  const std::filesystem::path& path() const noexcept { return path_; }
  void flush();
  // Later calls other than path() throw std::logic_error. Closing twice is harmless.
  void close();

  bool exists(const std::string& path) const;  // false too when a prefix is not a group
  std::vector<std::string> list(const std::string& group) const;  // child names, sorted
  std::vector<hsize_t> shape(const std::string& dataset) const;

  // Writing to an existing dataset replaces it (HDF5 does not reclaim the old space).
  // gzip: 0 = uncompressed, 1..9 = deflate level.
  template <class Derived>
  void write_matrix(const std::string& path, const Eigen::DenseBase<Derived>& m, int gzip = 0);
  template <class Scalar>
  void write_vector(const std::string& path, const std::vector<Scalar>& v);
  template <class Derived>  // an Eigen row or column vector, stored 1-D
  void write_vector(const std::string& path, const Eigen::DenseBase<Derived>& v);

  // A 1-D dataset reads as an (n x 1) matrix.
  template <class Scalar>
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> read_matrix(const std::string& path) const;
  // Accepts 1-D datasets and 2-D ones with a single row or column.
  template <class Scalar>
  std::vector<Scalar> read_vector(const std::string& path) const;

  // Attributes on a group or dataset ("/" is the root). Setting one replaces any old value.
  // Strings are variable-length UTF-8, numbers keep their C++ type, bool is stored as int8.
  void set_attr(const std::string& obj, const std::string& name, const std::string& value);
  void set_attr(const std::string& obj, const std::string& name, const char* value);
  template <class T>
  requires std::is_arithmetic_v<T>
  void set_attr(const std::string& obj, const std::string& name, T value);
  // Lists of names: a 1-D array of variable-length UTF-8 strings (the one convention of every
  // gaitsim file), as an attribute or as a dataset. Reading also accepts fixed-length strings.
  void set_attr(const std::string& obj, const std::string& name,
                const std::vector<std::string>& values);
  void write_strings(const std::string& path, const std::vector<std::string>& values);
  std::vector<std::string> attr_strings(const std::string& obj, const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& path) const;

  bool has_attr(const std::string& obj, const std::string& name) const;
  std::string attr_string(const std::string& obj, const std::string& name) const;
  double attr_double(const std::string& obj, const std::string& name) const;  // float or integer
  long long attr_int(const std::string& obj, const std::string& name) const;  // integer only

  // Logs that grow by one row per epoch or step: shape (0, row_width), or (0) when row_width is
  // 0, with an unlimited first dimension. chunk_rows = 0 picks chunks of about 64 KiB. Throws if
  // the dataset exists, so that reopening a run never wipes its history.
  void create_appendable(const std::string& path, hsize_t row_width,
                         ScalarType type = scalar_type<double>(), hsize_t chunk_rows = 0);
  void append_row(const std::string& path, const std::vector<double>& row);
  void append_row(const std::string& path, double value);  // 1-D, or rows of width 1

 private:
  File(Handle file, std::filesystem::path path);
  static File open(const std::filesystem::path& path, unsigned flags);

  hid_t id() const;
  [[noreturn]] void fail(const std::string& what, const std::string& object) const;
  Handle checked(hid_t id, Handle::Closer closer, const std::string& what,
                 const std::string& object) const;
  void check(herr_t status, const std::string& what, const std::string& object) const;

  Handle open_dataset(const std::string& path) const;
  Handle open_attr(const std::string& obj, const std::string& name) const;
  void remove_dataset_if_exists(const std::string& path);
  void write_dataset(const std::string& path, ScalarType type, const std::vector<hsize_t>& dims,
                     const void* data, int gzip);
  void read_dataset(const std::string& path, ScalarType type, void* out, std::size_t count) const;
  std::vector<hsize_t> vector_shape(const std::string& path) const;
  void write_attr(const std::string& obj, const std::string& name, hid_t type, const void* value);
  void read_number_attr(const std::string& obj, const std::string& name, hid_t mem_type,
                        bool allow_float, void* out) const;
  void append_values(const std::string& path, const double* values, hsize_t count);

  Handle file_;
  std::filesystem::path path_;
};

template <class Derived>
void File::write_matrix(const std::string& path, const Eigen::DenseBase<Derived>& m, int gzip) {
  using Scalar = typename Derived::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m;
  write_dataset(path, scalar_type<Scalar>(),
                {static_cast<hsize_t>(rows.rows()), static_cast<hsize_t>(rows.cols())}, rows.data(),
                gzip);
}

template <class Scalar>
void File::write_vector(const std::string& path, const std::vector<Scalar>& v) {
  write_dataset(path, scalar_type<Scalar>(), {v.size()}, v.data(), 0);
}

template <class Derived>
void File::write_vector(const std::string& path, const Eigen::DenseBase<Derived>& v) {
  using Scalar = typename Derived::Scalar;
  if (v.rows() != 1 && v.cols() != 1) {
    throw H5Error("write_vector needs a row or column vector", path_, path);
  }
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> flat = v.derived().reshaped();
  write_dataset(path, scalar_type<Scalar>(), {static_cast<hsize_t>(flat.size())}, flat.data(), 0);
}

template <class Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> File::read_matrix(
    const std::string& path) const {
  const std::vector<hsize_t> dims = shape(path);
  if (dims.empty() || dims.size() > 2) throw H5Error("not a 1-D or 2-D dataset", path_, path);
  checked_read_size(path_, path, dims, sizeof(Scalar));
  const auto rows = static_cast<Eigen::Index>(dims[0]);
  const auto cols = static_cast<Eigen::Index>(dims.size() == 2 ? dims[1] : 1);
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(rows, cols);
  read_dataset(path, scalar_type<Scalar>(), m.data(), static_cast<std::size_t>(m.size()));
  return m;
}

template <class Scalar>
std::vector<Scalar> File::read_vector(const std::string& path) const {
  const std::vector<hsize_t> dims = vector_shape(path);
  checked_read_size(path_, path, dims, sizeof(Scalar));
  std::vector<Scalar> v(dims[0] * (dims.size() == 2 ? dims[1] : 1));
  read_dataset(path, scalar_type<Scalar>(), v.data(), v.size());
  return v;
}

template <class T>
requires std::is_arithmetic_v<T>
void File::set_attr(const std::string& obj, const std::string& name, T value) {
  if constexpr (std::is_same_v<T, bool>) {
    const std::int8_t stored = value ? 1 : 0;
    write_attr(obj, name, native_type(scalar_type<std::int8_t>()), &stored);
  } else {
    write_attr(obj, name, native_type(scalar_type<T>()), &value);
  }
}

}  // namespace gaitsim::h5
