#pragma once
// A write-only HDF5 file for large exports: datasets that grow along their first dimension
// (chunked, shuffle + gzip), appended block by block so nothing needs to fit in memory, plus the
// few extras NWB-style layouts need that h5::File does not offer (scalar and 1-D string
// datasets, string-array attributes, int32 attributes, empty groups).
//
// Like h5::File: every failure throws H5Error naming the file and object; matrices are
// row-major on disk; paths are absolute and missing groups are created on the way.
#include <hdf5.h>

#include <filesystem>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "analysis/h5_error.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/h5_types.hpp"

namespace gaitsim::h5 {

class StreamFile {
 public:
  static StreamFile create(const std::filesystem::path& path);  // truncates an existing file

  StreamFile(StreamFile&&) noexcept = default;
  StreamFile& operator=(StreamFile&&) noexcept = default;
  ~StreamFile() = default;  // closes; call close() to learn whether the data reached the file

  const std::filesystem::path& path() const noexcept { return path_; }
  void flush();
  void close();  // throws H5Error when HDF5 cannot finish writing (e.g. disk full)

  void create_group(const std::string& path);  // with missing parents; no-op if it exists

  // Attributes on an existing group or dataset; setting one again replaces it.
  void set_attr(const std::string& obj, const std::string& name, const std::string& value);
  void set_attr(const std::string& obj, const std::string& name, const char* value);
  template <class T>
  requires std::is_arithmetic_v<T>
  void set_attr(const std::string& obj, const std::string& name, T value) {
    write_attr(obj, name, native_type(scalar_type<T>()), &value, 0);
  }
  void set_attr(const std::string& obj, const std::string& name,
                const std::vector<std::string>& values);  // 1-D array of strings

  // Small complete datasets.
  void write_string(const std::string& path, const std::string& value);  // scalar string
  void write_strings(const std::string& path, const std::vector<std::string>& values);  // 1-D
  template <class T>
  void write_vector(const std::string& path, const std::vector<T>& v, int gzip = 0) {
    write_dataset(path, scalar_type<T>(), {v.size()}, v.data(), gzip);
  }

  // A dataset of shape (0, inner...) with an unlimited first dimension, chunks of chunk_rows
  // rows, shuffle + deflate at level gzip (0 = none).
  void create_stream(const std::string& path, ScalarType type, const std::vector<hsize_t>& inner,
                     hsize_t chunk_rows, int gzip);
  // A dataset of shape `dims` whose dimension `axis` starts at 0 and grows without limit (e.g.
  // time x stimulus x unit appended stimulus by stimulus: axis 1), chunks of `chunk` (one entry
  // per dimension, each at least 1), shuffle + deflate at level gzip (0 = none).
  void create_stream_along(const std::string& path, ScalarType type, std::vector<hsize_t> dims,
                           int axis, const std::vector<hsize_t>& chunk, int gzip);
  // Appends `rows` rows of row-major data (rows * prod(inner) values of type T); for a stream
  // growing along another axis, a row-major block of the stream's shape with `rows` there.
  template <class T>
  void append(const std::string& path, const T* data, hsize_t rows) {
    append_raw(path, scalar_type<T>(), data, rows);
  }
  hsize_t rows(const std::string& stream) const;  // the length of the growing dimension

 private:
  StreamFile(Handle file, std::filesystem::path path);
  hid_t id() const;
  [[noreturn]] void fail(const std::string& what, const std::string& object) const;
  void check(herr_t status, const std::string& what, const std::string& object) const;
  Handle checked(hid_t id, Handle::Closer closer, const std::string& what,
                 const std::string& object) const;
  void ensure_parent(const std::string& path);
  Handle string_type(bool variable) const;
  void write_attr(const std::string& obj, const std::string& name, hid_t type, const void* value,
                  hsize_t count);
  void write_dataset(const std::string& path, ScalarType type, const std::vector<hsize_t>& dims,
                     const void* data, int gzip);
  void append_raw(const std::string& path, ScalarType type, const void* data, hsize_t rows);

  struct Stream {
    Handle dataset;
    std::vector<hsize_t> dims;  // current shape
    std::size_t axis = 0;       // the dimension that grows
  };
  void create_chunked(const std::string& path, ScalarType type, const std::vector<hsize_t>& dims,
                      const std::vector<hsize_t>& max, const std::vector<hsize_t>& chunk,
                      std::size_t axis, int gzip);
  Handle file_;
  std::filesystem::path path_;
  std::map<std::string, Stream> streams_;
};

// FNV-1a 64-bit hash of a file's bytes as 16 lowercase hex digits: an identity for checkpoints
// (not a cryptographic digest). Throws std::runtime_error naming the file if it cannot be read.
std::string fnv1a64_file(const std::filesystem::path& path);

// A random (version 4) UUID from std::random_device, e.g. for NWB object_id attributes.
std::string uuid4();

// The current UTC time as ISO 8601 with seconds and a Z suffix.
std::string iso8601_now();

}  // namespace gaitsim::h5
