#include "analysis/h5_seal.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace gaitsim::h5 {

namespace {

// The seal's layout, little-endian: magic, payload length [bytes], CRC-32, Adler-32, then zeros
// up to kSealBytes.
constexpr std::array<char, 16> kMagic = {'G', 'A', 'I', 'T', 'S', 'I', 'M', ' ',
                                         'S', 'E', 'A', 'L', ' ', 'v', '1', '\n'};
constexpr std::size_t kLengthAt = 16, kCrcAt = 24, kAdlerAt = 28, kUsed = 32;
// HDF5's superblock signature, which follows a user block of kSealBytes.
constexpr std::array<char, 8> kHdf5Signature = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};

struct Digest {
  std::uint64_t length = 0;  // bytes after the seal [bytes]
  std::uint32_t crc = 0, adler = 0;
};

void put_le(char* at, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) at[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t get_le(const char* at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(at[i])) << (8 * i);
  }
  return value;
}

// Reads the user block and digests everything after it, in blocks of 1 MiB.
Digest digest(std::ifstream& in, std::array<char, kSealBytes>& block) {
  Digest d;
  d.crc = static_cast<std::uint32_t>(crc32_z(0, nullptr, 0));
  d.adler = static_cast<std::uint32_t>(adler32_z(0, nullptr, 0));
  in.read(block.data(), kSealBytes);
  if (in.gcount() != static_cast<std::streamsize>(kSealBytes)) return d;
  std::vector<char> buffer(std::size_t{1} << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    const auto* bytes = reinterpret_cast<const Bytef*>(buffer.data());
    d.crc = static_cast<std::uint32_t>(crc32_z(d.crc, bytes, n));
    d.adler = static_cast<std::uint32_t>(adler32_z(d.adler, bytes, n));
    d.length += n;
  }
  return d;
}

std::ifstream open_for_reading(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw SealError("cannot read the file", file);
  return in;
}

}  // namespace

void seal_file(const std::filesystem::path& file) {
  std::ifstream in = open_for_reading(file);
  // The superblock first: a file without one is refused before its content is digested.
  std::array<char, kHdf5Signature.size()> signature{};
  in.seekg(static_cast<std::streamoff>(kSealBytes));
  in.read(signature.data(), signature.size());
  if (!in || signature != kHdf5Signature) {
    throw H5Error("cannot seal: no HDF5 superblock after a user block of " +
                      std::to_string(kSealBytes) + " bytes",
                  file, "");
  }
  in.seekg(0);
  std::array<char, kSealBytes> block{};
  const Digest d = digest(in, block);
  if (in.bad()) throw H5Error("cannot read the file to seal it", file, "");
  in.close();
  block.fill('\0');
  std::copy(kMagic.begin(), kMagic.end(), block.begin());
  put_le(block.data() + kLengthAt, d.length, 8);
  put_le(block.data() + kCrcAt, d.crc, 4);
  put_le(block.data() + kAdlerAt, d.adler, 4);
  std::fstream out(file, std::ios::binary | std::ios::in | std::ios::out);
  out.write(block.data(), kSealBytes);
  out.flush();
  if (!out) throw H5Error("cannot write the seal", file, "");
}

void verify_seal(const std::filesystem::path& file) {
  std::array<char, kSealBytes> block{};
  std::ifstream in = open_for_reading(file);
  const Digest d = digest(in, block);
  if (in.bad()) throw SealError("cannot read the file", file);
  if (!std::equal(kMagic.begin(), kMagic.end(), block.begin())) {
    throw SealError("no gaitsim seal in its first " + std::to_string(kSealBytes) +
                        " bytes: not written by gaitsim, or by a version before sealed run files "
                        "(docs/file-formats.md)",
                    file);
  }
  if (std::any_of(block.begin() + kUsed, block.end(), [](char c) { return c != '\0'; })) {
    throw SealError("damaged seal (bytes after the checksums are not zero)", file);
  }
  const std::uint64_t length = get_le(block.data() + kLengthAt, 8);
  if (length != d.length) {
    throw SealError("holds " + std::to_string(d.length) + " bytes after its seal, the seal says " +
                        std::to_string(length) + ": the file was truncated or extended",
                    file);
  }
  // Compared through XOR, not `==` on the two values: libFuzzer records the operands of
  // comparisons and copies them into its inputs, which would let it forge seals and fuzz libhdf5
  // instead of this check.
  const std::uint64_t stored = get_le(block.data() + kCrcAt, 4) | get_le(block.data() + kAdlerAt, 4)
                                                                      << 32;
  const std::uint64_t computed = d.crc | static_cast<std::uint64_t>(d.adler) << 32;
  if ((stored ^ computed) != 0) {
    throw SealError(
        "checksum does not match the seal: the file was damaged or changed after "
        "gaitsim wrote it",
        file);
  }
}

bool starts_with_seal(const std::filesystem::path& file) {
  std::array<char, kMagic.size()> head{};
  std::ifstream in(file, std::ios::binary);
  in.read(head.data(), head.size());
  return in.gcount() == static_cast<std::streamsize>(head.size()) && head == kMagic;
}

}  // namespace gaitsim::h5
