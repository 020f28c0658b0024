#include "analysis/h5_stream.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <utility>

namespace gaitsim::h5 {
namespace {

std::string absolute(const std::string& path) {
  return path.empty() || path[0] != '/' ? "/" + path : path;
}

}  // namespace

StreamFile::StreamFile(Handle file, std::filesystem::path path)
    : file_(std::move(file)), path_(std::move(path)) {}

StreamFile StreamFile::create(const std::filesystem::path& path) {
  silence_hdf5_errors();
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (id < 0) throw H5Error("cannot create file", path, "", take_hdf5_error());
  return StreamFile(Handle(id, H5Fclose), path);
}

hid_t StreamFile::id() const {
  if (!file_.valid()) throw std::logic_error("StreamFile used after close: " + path_.string());
  return file_.get();
}

void StreamFile::fail(const std::string& what, const std::string& object) const {
  throw H5Error(what, path_, object, take_hdf5_error());
}

void StreamFile::check(herr_t status, const std::string& what, const std::string& object) const {
  if (status < 0) fail(what, object);
}

Handle StreamFile::checked(hid_t id, Handle::Closer closer, const std::string& what,
                           const std::string& object) const {
  if (id < 0) fail(what, object);
  return Handle(id, closer);
}

void StreamFile::flush() { check(H5Fflush(id(), H5F_SCOPE_GLOBAL), "cannot flush", ""); }

void StreamFile::close() {
  if (!file_.valid()) return;
  streams_.clear();
  if (file_.close() < 0) throw H5Error("cannot finish writing", path_, "", take_hdf5_error());
}

void StreamFile::ensure_parent(const std::string& path) {
  const std::string p = absolute(path);
  const auto slash = p.find_last_of('/');
  if (slash > 0) create_group(p.substr(0, slash));
}

void StreamFile::create_group(const std::string& path) {
  const std::string p = absolute(path);
  if (p == "/") return;
  std::size_t pos = 1;
  while (pos <= p.size()) {
    const std::size_t end = std::min(p.find('/', pos), p.size());
    const std::string prefix = p.substr(0, end);
    const htri_t exists = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
    if (exists < 0) fail("cannot look up group", prefix);
    if (exists == 0) {
      checked(H5Gcreate2(id(), prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
              "cannot create group", prefix);
    }
    pos = end + 1;
  }
}

Handle StreamFile::string_type(bool variable) const {
  Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create string type", "");
  check(H5Tset_size(type.get(), variable ? H5T_VARIABLE : 1), "cannot create string type", "");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot create string type", "");
  return type;
}

void StreamFile::write_attr(const std::string& obj, const std::string& name, hid_t type,
                            const void* value, hsize_t count) {
  const std::string o = absolute(obj);
  const Handle target = checked(H5Oopen(id(), o.c_str(), H5P_DEFAULT), H5Oclose, "cannot open", o);
  const htri_t exists = H5Aexists(target.get(), name.c_str());
  if (exists < 0) fail("cannot look up attribute " + name, o);
  if (exists > 0)
    check(H5Adelete(target.get(), name.c_str()), "cannot replace attribute " + name, o);
  const Handle space =
      count == 0
          ? checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace", o)
          : checked(H5Screate_simple(1, &count, nullptr), H5Sclose, "cannot create dataspace", o);
  const Handle attr =
      checked(H5Acreate2(target.get(), name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, "cannot create attribute " + name, o);
  check(H5Awrite(attr.get(), type, value), "cannot write attribute " + name, o);
}

void StreamFile::set_attr(const std::string& obj, const std::string& name,
                          const std::string& value) {
  const Handle type = string_type(true);
  const char* p = value.c_str();
  write_attr(obj, name, type.get(), &p, 0);
}

void StreamFile::set_attr(const std::string& obj, const std::string& name, const char* value) {
  set_attr(obj, name, std::string(value));
}

void StreamFile::set_attr(const std::string& obj, const std::string& name,
                          const std::vector<std::string>& values) {
  const Handle type = string_type(true);
  std::vector<const char*> p;
  for (const auto& v : values) p.push_back(v.c_str());
  if (p.empty()) throw H5Error("empty string-array attribute " + name, path_, obj);
  write_attr(obj, name, type.get(), p.data(), p.size());
}

void StreamFile::write_string(const std::string& path, const std::string& value) {
  const std::string p = absolute(path);
  ensure_parent(p);
  const Handle type = string_type(true);
  const Handle space = checked(H5Screate(H5S_SCALAR), H5Sclose, "cannot create dataspace", p);
  const Handle ds = checked(
      H5Dcreate2(id(), p.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "cannot create dataset", p);
  const char* c = value.c_str();
  check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &c), "cannot write", p);
}

void StreamFile::write_strings(const std::string& path, const std::vector<std::string>& values) {
  const std::string p = absolute(path);
  ensure_parent(p);
  const Handle type = string_type(true);
  const hsize_t n = values.size();
  const Handle space =
      checked(H5Screate_simple(1, &n, nullptr), H5Sclose, "cannot create dataspace", p);
  const Handle ds = checked(
      H5Dcreate2(id(), p.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "cannot create dataset", p);
  std::vector<const char*> c;
  for (const auto& v : values) c.push_back(v.c_str());
  if (n > 0) {
    check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, c.data()), "cannot write",
          p);
  }
}

void StreamFile::write_dataset(const std::string& path, ScalarType type,
                               const std::vector<hsize_t>& dims, const void* data, int gzip) {
  const std::string p = absolute(path);
  ensure_parent(p);
  const Handle space =
      checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
              "cannot create dataspace", p);
  const Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create dataset", p);
  const hsize_t total = std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>());
  if (gzip > 0 && total > 0) {
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()), "cannot chunk", p);
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(gzip)), "cannot compress", p);
  }
  const hid_t t = native_type(type);
  const Handle ds =
      checked(H5Dcreate2(id(), p.c_str(), t, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
              H5Dclose, "cannot create dataset", p);
  if (total > 0)
    check(H5Dwrite(ds.get(), t, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "cannot write", p);
}

void StreamFile::create_stream(const std::string& path, ScalarType type,
                               const std::vector<hsize_t>& inner, hsize_t chunk_rows, int gzip) {
  std::vector<hsize_t> dims{0}, max{H5S_UNLIMITED}, chunk{std::max<hsize_t>(1, chunk_rows)};
  for (hsize_t d : inner) {
    dims.push_back(d);
    max.push_back(d);
    chunk.push_back(std::max<hsize_t>(1, d));
  }
  create_chunked(path, type, dims, max, chunk, 0, gzip);
}

void StreamFile::create_stream_along(const std::string& path, ScalarType type,
                                     std::vector<hsize_t> dims, int axis,
                                     const std::vector<hsize_t>& chunk, int gzip) {
  const std::string p = absolute(path);
  if (axis < 0 || static_cast<std::size_t>(axis) >= dims.size() || chunk.size() != dims.size()) {
    throw H5Error("create_stream_along: axis or chunk does not fit the shape", path_, p);
  }
  std::vector<hsize_t> max = dims, c(chunk.size());
  dims[static_cast<std::size_t>(axis)] = 0;
  max[static_cast<std::size_t>(axis)] = H5S_UNLIMITED;
  for (std::size_t i = 0; i < c.size(); ++i) {
    c[i] = std::max<hsize_t>(
        1, i == static_cast<std::size_t>(axis) ? chunk[i] : std::min(chunk[i], max[i]));
  }
  create_chunked(p, type, dims, max, c, static_cast<std::size_t>(axis), gzip);
}

void StreamFile::create_chunked(const std::string& path, ScalarType type,
                                const std::vector<hsize_t>& dims, const std::vector<hsize_t>& max,
                                const std::vector<hsize_t>& chunk, std::size_t axis, int gzip) {
  const std::string p = absolute(path);
  ensure_parent(p);
  const int rank = static_cast<int>(dims.size());
  const Handle space = checked(H5Screate_simple(rank, dims.data(), max.data()), H5Sclose,
                               "cannot create dataspace", p);
  const Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "cannot create dataset", p);
  check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "cannot chunk", p);
  if (gzip > 0) {
    check(H5Pset_shuffle(dcpl.get()), "cannot shuffle", p);
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(gzip)), "cannot compress", p);
  }
  Handle ds = checked(H5Dcreate2(id(), p.c_str(), native_type(type), space.get(), H5P_DEFAULT,
                                 dcpl.get(), H5P_DEFAULT),
                      H5Dclose, "cannot create dataset", p);
  streams_[p] = Stream{std::move(ds), dims, axis};
}

