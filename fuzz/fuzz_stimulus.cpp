// The --stimuli spec on any text, against a small IDX dataset (made once): a stimulus set, or a
// ConfigError / runtime_error naming the spec or file.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sim/config.hpp"
#include "sim/stimulus_spec.hpp"

namespace {

void be32(std::ofstream& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.put(static_cast<char>((v >> s) & 0xFF));
}

// 12 examples of 4x4 pixels per split, labels 0..9.
std::filesystem::path small_dataset() {
  const auto dir = std::filesystem::temp_directory_path() / "gaitsim-fuzz-stimulus-data";
  std::filesystem::create_directories(dir);
  for (const char* split : {"train", "t10k"}) {
    std::ofstream images(dir / (std::string(split) + "-images-idx3-ubyte"), std::ios::binary);
    be32(images, 0x803), be32(images, 12), be32(images, 4), be32(images, 4);
    for (int i = 0; i < 12 * 16; ++i) images.put(static_cast<char>(i));
    std::ofstream labels(dir / (std::string(split) + "-labels-idx1-ubyte"), std::ios::binary);
    be32(labels, 0x801), be32(labels, 12);
    for (int i = 0; i < 12; ++i) labels.put(static_cast<char>(i % 10));
  }
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = small_dataset();
  gaitsim::Config c;
  c.data.dataset = "idx";
  c.data.path = dir.string();
  const std::string spec(reinterpret_cast<const char*>(data), size);
  try {
    const gaitsim::StimulusSet s = gaitsim::load_stimuli(spec, c);
    if (s.x.rows() != static_cast<long>(s.ids.size()) || s.ids.size() != s.labels.size()) {
      std::abort();
    }
  } catch (const std::runtime_error&) {  // ConfigError, DataError, H5Error
  }
  return 0;
}
