#include "datasets/zip_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEnd = 0x06054b50;
constexpr std::uint32_t kEnd64Locator = 0x07064b50;
constexpr std::uint32_t kEnd64 = 0x06064b50;
constexpr std::uint16_t kZip64Extra = 0x0001;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kMaxComment = 0xFFFF;

// Little-endian fields at a position of a byte block; the caller checks the bounds.
std::uint64_t le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

class Bytes {
 public:
  Bytes(const std::filesystem::path& file, std::vector<std::uint8_t> data)
      : file_(file), data_(std::move(data)) {}
  std::uint64_t at(std::size_t pos, int bytes, const char* what) const {
    if (pos + static_cast<std::size_t>(bytes) > data_.size()) {
      throw DataError(file_, std::string("damaged zip file: ") + what + " runs past its end");
    }
    return le(data_.data() + pos, bytes);
  }
  std::string text(std::size_t pos, std::size_t n) const {
    if (pos + n > data_.size())
      throw DataError(file_, "damaged zip file: a name runs past its end");
    return std::string(data_.begin() + pos, data_.begin() + pos + n);
  }
  std::size_t size() const { return data_.size(); }

 private:
  const std::filesystem::path& file_;
  std::vector<std::uint8_t> data_;
};

std::vector<std::uint8_t> read_at(std::ifstream& in, const std::filesystem::path& file,
                                  std::uint64_t offset, std::uint64_t n, const char* what) {
  std::vector<std::uint8_t> out(n);
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n));
  if (!in) throw DataError(file, std::string("damaged zip file: cannot read ") + what);
  return out;
}

struct Directory {
  std::uint64_t entries = 0, size = 0, offset = 0;
};

// The end-of-central-directory record is the last thing in the file, before a comment of at
// most 64 KiB; its ZIP64 twin, when any field overflowed, sits just before it.
Directory find_directory(std::ifstream& in, const std::filesystem::path& file,
                         std::uint64_t file_size) {
  const std::uint64_t tail = std::min<std::uint64_t>(file_size, kEndSize + kMaxComment);
  const Bytes b(file, read_at(in, file, file_size - tail, tail, "its end"));
  std::size_t pos = std::numeric_limits<std::size_t>::max();
  for (std::size_t p = tail >= kEndSize ? tail - kEndSize + 1 : 0; p-- > 0;) {
    if (b.at(p, 4, "end record") == kEnd) {
      pos = p;
      break;
    }
  }
  if (pos == std::numeric_limits<std::size_t>::max()) {
    throw DataError(file, "not a zip file (no end-of-central-directory record); a .npz is a zip");
  }
  Directory d{b.at(pos + 10, 2, "end record"), b.at(pos + 12, 4, "end record"),
              b.at(pos + 16, 4, "end record")};
  const bool overflow = d.entries == 0xFFFF || d.size == 0xFFFFFFFF || d.offset == 0xFFFFFFFF;
  if (!overflow) return d;
  const std::uint64_t locator = file_size - tail + pos - 20;
  if (pos < 20 || b.at(pos - 20, 4, "ZIP64 locator") != kEnd64Locator) {
    throw DataError(file, "damaged zip file: ZIP64 end record expected but not found");
  }
  const std::uint64_t end64 = b.at(pos - 20 + 8, 8, "ZIP64 locator");
  const Bytes e(file, read_at(in, file, end64, 56, "the ZIP64 end record"));
  if (e.at(0, 4, "ZIP64 end record") != kEnd64 || end64 >= locator) {
    throw DataError(file, "damaged zip file: bad ZIP64 end record");
  }
  return {e.at(32, 8, "ZIP64 end record"), e.at(40, 8, "ZIP64 end record"),
          e.at(48, 8, "ZIP64 end record")};
}