void StreamFile::append_raw(const std::string& path, ScalarType type, const void* data,
                            hsize_t rows) {
  const std::string p = absolute(path);
  const auto it = streams_.find(p);
  if (it == streams_.end()) throw H5Error("not a stream created by this writer", path_, p);
  if (rows == 0) return;
  Stream& s = it->second;
  const std::size_t a = s.axis;
  std::vector<hsize_t> grown = s.dims, start(s.dims.size(), 0), count = s.dims;
  grown[a] += rows;
  start[a] = s.dims[a];
  count[a] = rows;
  check(H5Dset_extent(s.dataset.get(), grown.data()), "cannot extend", p);
  const Handle file_space =
      checked(H5Dget_space(s.dataset.get()), H5Sclose, "cannot get dataspace", p);
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                            nullptr),
        "cannot select rows", p);
  const Handle mem =
      checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
              "cannot create dataspace", p);
  check(
      H5Dwrite(s.dataset.get(), native_type(type), mem.get(), file_space.get(), H5P_DEFAULT, data),
      "cannot append", p);
  s.dims = grown;
}

hsize_t StreamFile::rows(const std::string& stream) const {
  const auto it = streams_.find(absolute(stream));
  if (it == streams_.end()) throw H5Error("not a stream created by this writer", path_, stream);
  return it->second.dims[it->second.axis];
}

std::string fnv1a64_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + " to hash it");
  std::uint64_t h = 14695981039346656037ull;
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), buf.size());
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]);
      h *= 1099511628211ull;
    }
  }
  if (in.bad()) throw std::runtime_error("error while reading " + path.string() + " to hash it");
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string uuid4() {
  std::random_device rd;
  std::array<unsigned char, 16> b{};
  for (auto& x : b) x = static_cast<unsigned char>(rd() & 0xff);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string iso8601_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace gaitsim::h5
