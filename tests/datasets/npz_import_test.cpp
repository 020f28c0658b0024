// Importing downsampled-ImageNet .npz files (written here by numpy itself, stored and
// deflated, in numpy's ZIP64 form) into an image cache, and refusing malformed ones.
#include "datasets/npz_import.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <numeric>
#include <random>

#include "datasets/image_cache.hpp"
#include "test_files.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;

struct NpzSpec {
  Bytes data;
  std::size_t columns = 48;  // 3 x 4 x 4
  std::vector<long long> labels;
  std::string label_type = "int64";
  bool compressed = false;
  bool with_labels = true;
  std::string data_type = "uint8";
};

// numpy writes the file, so the reader is checked against the real format.
void write_npz(const fs::path& file, const NpzSpec& s) {
  const fs::path data = file.string() + ".bin", labels = file.string() + ".labels";
  testing::write_file(data, s.data);
  {
    std::ofstream out(labels);
    for (long long v : s.labels) out << v << ' ';
  }
  const std::string script =
      "import numpy as np, sys\n"
      "d = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(-1, int(sys.argv[2]))"
      ".astype(sys.argv[7])\n"
      "l = np.array([int(x) for x in open(sys.argv[3]).read().split()], dtype=sys.argv[4])\n"
      "arrays = dict(data=d, labels=l, mean=d.mean(0)) if sys.argv[8] == '1' else dict(data=d)\n"
      "(np.savez_compressed if sys.argv[6] == '1' else np.savez)(sys.argv[5], **arrays)\n";
  const fs::path py = file.string() + ".py";
  std::ofstream(py) << script;
  const std::string command =
      "/usr/bin/python3 " + py.string() + " " + data.string() + " " + std::to_string(s.columns) +
      " " + labels.string() + " " + s.label_type + " " + file.string() + " " +
      (s.compressed ? "1" : "0") + " " + s.data_type + " " + (s.with_labels ? "1" : "0");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  ASSERT_TRUE(fs::exists(file));
}

Bytes random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

class NpzImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GAITSIM_REQUIRE_DEPENDENCY(gaitsim::testing::python_has("numpy"),
                               "/usr/bin/python3 with numpy is needed to write .npz files");
  }

  NpzImportOptions options(std::vector<fs::path> files) const {
    NpzImportOptions o;
    o.files = std::move(files);
    o.out = dir_ / "cache.h5";
    return o;
  }

  std::string import_error(const NpzImportOptions& o) const {
    const std::string message = testing::data_error_message([&] { import_npz(o); });
    EXPECT_FALSE(fs::exists(dir_ / "cache.h5")) << "a cache was written despite the error";
    return message;
  }

  testing::TempDir dir_;
};

TEST_F(NpzImportTest, StoredAndDeflatedFilesRoundTrip) {
  const Bytes a = random_bytes(3 * 48, 1), b = random_bytes(2 * 48, 2);
  write_npz(dir_ / "a.npz", {a, 48, {3, 1, 2}, "int64", false});
  write_npz(dir_ / "b.npz", {b, 48, {5, 1}, "int16", true});
  std::vector<std::size_t> done;
  const CacheBuildReport report =
      import_npz(options({dir_ / "a.npz", dir_ / "b.npz"}), [&](std::size_t d, std::size_t total) {
        EXPECT_EQ(total, 5u);
        done.push_back(d);
      });
  EXPECT_EQ(report.written, 5u);
  EXPECT_EQ(done.back(), 5u);

  const ImageCache cache(dir_ / "cache.h5");
  const ImageCacheInfo& info = cache.info();
  EXPECT_EQ(info.count, 5u);
  EXPECT_EQ(info.height, 4);
  EXPECT_EQ(info.width, 4);
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(cache.labels(), (std::vector<std::int32_t>{2, 0, 1, 4, 0}));
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(info.class_counts, (std::vector<std::int64_t>{2, 1, 1, 0, 1}));
  std::vector<Eigen::Index> rows(5);
  std::iota(rows.begin(), rows.end(), Eigen::Index(0));
  Bytes pixels(5 * 48);
  cache.read(rows, pixels.data());
  Bytes expected = a;
  expected.insert(expected.end(), b.begin(), b.end());
  EXPECT_EQ(pixels, expected);  // rows are already channel-planar C x H x W
  double red = 0;
  for (int i = 0; i < 5; ++i) {
    for (int k = 0; k < 16; ++k) red += expected[i * 48 + k] / 255.0;
  }
  EXPECT_NEAR(info.mean[0], red / 80.0, 1e-12);
}

TEST_F(NpzImportTest, LargeDeflatedMemberCrossesReadBuffers) {
  // 200 random 64x64 images, 2.4 MB: inflating crosses the 1 MiB input buffer several times.
  const Bytes data = random_bytes(200 * 12288, 3);
  std::vector<long long> labels(200);
  for (int i = 0; i < 200; ++i) labels[i] = 1 + i % 7;
  write_npz(dir_ / "big.npz", {data, 12288, labels, "int64", true});
  NpzImportOptions o = options({dir_ / "big.npz"});
  o.classes = 10;
  import_npz(o);
  const ImageCache cache(dir_ / "cache.h5");
  EXPECT_EQ(cache.info().height, 64);
  EXPECT_EQ(cache.info().class_names.size(), 10u);
  Bytes last(12288);
  cache.read(std::vector<Eigen::Index>{199}, last.data());
  EXPECT_TRUE(std::equal(last.begin(), last.end(), data.end() - 12288));
}