// Fields stored as 0xFFFFFFFF live in the ZIP64 extra field, in this order, only if overflowed.
void apply_zip64_extra(const Bytes& b, std::size_t pos, std::size_t length, ZipEntry& e) {
  const std::size_t end = pos + length;
  while (pos + 4 <= end) {
    const auto id = b.at(pos, 2, "extra field");
    const auto n = static_cast<std::size_t>(b.at(pos + 2, 2, "extra field"));
    std::size_t f = pos + 4;
    if (id == kZip64Extra) {
      for (std::uint64_t* field : {&e.size, &e.compressed_size, &e.local_header_offset}) {
        if (*field == 0xFFFFFFFF && f + 8 <= pos + 4 + n) {
          *field = b.at(f, 8, "ZIP64 extra field");
          f += 8;
        }
      }
    }
    pos += 4 + n;
  }
}

std::vector<ZipEntry> read_entries(const Bytes& b, std::uint64_t count,
                                   const std::filesystem::path& file) {
  std::vector<ZipEntry> entries;
  std::size_t pos = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (b.at(pos, 4, "central directory") != kCentralHeader) {
      throw DataError(file, "damaged zip file: bad central directory entry " + std::to_string(i));
    }
    ZipEntry e;
    e.flags = static_cast<std::uint16_t>(b.at(pos + 8, 2, "central directory"));
    e.method = static_cast<std::uint16_t>(b.at(pos + 10, 2, "central directory"));
    e.crc32 = static_cast<std::uint32_t>(b.at(pos + 16, 4, "central directory"));
    e.compressed_size = b.at(pos + 20, 4, "central directory");
    e.size = b.at(pos + 24, 4, "central directory");
    const auto name = static_cast<std::size_t>(b.at(pos + 28, 2, "central directory"));
    const auto extra = static_cast<std::size_t>(b.at(pos + 30, 2, "central directory"));
    const auto comment = static_cast<std::size_t>(b.at(pos + 32, 2, "central directory"));
    e.local_header_offset = b.at(pos + 42, 4, "central directory");
    e.name = b.text(pos + 46, name);
    apply_zip64_extra(b, pos + 46 + name, extra, e);
    entries.push_back(std::move(e));
    pos += 46 + name + extra + comment;
  }
  return entries;
}

// Deflate turns at most 1032 bytes into 1 (RFC 1951's longest match per code): a member
// claiming a larger uncompressed size than that allows is damaged or hostile.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Every size a member claims, against the file's own size, before anything is sized by it.
void check_sizes(const ZipEntry& e, std::uint64_t file_size, const std::filesystem::path& file) {
  const std::string member = "damaged zip file: member '" + e.name + "' ";
  if (e.local_header_offset > file_size || e.compressed_size > file_size - e.local_header_offset) {
    throw DataError(file, member + "lies beyond the end of the file (truncated?)");
  }
  const bool plausible =
      e.method == 0 ? e.size == e.compressed_size : e.size / kMaxDeflateRatio <= e.compressed_size;
  if (e.method <= 8 && !plausible) {
    throw DataError(file, member + "claims " + std::to_string(e.size) + " bytes from " +
                              std::to_string(e.compressed_size) + " stored bytes");
  }
}

}  // namespace

ZipArchive::ZipArchive(std::filesystem::path file) : path_(std::move(file)) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path_, ec)) {
    throw DataError(path_, "file not found (expected a .npz / zip file)");
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw DataError(path_, "cannot open file for reading");
  const std::uint64_t size = std::filesystem::file_size(path_);
  const Directory d = find_directory(in, path_, size);
  if (d.offset > size || d.size > size - d.offset) {
    throw DataError(path_, "damaged zip file: central directory lies beyond the end (truncated?)");
  }
  entries_ = read_entries(Bytes(path_, read_at(in, path_, d.offset, d.size, "central directory")),
                          d.entries, path_);
  for (const ZipEntry& e : entries_) check_sizes(e, size, path_);
}

const ZipEntry& ZipArchive::entry(std::string_view name) const {
  for (const ZipEntry& e : entries_) {
    if (e.name == name) return e;
  }
  std::string names;
  for (const ZipEntry& e : entries_) names += (names.empty() ? "" : ", ") + e.name;
  throw DataError(path_, "no member '" + std::string(name) +
                             "' (members: " + (names.empty() ? "none" : names) + ")");
}

