// Importing downsampled-ImageNet .npz files (written here by numpy itself, stored and
// deflated, in numpy's ZIP64 form) into an image cache, and refusing malformed ones.
#include "datasets/npz_import.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <numeric>
#include <random>

#include "datasets/image_cache.hpp"
#include "datasets/zip_archive.hpp"
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

// A .npy member: version 1 header (padded to 64 bytes) and the given data bytes.
Bytes npy(const std::string& descr, const std::string& shape, const Bytes& data) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  Bytes out = {0x93,
               'N',
               'U',
               'M',
               'P',
               'Y',
               1,
               0,
               static_cast<std::uint8_t>(dict.size()),
               static_cast<std::uint8_t>(dict.size() >> 8)};
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void put(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A zip of stored (uncompressed) members, as numpy's np.savez writes small arrays.
Bytes stored_zip(const std::vector<std::pair<std::string, Bytes>>& members) {
  Bytes out, directory;
  for (const auto& [name, data] : members) {
    const auto crc = crc32(0, data.data(), static_cast<uInt>(data.size()));
    const std::size_t offset = out.size();
    put(out, 0x04034b50, 4);
    put(out, 20, 2), put(out, 0, 2), put(out, 0, 2), put(out, 0, 2), put(out, 0, 2);
    put(out, crc, 4), put(out, data.size(), 4), put(out, data.size(), 4);
    put(out, name.size(), 2), put(out, 0, 2);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), data.begin(), data.end());
    put(directory, 0x02014b50, 4);
    put(directory, 20, 2), put(directory, 20, 2), put(directory, 0, 2), put(directory, 0, 2);
    put(directory, 0, 2), put(directory, 0, 2);
    put(directory, crc, 4), put(directory, data.size(), 4), put(directory, data.size(), 4);
    put(directory, name.size(), 2), put(directory, 0, 2), put(directory, 0, 2);
    put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 4), put(directory, offset, 4);
    directory.insert(directory.end(), name.begin(), name.end());
  }
  const std::size_t start = out.size();
  out.insert(out.end(), directory.begin(), directory.end());
  put(out, 0x06054b50, 4), put(out, 0, 2), put(out, 0, 2);
  put(out, members.size(), 2), put(out, members.size(), 2);
  put(out, directory.size(), 4), put(out, start, 4), put(out, 0, 2);
  return out;
}

// Issue 13 item 10: a 10 KB npz claiming 3e8 labels made the reader allocate 2.4 GB before the
// error, and larger claims ended in a bare std::bad_alloc.
TEST(NpyHeader, ClaimOfMoreValuesThanTheMemberHoldsIsRefusedBeforeAllocating) {
  testing::TempDir dir;
  const Bytes pixels(2 * 48, 7);
  for (const std::string shape : {"(300000000,)", "(18446744073709551,)"}) {
    const fs::path file = dir / "claims.npz";
    testing::write_file(file, stored_zip({{"data.npy", npy("|u1", "(2, 48)", pixels)},
                                          {"labels.npy", npy("<i8", shape, Bytes(16, 1))}}));
    NpzImportOptions o;
    o.files = {file};
    o.out = dir / "cache.h5";
    const std::string message = testing::data_error_message([&] { import_npz(o); });
    EXPECT_TRUE(testing::contains(message, file.string()));
    EXPECT_TRUE(testing::contains(message, "labels.npy"));
    EXPECT_TRUE(testing::contains(message, "claims")) << message;
  }
  // The same file with an honest header imports (the zip writer above is a valid one).
  const fs::path file = dir / "honest.npz";
  Bytes labels;
  for (std::uint8_t v : {1, 2}) put(labels, v, 8);
  testing::write_file(file, stored_zip({{"data.npy", npy("|u1", "(2, 48)", pixels)},
                                        {"labels.npy", npy("<i8", "(2,)", labels)}}));
  NpzImportOptions o;
  o.files = {file};
  o.out = dir / "cache.h5";
  EXPECT_EQ(import_npz(o).written, 2u);
}

// A member whose central-directory sizes exceed the file is refused when the archive opens.
TEST(ZipArchive, MemberClaimingMoreBytesThanTheFileHoldsIsRefused) {
  testing::TempDir dir;
  Bytes zip = stored_zip({{"labels.npy", npy("<i8", "(2,)", Bytes(16, 1))}});
  // Central directory entry: compressed and uncompressed sizes at offsets 20 and 24.
  const std::size_t central = zip.size() - 22 - (46 + 10);
  for (int i = 0; i < 4; ++i) zip[central + 20 + i] = zip[central + 24 + i] = 0x7F;
  testing::write_file(dir / "big.npz", zip);
  const std::string message =
      testing::data_error_message([&] { ZipArchive archive(dir / "big.npz"); });
  EXPECT_TRUE(testing::contains(message, "labels.npy"));
  EXPECT_TRUE(testing::contains(message, "beyond the end"));
}

}  // namespace
}  // namespace gaitsim::datasets