TEST_F(NpzImportTest, ClassMapNamesTheOneBasedLabels) {
  write_npz(dir_ / "a.npz", {random_bytes(2 * 48, 4), 48, {2, 1}, "int64", false});
  std::ofstream(dir_ / "map_clsloc.txt") << "n01 1 tench\nn02 2 goldfish\nn03 3 shark\n";
  NpzImportOptions o = options({dir_ / "a.npz"});
  o.class_map = dir_ / "map_clsloc.txt";
  import_npz(o);
  const ImageCache cache(dir_ / "cache.h5");
  EXPECT_EQ(cache.info().class_names, (std::vector<std::string>{"n01", "n02", "n03"}));
  EXPECT_EQ(cache.labels(), (std::vector<std::int32_t>{1, 0}));
}

TEST_F(NpzImportTest, BadLabelsAreNamed) {
  write_npz(dir_ / "zero.npz", {random_bytes(2 * 48, 5), 48, {1, 0}, "int64", false});
  std::string message = import_error(options({dir_ / "zero.npz"}));
  EXPECT_TRUE(testing::contains(message, (dir_ / "zero.npz").string()));
  EXPECT_TRUE(testing::contains(message, "label 0 of row 1 out of range: expected 1..1"));

  write_npz(dir_ / "many.npz", {random_bytes(2 * 48, 6), 48, {1, 12}, "int64", false});
  NpzImportOptions o = options({dir_ / "many.npz"});
  o.classes = 10;
  EXPECT_TRUE(testing::contains(import_error(o), "label 12 of row 1 out of range: expected 1..10"));

  write_npz(dir_ / "count.npz", {random_bytes(3 * 48, 7), 48, {1, 2}, "int64", false});
  message = import_error(options({dir_ / "count.npz"}));
  EXPECT_TRUE(testing::contains(message, "labels.npy"));
  EXPECT_TRUE(testing::contains(message, "2 labels for 3 images"));

  NpzSpec no_labels{random_bytes(48, 8), 48, {1}, "int64", false};
  no_labels.with_labels = false;
  write_npz(dir_ / "nolabels.npz", no_labels);
  EXPECT_TRUE(testing::contains(import_error(options({dir_ / "nolabels.npz"})),
                                "no member 'labels.npy' (members: data.npy)"));
}

TEST_F(NpzImportTest, BadImageArraysAreNamed) {
  write_npz(dir_ / "cols.npz", {random_bytes(2 * 50, 9), 50, {1, 1}, "int64", false});
  EXPECT_TRUE(testing::contains(import_error(options({dir_ / "cols.npz"})),
                                "rows of 50 values are not 3 x S x S RGB images"));

  NpzSpec floats{random_bytes(2 * 48, 10), 48, {1, 1}, "int64", false};
  floats.data_type = "float32";
  write_npz(dir_ / "float.npz", floats);
  EXPECT_TRUE(testing::contains(import_error(options({dir_ / "float.npz"})), "found type '<f4'"));

  write_npz(dir_ / "a.npz", {random_bytes(48, 11), 48, {1}, "int64", false});
  write_npz(dir_ / "b.npz", {random_bytes(192, 12), 192, {1}, "int64", false});
  const std::string message = import_error(options({dir_ / "a.npz", dir_ / "b.npz"}));
  EXPECT_TRUE(testing::contains(message, (dir_ / "b.npz").string()));
  EXPECT_TRUE(testing::contains(message, "holds 8x8 images"));
}

TEST_F(NpzImportTest, DamagedFilesAreNamed) {
  write_npz(dir_ / "a.npz", {random_bytes(4 * 48, 13), 48, {1, 2, 3, 4}, "int64", true});
  std::ifstream in(dir_ / "a.npz", std::ios::binary);
  Bytes bytes((std::istreambuf_iterator<char>(in)), {});
  Bytes cut(bytes.begin(), bytes.begin() + bytes.size() / 2);
  testing::write_file(dir_ / "cut.npz", cut);
  std::string message = import_error(options({dir_ / "cut.npz"}));
  EXPECT_TRUE(testing::contains(message, (dir_ / "cut.npz").string()));
  EXPECT_TRUE(testing::contains(message, "zip"));

  // Flip a byte inside the deflated data: inflate or the CRC check must notice.
  Bytes flipped = bytes;
  flipped[120] ^= 0x55;
  testing::write_file(dir_ / "flipped.npz", flipped);
  EXPECT_TRUE(
      testing::contains(import_error(options({dir_ / "flipped.npz"})), "member 'data.npy'"));
}

}  // namespace
}  // namespace gaitsim::datasets
