#include "analysis/h5_file.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

#include "analysis/h5_global_heap.hpp"

namespace gaitsim::h5 {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (end > begin) parts.push_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

std::string attr_label(const std::string& obj, const std::string& name) { return obj + "@" + name; }

hsize_t element_count(const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  return n;
}

// Whole rows per chunk, about 1 MiB each: large enough for deflate to work well, small enough
// that reading one row does not inflate much more than needed.
std::vector<hsize_t> compressed_chunk(const std::vector<hsize_t>& dims, std::size_t elem_size) {
  const hsize_t row_bytes = (dims.size() == 2 ? dims[1] : 1) * elem_size;
  std::vector<hsize_t> chunk = dims;
  chunk[0] = std::clamp<hsize_t>((1u << 20) / row_bytes, 1, dims[0]);
  return chunk;
}

constexpr hsize_t kAppendChunkBytes = 64 * 1024;

}  // namespace

std::uint64_t checked_read_size(const std::filesystem::path& file, const std::string& object,
                                const std::vector<hsize_t>& dims, std::size_t element_size) {
  std::uint64_t count = 1, bytes = 0;
  bool overflow = false;
  for (hsize_t d : dims) overflow = overflow || __builtin_mul_overflow(count, d, &count);
  overflow = overflow || __builtin_mul_overflow(count, element_size, &bytes);
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(file, ec);
  const std::uint64_t limit = (ec ? 0 : file_bytes) * kMaxExpansion + kMinReadBytes;
  if (overflow || bytes > limit) {
    std::string shape;
    for (hsize_t d : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
    throw H5Error("dataset shape (" + shape + ") claims more data than the file can hold (" +
                      std::to_string(ec ? 0 : file_bytes) + " bytes): damaged file",
                  file, object);
  }
  return count;
}

File::File(Handle file, std::filesystem::path path)
    : file_(std::move(file)), path_(std::move(path)) {}

File File::create(const std::filesystem::path& path, hsize_t user_block) {
  silence_hdf5_errors();
  const Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  if (fcpl.get() < 0 || (user_block > 0 && H5Pset_userblock(fcpl.get(), user_block) < 0)) {
    throw H5Error(
        "cannot create HDF5 file with a user block of " + std::to_string(user_block) + " bytes",
        path, "", take_hdf5_error());
  }
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT);
  if (id < 0) throw H5Error("cannot create HDF5 file", path, "", take_hdf5_error());
  return File(Handle(id, H5Fclose), path);
}

File File::open_read(const std::filesystem::path& path) { return open(path, H5F_ACC_RDONLY); }

File File::open_rw(const std::filesystem::path& path) { return open(path, H5F_ACC_RDWR); }

File File::open(const std::filesystem::path& path, unsigned flags) {
  silence_hdf5_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    throw H5Error(ec ? ec.message() : "no such file", path, "");
  }
  // Checked first because HDF5's own message for a foreign file is a bare "unable to open file".
  if (H5Fis_hdf5(path.c_str()) <= 0) throw H5Error("not an HDF5 file", path, "", take_hdf5_error());
  check_global_heaps(path);
  const hid_t id = H5Fopen(path.c_str(), flags, H5P_DEFAULT);
  if (id < 0) throw H5Error("cannot open HDF5 file", path, "", take_hdf5_error());
  return File(Handle(id, H5Fclose), path);
}

hid_t File::id() const {
  if (!file_.valid())
    throw std::logic_error("gaitsim::h5::File used after close: " + path_.string());
  silence_hdf5_errors();
  return file_.get();
}

void File::fail(const std::string& what, const std::string& object) const {
  throw H5Error(what, path_, object, take_hdf5_error());
}

Handle File::checked(hid_t id, Handle::Closer closer, const std::string& what,
                     const std::string& object) const {
  if (id < 0) fail(what, object);
  return Handle(id, closer);
}

void File::check(herr_t status, const std::string& what, const std::string& object) const {
  if (status < 0) fail(what, object);
}

