#include "test_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <fstream>
#include <string>

namespace gaitsim::datasets::testing {
namespace {

void append_u32_be(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

}  // namespace

TempDir::TempDir() {
  // pid + counter keeps parallel ctest processes and repeated fixtures apart.
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("gaitsim-datasets-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& file, const Bytes& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << file;
}

void write_gzip(const std::filesystem::path& file, const Bytes& bytes) {
  gzFile gz = gzopen(file.c_str(), "wb");
  ASSERT_NE(gz, nullptr) << "cannot write " << file;
  EXPECT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  EXPECT_EQ(gzclose(gz), Z_OK);
}

Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes out;
  for (std::uint32_t v : {0x00000803u, count, rows, cols}) append_u32_be(out, v);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << text << "\" does not contain \"" << part << "\"";
}

Bytes idx_labels(const Bytes& labels) {
  Bytes out;
  append_u32_be(out, 0x00000801u);
  append_u32_be(out, static_cast<std::uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

}  // namespace gaitsim::datasets::testing
