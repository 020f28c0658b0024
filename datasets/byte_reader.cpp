#include "datasets/byte_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

bool has_gzip_magic(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

gzFile as_gz(void* handle) { return static_cast<gzFile>(handle); }

}  // namespace

ByteReader::ByteReader(std::filesystem::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) {
    throw DataError(path_, "file not found (expected a regular file)");
  }
  gzip_ = has_gzip_magic(path_);
  // zlib reads plain files unchanged (transparent mode), so one code path serves both kinds.
  gz_ = gzopen(path_.c_str(), "rb");
  if (gz_ == nullptr) throw DataError(path_, "cannot open file for reading");
  // A larger buffer than zlib's 8 KiB default makes bulk reads of ~50 MB noticeably faster.
  gzbuffer(as_gz(gz_), 1 << 20);
}

ByteReader::~ByteReader() {
  if (gz_ != nullptr) gzclose(as_gz(gz_));
}

std::optional<std::uintmax_t> ByteReader::plain_size() const {
  if (gzip_) return std::nullopt;
  return std::filesystem::file_size(path_);
}

std::vector<std::uint8_t> ByteReader::read(std::size_t n, std::string_view what) {
  // Grow in chunks rather than allocating n up front: a corrupt header can claim terabytes.
  constexpr std::size_t kChunk = std::size_t{1} << 26;
  std::vector<std::uint8_t> bytes;
  while (bytes.size() < n) {
    const std::size_t want = std::min(kChunk, n - bytes.size());
    const std::size_t done = bytes.size();
    bytes.resize(done + want);
    const int got = gzread(as_gz(gz_), bytes.data() + done, static_cast<unsigned>(want));
    if (got < 0) {
      int code = 0;
      throw DataError(path_,
                      "read error in " + std::string(what) + ": " + gzerror(as_gz(gz_), &code));
    }
    if (static_cast<std::size_t>(got) < want) {
      throw DataError(path_, "truncated " + std::string(what) + ": expected " + std::to_string(n) +
                                 " bytes, found only " + std::to_string(done + got));
    }
  }
  return bytes;
}

std::uint32_t ByteReader::read_u32_be(std::string_view what) {
  const std::vector<std::uint8_t> b = read(4, what);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

}  // namespace gaitsim::datasets