void File::flush() { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "cannot flush", ""); }

void File::close() {
  if (file_.close() < 0) fail("cannot close (data may be incomplete)", "");
}

bool File::exists(const std::string& path) const {
  // H5Lexists fails, rather than answering false, when a prefix is missing: walk link by link.
  const hid_t file = id();
  std::string prefix;
  for (const std::string& part : split_path(path)) {
    prefix += "/" + part;
    const htri_t found = H5Lexists(file, prefix.c_str(), H5P_DEFAULT);
    if (found <= 0) {
      take_hdf5_error();  // negative when a prefix is a dataset: nothing can lie below it
      return false;
    }
  }
  return true;
}

std::vector<std::string> File::list(const std::string& group) const {
  if (!exists(group)) throw H5Error("no such group", path_, group);
  const Handle g =
      checked(H5Gopen2(id(), group.c_str(), H5P_DEFAULT), H5Gclose, "not a group", group);
  H5G_info_t info;
  check(H5Gget_info(g.get(), &info), "cannot read group", group);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    // First call asks for the length, second fills the buffer (which needs room for the NUL).
    auto name_at = [&](char* buffer, std::size_t size) {
      const ssize_t length = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, buffer,
                                                size, H5P_DEFAULT);
      if (length < 0) fail("cannot list group", group);
      return static_cast<std::size_t>(length);
    };
    std::string name(name_at(nullptr, 0) + 1, '\0');
    name.resize(name_at(name.data(), name.size()));
    names.push_back(std::move(name));
  }
  return names;
}

Handle File::open_dataset(const std::string& path) const {
  if (!exists(path)) throw H5Error("no such dataset", path_, path);
  return checked(H5Dopen2(id(), path.c_str(), H5P_DEFAULT), H5Dclose, "not a dataset", path);
}

std::vector<hsize_t> File::shape(const std::string& dataset) const {
  const Handle d = open_dataset(dataset);
  const Handle space = checked(H5Dget_space(d.get()), H5Sclose, "cannot read shape", dataset);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("cannot read shape", dataset);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "cannot read shape", dataset);
  return dims;
}

std::vector<hsize_t> File::vector_shape(const std::string& path) const {
  std::vector<hsize_t> dims = shape(path);
  const bool vector_like = dims.size() == 1 || (dims.size() == 2 && (dims[0] == 1 || dims[1] == 1));
  if (!vector_like) throw H5Error("not a 1-D dataset or single row/column", path_, path);
  return dims;
}

void File::remove_dataset_if_exists(const std::string& path) {
  if (!exists(path)) return;
  open_dataset(path);  // refuses to delete a group, which may hold much more than one dataset
  check(H5Ldelete(id(), path.c_str(), H5P_DEFAULT), "cannot replace dataset", path);
}

void File::write_dataset(const std::string& path, ScalarType type, const std::vector<hsize_t>& dims,
                         const void* data, int gzip) {
  if (gzip < 0 || gzip > 9) throw H5Error("gzip level must be 0..9", path_, path);
  remove_dataset_if_exists(path);
  const int rank = static_cast<int>(dims.size());
  const Handle space =
      checked(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose, "bad shape", path);
  const Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create", path);
  const hsize_t count = element_count(dims);
  if (gzip > 0 && count > 0) {
    const std::vector<hsize_t> chunk = compressed_chunk(dims, type.size);
    check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "cannot chunk", path);
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(gzip)), "cannot compress", path);
  }
  const Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create", path);
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "cannot create groups", path);
  const hid_t mem_type = native_type(type);
  const Handle d = checked(
      H5Dcreate2(id(), path.c_str(), mem_type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
      H5Dclose, "cannot create dataset", path);
  if (count == 0) return;  // HDF5 rejects a null buffer even for zero elements
  check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write", path);
}