struct ZipEntryReader::Inflater {
  z_stream z{};
  ~Inflater() { inflateEnd(&z); }
};

ZipEntryReader::ZipEntryReader(const ZipArchive& archive, const ZipEntry& entry)
    : path_(archive.path()), entry_(entry), in_(path_, std::ios::binary) {
  if (entry_.flags & 1) fail("encrypted members are not supported");
  if (entry_.method != 0 && entry_.method != 8) {
    fail("compression method " + std::to_string(entry_.method) +
         " is not supported (expected 0 stored or 8 deflated)");
  }
  if (!in_) fail("cannot open file for reading");
  // The local header repeats the name and may carry a different extra field: only its lengths
  // are needed to find where the data starts.
  const Bytes b(path_, read_at(in_, path_, entry_.local_header_offset, 30, "a local header"));
  if (b.at(0, 4, "local header") != kLocalHeader) fail("damaged zip file: bad local header");
  const std::uint64_t start =
      entry_.local_header_offset + 30 + b.at(26, 2, "local header") + b.at(28, 2, "local header");
  in_.seekg(static_cast<std::streamoff>(start));
  if (entry_.method == 8) {
    inflater_ = std::make_unique<Inflater>();
    // Negative window bits: raw deflate data without a zlib header, as zip stores it.
    if (inflateInit2(&inflater_->z, -MAX_WBITS) != Z_OK) fail("cannot start inflating");
    buffer_.resize(std::size_t{1} << 20);
  }
}

ZipEntryReader::~ZipEntryReader() = default;

void ZipEntryReader::fail(const std::string& problem) const {
  throw DataError(path_, "member '" + entry_.name + "': " + problem);
}

std::size_t ZipEntryReader::fill_input() {
  const std::uint64_t left = entry_.compressed_size - consumed_;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size()));
  in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(n));
  if (static_cast<std::size_t>(in_.gcount()) != n) fail("truncated compressed data");
  consumed_ += n;
  return n;
}

void ZipEntryReader::inflate_into(std::uint8_t* out, std::size_t n) {
  z_stream& z = inflater_->z;
  z.next_out = out;
  z.avail_out = 0;
  std::size_t done = 0;
  while (done < n) {
    if (z.avail_in == 0) {
      z.next_in = buffer_.data();
      z.avail_in = static_cast<uInt>(fill_input());
    }
    const std::size_t want = std::min<std::size_t>(n - done, 1u << 30);
    z.next_out = out + done;
    z.avail_out = static_cast<uInt>(want);
    const int status = inflate(&z, Z_NO_FLUSH);
    done += want - z.avail_out;
    if (status == Z_STREAM_END && done < n) fail("deflated data ends early");
    if (status != Z_OK && status != Z_STREAM_END) {
      fail(std::string("corrupt deflated data: ") + (z.msg ? z.msg : "inflate failed"));
    }
  }
}

void ZipEntryReader::read(void* out, std::size_t n, std::string_view what) {
  if (n > remaining()) {
    fail("truncated " + std::string(what) + ": expected " + std::to_string(n) +
         " more bytes, the member has " + std::to_string(remaining()));
  }
  auto* bytes = static_cast<std::uint8_t*>(out);
  if (inflater_) {
    inflate_into(bytes, n);
  } else {
    in_.read(reinterpret_cast<char*>(bytes), static_cast<std::streamsize>(n));
    if (static_cast<std::size_t>(in_.gcount()) != n) fail("truncated " + std::string(what));
  }
  for (std::size_t done = 0; done < n;) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(n - done, 1u << 30));
    crc_ = static_cast<std::uint32_t>(crc32(crc_, bytes + done, chunk));
    done += chunk;
  }
  produced_ += n;
  if (remaining() == 0 && crc_ != entry_.crc32) fail("CRC-32 mismatch: the data is corrupt");
}

}  // namespace gaitsim::datasets
