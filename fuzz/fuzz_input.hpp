#pragma once
// Helpers shared by the libFuzzer targets: the input as a file, for readers that take a path.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace gaitsim::fuzz {

// A file holding the input, in the temp folder, one per process (libFuzzer forks workers).
inline std::filesystem::path input_file(const std::uint8_t* data, std::size_t size,
                                        const std::string& suffix = "") {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("gaitsim-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace gaitsim::fuzz
