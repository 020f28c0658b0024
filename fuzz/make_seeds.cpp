// Writes the seed corpus of every fuzz target: small valid files of each format, into
// OUT/<target>/ (scripts/fuzz.sh runs it before fuzzing). Usage: make_seeds OUT SOURCE_DIR
#include <zlib.h>

#include <cstddef>
#include <cstdio>
// clang-format off
#include <jpeglib.h>
// clang-format on
#include <png.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/config.hpp"
#include "sim/network_builder.hpp"
#include "analysis/run_file.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

void save(const fs::path& file, const Bytes& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

void save(const fs::path& file, const std::string& text) {
  save(file, Bytes(text.begin(), text.end()));
}

void be32(Bytes& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
}

void le(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Bytes idx_images(int n, int rows) {
  Bytes b;
  be32(b, 0x803), be32(b, n), be32(b, rows), be32(b, rows);
  for (int i = 0; i < n * rows * rows; ++i) b.push_back(static_cast<std::uint8_t>(i * 37));
  return b;
}

Bytes idx_labels(int n) {
  Bytes b;
  be32(b, 0x801), be32(b, n);
  for (int i = 0; i < n; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
  return b;
}

Bytes npy(const std::string& descr, const std::string& shape, const Bytes& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  le(out, dict.size(), 2);
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

// A zip of members, stored (method 0) or deflated (method 8), as np.savez(_compressed) writes.
Bytes zip(const std::vector<std::pair<std::string, Bytes>>& members, bool deflated) {
  Bytes out, dir;
  for (const auto& [name, data] : members) {
    Bytes stored = data;
    if (deflated) {
      z_stream z{};
      deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      stored.resize(deflateBound(&z, uLong(data.size())));
      z.next_in = const_cast<Bytef*>(data.data());
      z.avail_in = uInt(data.size());
      z.next_out = stored.data();
      z.avail_out = uInt(stored.size());
      deflate(&z, Z_FINISH);
      stored.resize(z.total_out);
      deflateEnd(&z);
    }
    const auto crc = crc32(0, data.data(), uInt(data.size()));
    const std::size_t offset = out.size();
    const int method = deflated ? 8 : 0;
    le(out, 0x04034b50, 4), le(out, 20, 2), le(out, 0, 2), le(out, method, 2), le(out, 0, 4);
    le(out, crc, 4), le(out, stored.size(), 4), le(out, data.size(), 4);
    le(out, name.size(), 2), le(out, 0, 2);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), stored.begin(), stored.end());
    le(dir, 0x02014b50, 4), le(dir, 20, 2), le(dir, 20, 2), le(dir, 0, 2), le(dir, method, 2);
    le(dir, 0, 4), le(dir, crc, 4), le(dir, stored.size(), 4), le(dir, data.size(), 4);
    le(dir, name.size(), 2), le(dir, 0, 2), le(dir, 0, 2), le(dir, 0, 2), le(dir, 0, 2);
    le(dir, 0, 4), le(dir, offset, 4);
    dir.insert(dir.end(), name.begin(), name.end());
  }
  const std::size_t start = out.size();
  out.insert(out.end(), dir.begin(), dir.end());
  le(out, 0x06054b50, 4), le(out, 0, 4), le(out, members.size(), 2), le(out, members.size(), 2);
  le(out, dir.size(), 4), le(out, start, 4), le(out, 0, 2);
  return out;
}

Bytes jpeg(int width, int height, int quality) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = width;
  c.image_height = height;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  Bytes row(std::size_t(width) * 3);
  while (c.next_scanline < c.image_height) {
    for (std::size_t i = 0; i < row.size(); ++i)
      row[i] = std::uint8_t(i * 11 + c.next_scanline * 7);
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  Bytes out(buffer, buffer + size);
  jpeg_destroy_compress(&c);
  std::free(buffer);
  return out;
}

Bytes png(int width, int height, std::uint32_t format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  Bytes pixels(PNG_IMAGE_SIZE(image));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = std::uint8_t(i * 13);
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  Bytes out(size);
  png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr);
  return out;
}

// A paused run of tower [4, 3, 2] under Adam: step 3, one epoch done, batch 1 of 2.
gaitsim::RunRecord small_run() {
  using namespace gaitsim;
  const Config c = parse_config(
      "network:\n  kind: tower\n  widths: [4, 3, 2]\nlearning:\n  algorithm: bp\n", "<seed>", {});
  RunRecord run;
  run.config_yaml = c.to_yaml();
  run.status = "paused";
  run.weights = build_network(c, 4, 2);
  run.ortho_layers = {2};
  run.epochs = {{1, 0.5, 0.5, 0.4, 0.5, NAN, 0.01, {0.3}}};
  run.alignment = {{0, {0.9, 1.0}, {25.0, 0.0}}};
  run.progress = {1, 1, 3, 0.7, 1, 2, {}};
  run.optimizer.steps = 3;
  for (const char* m : {"m", "v"}) {
    for (int l = 1; l <= 2; ++l) {
      const auto& in = run.weights.layer(l).in;
      run.optimizer.tensors[std::string(m) + "/W/" + std::to_string(l)] =
          Mat<double>::Constant(in.W.rows(), in.W.cols(), 0.01);
      run.optimizer.tensors[std::string(m) + "/b/" + std::to_string(l)] =
          Mat<double>::Constant(1, in.b.cols(), 0.01);
    }
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_seeds OUT SOURCE_DIR\n");
    return 2;
  }
  const fs::path out = argv[1], source = argv[2];
  for (const char* name : {"quickstart.yaml", "mnist_tower_gait.yaml", "cifar10_cnn_gait.yaml"}) {
    fs::create_directories(out / "config");
    fs::copy_file(source / "configs" / name, out / "config" / name,
                  fs::copy_options::overwrite_existing);
  }
  save(out / "config/settle.yaml",
       "dynamics:\n  mode: settle\n  stepper: dopri5\nlearning:\n  epochs: 2\n");
  for (const std::string spec : {"test:0-9", "train:class=3:2", "test:4", "test", "train:all"}) {
    save(out / "stimulus" / (spec.substr(0, 4) + std::to_string(spec.size())), spec);
  }
  save(out / "idx/images", idx_images(3, 4));
  save(out / "idx/labels", idx_labels(5));
  Bytes cifar;
  for (int r = 0; r < 2; ++r) {
    cifar.push_back(std::uint8_t(r + 3));
    for (int i = 0; i < 3072; ++i) cifar.push_back(std::uint8_t(i));
  }
  save(out / "cifar10/two_records.bin", cifar);
  Bytes labels;
  le(labels, 1, 8), le(labels, 2, 8);
  const std::vector<std::pair<std::string, Bytes>> members = {
      {"data.npy", npy("|u1", "(2, 48)", Bytes(96, 9))},
      {"labels.npy", npy("<i8", "(2,)", labels)}};
  save(out / "npz/stored.npz", zip(members, false));
  save(out / "npz/deflated.npz", zip(members, true));
  save(out / "image/rgb.jpg", jpeg(16, 8, 90));
  save(out / "image/low.jpg", jpeg(9, 9, 20));
  save(out / "image/rgb.png", png(8, 4, PNG_FORMAT_RGB));
  save(out / "image/grey_alpha.png", png(5, 3, PNG_FORMAT_GA));
  fs::create_directories(out / "runfile");
  gaitsim::write_run_file(out / "runfile/paused.h5", small_run());
  return 0;
}
