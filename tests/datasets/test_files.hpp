#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets::testing {

using Bytes = std::vector<std::uint8_t>;

// A fresh, empty folder under the system temp dir, removed again on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& file, const Bytes& bytes);
void write_gzip(const std::filesystem::path& file, const Bytes& bytes);

// IDX file contents: big-endian header then the data bytes as given.
Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels);
Bytes idx_labels(const Bytes& labels);

// Image files for the decoder and cache tests. pixels: height rows of width pixels, each of
// `channels` interleaved bytes. JPEG: 1 grey, 3 RGB (quality 100, no chroma subsampling, so
// that flat colours survive within +-2), 4 CMYK (with Adobe marker: stored inverted, as
// Photoshop does). PNG: 1 grey, 3 RGB, 4 RGBA.
void write_jpeg(const std::filesystem::path& file, int width, int height, int channels,
                const Bytes& pixels);
void write_png(const std::filesystem::path& file, int width, int height, int channels,
               const Bytes& pixels);
// width x height pixels all of one value per channel.
Bytes flat_pixels(int width, int height, const Bytes& colour);

// Substring check that prints both strings on failure (gmock is not a project dependency).
::testing::AssertionResult contains(const std::string& text, const std::string& part);

// Runs `action`, expecting a DataError; returns its message ("" and a test failure if none).
template <class Action>
std::string data_error_message(Action&& action) {
  try {
    action();
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DataError";
  return "";
}

}  // namespace gaitsim::datasets::testing
