#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

namespace gaitsim::datasets {

// Sequential reader for a plain or gzip-compressed file. Compression is detected from the gzip
// magic bytes (1f 8b), not the file name, so misnamed files still load.
class ByteReader {
 public:
  // Throws DataError if the file does not exist or cannot be opened.
  explicit ByteReader(std::filesystem::path path);
  ~ByteReader();
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;

  const std::filesystem::path& path() const { return path_; }
  bool gzip() const { return gzip_; }

  // Size on disk of a plain file; empty for gzip, whose uncompressed size is only known after
  // decompressing everything.
  std::optional<std::uintmax_t> plain_size() const;

  // Reads exactly n bytes; throws DataError naming `what` if the data ends first.
  std::vector<std::uint8_t> read(std::size_t n, std::string_view what);
  std::uint32_t read_u32_be(std::string_view what);

 private:
  std::filesystem::path path_;
  bool gzip_ = false;
  void* gz_ = nullptr;  // gzFile; kept opaque so that zlib.h stays out of this header
};

}  // namespace gaitsim::datasets
