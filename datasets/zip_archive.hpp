#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gaitsim::datasets {

// One member of a zip file, as its central directory describes it (ZIP64 sizes included).
struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated; others are refused when read
  std::uint16_t flags = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;  // [bytes]
  std::uint64_t size = 0;             // uncompressed [bytes]
  std::uint64_t local_header_offset = 0;
};

// The table of contents of a zip file (a .npz is one), read from its central directory with
// ZIP64 support, since numpy writes every member in ZIP64 form. Problems throw DataError.
class ZipArchive {
 public:
  explicit ZipArchive(std::filesystem::path file);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry called `name`; DataError listing the members if there is none.
  const ZipEntry& entry(std::string_view name) const;

 private:
  std::filesystem::path path_;
  std::vector<ZipEntry> entries_;
};

// Reads one member's uncompressed bytes from start to end, inflating deflated members on the
// way (zlib), and checks the CRC-32 once the last byte has been read.
class ZipEntryReader {
 public:
  ZipEntryReader(const ZipArchive& archive, const ZipEntry& entry);
  ~ZipEntryReader();
  ZipEntryReader(const ZipEntryReader&) = delete;
  ZipEntryReader& operator=(const ZipEntryReader&) = delete;

  // Exactly n bytes; DataError naming the file, member and `what` if the member ends first.
  void read(void* out, std::size_t n, std::string_view what);
  std::uint64_t remaining() const { return entry_.size - produced_; }
  // Throws DataError naming the file and the member.
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::size_t fill_input();
  void inflate_into(std::uint8_t* out, std::size_t n);

  std::filesystem::path path_;
  ZipEntry entry_;
  std::ifstream in_;
  std::uint64_t consumed_ = 0;  // compressed bytes taken from the file
  std::uint64_t produced_ = 0;  // uncompressed bytes handed out
  std::uint32_t crc_ = 0;
  std::vector<std::uint8_t> buffer_;
  struct Inflater;
  std::unique_ptr<Inflater> inflater_;
};

}  // namespace gaitsim::datasets