void File::read_dataset(const std::string& path, ScalarType type, void* out,
                        std::size_t count) const {
  const Handle d = open_dataset(path);
  const Handle space = checked(H5Dget_space(d.get()), H5Sclose, "cannot read", path);
  // Guards the caller's buffer if the dataset changed since its shape was read.
  if (H5Sget_simple_extent_npoints(space.get()) != static_cast<hssize_t>(count)) {
    throw H5Error("dataset size changed while reading", path_, path);
  }
  if (count == 0) return;
  check(H5Dread(d.get(), native_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, out),
        "cannot read as the requested type", path);
}

void File::write_attr(const std::string& obj, const std::string& name, hid_t type,
                      const void* value) {
  const std::string label = attr_label(obj, name);
  if (has_attr(obj, name)) {
    check(H5Adelete_by_name(id(), obj.c_str(), name.c_str(), H5P_DEFAULT), "cannot replace", label);
  }
  const Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create attribute", label);
  const Handle attr = checked(H5Acreate_by_name(id(), obj.c_str(), name.c_str(), type, space.get(),
                                                H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              H5Aclose, "cannot create attribute", label);
  check(H5Awrite(attr.get(), type, value), "cannot write attribute", label);
}

void File::set_attr(const std::string& obj, const std::string& name, const std::string& value) {
  const Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create attribute", obj);
  check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot create attribute", obj);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create attribute", obj);
  const char* text = value.c_str();
  write_attr(obj, name, type.get(), &text);
}

namespace {
// Variable-length UTF-8 strings; `out` owns the type.
herr_t make_string_type(Handle& out) {
  out = Handle(H5Tcopy(H5T_C_S1), H5Tclose);
  if (out.get() < 0) return -1;
  if (H5Tset_size(out.get(), H5T_VARIABLE) < 0) return -1;
  return H5Tset_cset(out.get(), H5T_CSET_UTF8);
}

// Reads n strings of a string-typed attribute or dataset through `read` (H5Aread or H5Dread
// bound to the object), variable- or fixed-length.
template <class Read>
std::vector<std::string> read_string_array(hid_t file_type, std::size_t n, const Read& read) {
  std::vector<std::string> out;
  if (H5Tis_variable_str(file_type) > 0) {
    Handle mem;
    if (make_string_type(mem) < 0) return out;
    std::vector<char*> raw(n, nullptr);
    if (n > 0 && read(mem.get(), raw.data()) < 0) throw std::runtime_error("cannot read");
    for (char* r : raw) {
      out.emplace_back(r != nullptr ? r : "");
      H5free_memory(r);
    }
    return out;
  }
  const std::size_t size = H5Tget_size(file_type);
  std::string buffer(n * size, '\0');
  if (n > 0 && read(file_type, buffer.data()) < 0) throw std::runtime_error("cannot read");
  for (std::size_t i = 0; i < n; ++i) {
    std::string s = buffer.substr(i * size, size);
    s.resize(std::min(s.find('\0'), s.size()));
    out.push_back(s);
  }
  return out;
}
}  // namespace

void File::set_attr(const std::string& obj, const std::string& name,
                    const std::vector<std::string>& values) {
  const std::string label = attr_label(obj, name);
  Handle type;
  check(make_string_type(type), "cannot create attribute", label);
  if (has_attr(obj, name)) {
    check(H5Adelete_by_name(id(), obj.c_str(), name.c_str(), H5P_DEFAULT), "cannot replace", label);
  }
  const hsize_t n = values.size();
  const Handle space =
      checked(H5Screate_simple(1, &n, nullptr), H5Sclose, "cannot create attribute", label);
  const Handle attr = checked(H5Acreate_by_name(id(), obj.c_str(), name.c_str(), type.get(),
                                                space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                              H5Aclose, "cannot create attribute", label);
  std::vector<const char*> c;
  for (const auto& v : values) c.push_back(v.c_str());
  if (n > 0) check(H5Awrite(attr.get(), type.get(), c.data()), "cannot write attribute", label);
}

void File::write_strings(const std::string& path, const std::vector<std::string>& values) {
  remove_dataset_if_exists(path);
  Handle type;
  check(make_string_type(type), "cannot create dataset", path);
  const hsize_t n = values.size();
  const Handle space = checked(H5Screate_simple(1, &n, nullptr), H5Sclose, "bad shape", path);
  const Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create", path);
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "cannot create groups", path);
  const Handle d = checked(
      H5Dcreate2(id(), path.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "cannot create dataset", path);
  std::vector<const char*> c;
  for (const auto& v : values) c.push_back(v.c_str());
  if (n > 0)
    check(H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data()), "cannot write",
          path);
}

