#include "analysis/h5_global_heap.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "analysis/h5_error.hpp"

namespace gaitsim::h5 {
namespace {

// The file's bytes, mapped read-only (run files can be large; the scan touches each page once).
class Mapping {
 public:
  explicit Mapping(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p =
          ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const unsigned char*>(p);
        size_ = static_cast<std::size_t>(st.st_size);
      }
    }
    ::close(fd);
  }
  ~Mapping() {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// HDF5's smallest global heap collection (H5HG_MINSIZE) [bytes].
constexpr std::uint64_t kMinCollectionBytes = 4096;

// A little-endian unsigned number of `bytes` bytes (HDF5's encoding of lengths).
std::uint64_t little_endian(const unsigned char* p, unsigned bytes) {
  std::uint64_t v = 0;
  for (unsigned i = bytes; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

std::uint64_t align8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

// HDF5's "size of lengths" from the superblock (at 0, 512, 1024, ...): version 0/1 at byte 14,
// version 2/3 at byte 10. 0 when there is no superblock or the size is not one HDF5 decodes.
unsigned length_bytes(const Mapping& m) {
  static const unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (std::size_t at = 0; at + 16 <= m.size(); at = at == 0 ? 512 : 2 * at) {
    if (std::memcmp(m.data() + at, kSignature, 8) != 0) continue;
    const unsigned version = m.data()[at + 8];
    const unsigned bytes = version < 2 ? m.data()[at + 14] : m.data()[at + 10];
    return bytes == 2 || bytes == 4 || bytes == 8 ? bytes : 0;
  }
  return 0;
}

// What is wrong with the collection at byte `at`, or "" when HDF5 can read it. The walk is
// HDF5's own (H5HG__cache_heap_deserialize): objects one after another, each an index (2 bytes),
// references (2), reserved (4) and a size; index 0 is the free space, whose size includes its
// header; a remainder too small for an object header is free space too.
std::string collection_problem(const Mapping& m, std::size_t at, unsigned length) {
  const std::uint64_t header = align8(8 + length), object_header = align8(8 + length);
  if (m.size() - at < 8 + length) return "is cut off by the end of the file";
  const std::uint64_t size = little_endian(m.data() + at + 8, length);
  // Only what HDF5 itself writes is a collection: its 3 reserved bytes are 0 and it is at least
  // H5HG_MINSIZE (4096) bytes. Anything else holding the signature is data (a stored array can
  // contain the 5 signature bytes), which HDF5 never parses as a heap.
  if (m.data()[at + 5] != 0 || m.data()[at + 6] != 0 || m.data()[at + 7] != 0 ||
      size < kMinCollectionBytes) {
    return "";
  }
  if (size > m.size() - at) {
    return "claims " + std::to_string(size) + " bytes, past the end of the file";
  }
  for (std::uint64_t p = header; p < size && size - p >= object_header;) {
    const unsigned index = static_cast<unsigned>(little_endian(m.data() + at + p, 2));
    const std::uint64_t bytes = little_endian(m.data() + at + p + 8, length);
    if (bytes > size - p) {
      return "object " + std::to_string(index) + " claims " + std::to_string(bytes) +
             " bytes, past the collection's end";
    }
    const std::uint64_t need = index == 0 ? bytes : object_header + align8(bytes);
    if (need == 0) return "has a free-space object of size 0";
    if (need > size - p) return "object " + std::to_string(index) + " runs past its end";
    p += need;
  }
  return "";
}

}  // namespace

void check_global_heaps(const std::filesystem::path& file) {
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(file, ec);
  if (ec || bytes > kMaxScannedBytes) return;
  const Mapping m(file);
  const unsigned length = length_bytes(m);
  if (length == 0) return;
  static const unsigned char kCollection[5] = {'G', 'C', 'O', 'L', 1};
  const unsigned char* begin = m.data();
  const unsigned char* end = begin + m.size();
  for (const unsigned char* p = begin; p < end;) {
    const void* hit = ::memmem(p, static_cast<std::size_t>(end - p), kCollection, 5);
    if (hit == nullptr) break;
    const auto at = static_cast<std::size_t>(static_cast<const unsigned char*>(hit) - begin);
    const std::string problem = collection_problem(m, at, length);
    if (!problem.empty()) {
      throw H5Error("global heap collection at byte " + std::to_string(at) + " " + problem +
                        " (HDF5 would hang or read out of bounds): damaged file",
                    file, "");
    }
    p = begin + at + 1;
  }
}

}  // namespace gaitsim::h5