std::vector<std::string> File::attr_strings(const std::string& obj, const std::string& name) const {
  const std::string label = attr_label(obj, name);
  if (!has_attr(obj, name)) throw H5Error("no such attribute", path_, label);
  const Handle attr =
      checked(H5Aopen_by_name(id(), obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "cannot open attribute", label);
  const Handle type = checked(H5Aget_type(attr.get()), H5Tclose, "cannot read", label);
  const Handle space = checked(H5Aget_space(attr.get()), H5Sclose, "cannot read", label);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_ndims(space.get()) > 1) {
    throw H5Error("attribute is not a 1-D array of strings", path_, label);
  }
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  try {
    return read_string_array(type.get(), n,
                             [&](hid_t mem, void* buf) { return H5Aread(attr.get(), mem, buf); });
  } catch (const std::runtime_error&) {
    fail("cannot read", label);
  }
}

std::vector<std::string> File::read_strings(const std::string& path) const {
  const Handle d = open_dataset(path);
  const Handle type = checked(H5Dget_type(d.get()), H5Tclose, "cannot read", path);
  const Handle space = checked(H5Dget_space(d.get()), H5Sclose, "cannot read", path);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Sget_simple_extent_ndims(space.get()) > 1) {
    throw H5Error("not a 1-D dataset of strings", path_, path);
  }
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  try {
    return read_string_array(type.get(), n, [&](hid_t mem, void* buf) {
      return H5Dread(d.get(), mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    });
  } catch (const std::runtime_error&) {
    fail("cannot read", path);
  }
}

void File::set_attr(const std::string& obj, const std::string& name, const char* value) {
  set_attr(obj, name, std::string(value));
}

bool File::has_attr(const std::string& obj, const std::string& name) const {
  if (!exists(obj)) throw H5Error("no such object", path_, obj);
  const htri_t found = H5Aexists_by_name(id(), obj.c_str(), name.c_str(), H5P_DEFAULT);
  if (found < 0) fail("cannot look up attribute", attr_label(obj, name));
  return found > 0;
}

Handle File::open_attr(const std::string& obj, const std::string& name) const {
  const std::string label = attr_label(obj, name);
  if (!has_attr(obj, name)) throw H5Error("no such attribute", path_, label);
  Handle attr = checked(H5Aopen_by_name(id(), obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                        H5Aclose, "cannot open attribute", label);
  const Handle space = checked(H5Aget_space(attr.get()), H5Sclose, "cannot read", label);
  if (H5Sget_simple_extent_npoints(space.get()) != 1) {
    throw H5Error("attribute is not a single value", path_, label);
  }
  return attr;
}

std::string File::attr_string(const std::string& obj, const std::string& name) const {
  const std::string label = attr_label(obj, name);
  const Handle attr = open_attr(obj, name);
  const Handle type = checked(H5Aget_type(attr.get()), H5Tclose, "cannot read", label);
  if (H5Tget_class(type.get()) != H5T_STRING) {
    throw H5Error("attribute is not a string", path_, label);
  }
  if (H5Tis_variable_str(type.get()) > 0) {
    char* raw = nullptr;
    check(H5Aread(attr.get(), type.get(), &raw), "cannot read", label);
    const std::unique_ptr<char, herr_t (*)(void*)> owned(raw, H5free_memory);
    return raw != nullptr ? std::string(raw) : std::string();
  }
  // Fixed-length strings (numpy bytes from h5py) may be padded with NULs.
  std::string text(H5Tget_size(type.get()), '\0');
  check(H5Aread(attr.get(), type.get(), text.data()), "cannot read", label);
  text.resize(std::min(text.find('\0'), text.size()));
  return text;
}

void File::read_number_attr(const std::string& obj, const std::string& name, hid_t mem_type,
                            bool allow_float, void* out) const {
  const std::string label = attr_label(obj, name);
  const Handle attr = open_attr(obj, name);
  const Handle type = checked(H5Aget_type(attr.get()), H5Tclose, "cannot read", label);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && !(allow_float && cls == H5T_FLOAT)) {
    throw H5Error(allow_float ? "attribute is not a number" : "attribute is not an integer", path_,
                  label);
  }
  check(H5Aread(attr.get(), mem_type, out), "cannot read", label);
}

double File::attr_double(const std::string& obj, const std::string& name) const {
  double value = 0;
  read_number_attr(obj, name, H5T_NATIVE_DOUBLE, true, &value);
  return value;
}

long long File::attr_int(const std::string& obj, const std::string& name) const {
  long long value = 0;
  read_number_attr(obj, name, H5T_NATIVE_LLONG, false, &value);
  return value;
}

void File::create_appendable(const std::string& path, hsize_t row_width, ScalarType type,
                             hsize_t chunk_rows) {
  if (exists(path)) throw H5Error("appendable dataset already exists", path_, path);
  const int rank = row_width == 0 ? 1 : 2;
  const hsize_t width = std::max<hsize_t>(row_width, 1);
  if (chunk_rows == 0) chunk_rows = std::max<hsize_t>(kAppendChunkBytes / (width * type.size), 1);
  const hsize_t dims[2] = {0, row_width};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, row_width};
  const hsize_t chunk[2] = {chunk_rows, width};
  const Handle space =
      checked(H5Screate_simple(rank, dims, max_dims), H5Sclose, "cannot create dataset", path);
  const Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create", path);
  check(H5Pset_chunk(dcpl.get(), rank, chunk), "cannot chunk", path);
  const Handle lcpl = checked(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "cannot create", path);
  check(H5Pset_create_intermediate_group(lcpl.get(), 1), "cannot create groups", path);
  checked(H5Dcreate2(id(), path.c_str(), native_type(type), space.get(), lcpl.get(), dcpl.get(),
                     H5P_DEFAULT),
          H5Dclose, "cannot create dataset", path);
}

void File::append_row(const std::string& path, const std::vector<double>& row) {
  append_values(path, row.data(), row.size());
}

void File::append_row(const std::string& path, double value) { append_values(path, &value, 1); }

void File::append_values(const std::string& path, const double* values, hsize_t count) {
  const Handle d = open_dataset(path);
  std::vector<hsize_t> dims = shape(path);
  const hsize_t width = dims.size() == 2 ? dims[1] : 1;
  if (dims.empty() || dims.size() > 2 || count != width) {
    throw H5Error("row of " + std::to_string(count) + " values does not fit the dataset", path_,
                  path);
  }
  ++dims[0];
  check(H5Dset_extent(d.get(), dims.data()), "cannot grow (not made by create_appendable?)", path);
  const Handle file_space = checked(H5Dget_space(d.get()), H5Sclose, "cannot append", path);
  const hsize_t start[2] = {dims[0] - 1, 0};
  const hsize_t block[2] = {1, width};
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, block, nullptr),
        "cannot append", path);
  const int rank = static_cast<int>(dims.size());
  const Handle mem_space =
      checked(H5Screate_simple(rank, block, nullptr), H5Sclose, "cannot append", path);
  check(
      H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, values),
      "cannot append", path);
}

}  // namespace gaitsim::h5
