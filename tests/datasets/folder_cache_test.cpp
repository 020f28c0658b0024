// Building an image cache from an ImageNet-style folder of JPEG and PNG files of mixed sizes,
// grey and colour, with undecodable files among them; reading it back.
#include "datasets/folder_cache.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numeric>

#include "datasets/image_cache.hpp"
#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;
using testing::flat_pixels;

constexpr int kSize = 8;
const Bytes kRed = {200, 30, 60};
const Bytes kGrey = {90, 90, 90};
const Bytes kGreen = {0, 100, 0};

// Three classes. n001: flat red JPEG 40x24, PNG 13x17 and PNG 5x6 (enlarged), a corrupt JPEG.
// n002: grey JPEG 30x30 and grey PNG 20x11, a text file named .png. n003: a 32x16 PNG whose
// centre is green, an opaque RGBA PNG, 16x16 grey stripes 0/100 (average 50), a readme.txt.
void write_sample_folder(const fs::path& root) {
  for (const char* c : {"n001", "n002", "n003"}) fs::create_directories(root / c);
  testing::write_jpeg(root / "n001/a.JPEG", 40, 24, 3, flat_pixels(40, 24, kRed));
  testing::write_png(root / "n001/b.png", 13, 17, 3, flat_pixels(13, 17, kRed));
  testing::write_png(root / "n001/c.png", 5, 6, 3, flat_pixels(5, 6, kRed));
  testing::write_file(root / "n001/broken.JPEG", {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5});
  testing::write_jpeg(root / "n002/g.JPEG", 30, 30, 1, flat_pixels(30, 30, {90}));
  testing::write_png(root / "n002/h.png", 20, 11, 1, flat_pixels(20, 11, {90}));
  testing::write_file(root / "n002/notimage.png", {'t', 'e', 'x', 't'});
  Bytes crop;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 32; ++x) {
      const Bytes& p = x < 8 || x >= 24 ? kRed : kGreen;
      crop.insert(crop.end(), p.begin(), p.end());
    }
  }
  testing::write_png(root / "n003/crop.png", 32, 16, 3, crop);
  testing::write_png(root / "n003/rgba.png", 9, 12, 4, flat_pixels(9, 12, {0, 100, 0, 255}));
  Bytes stripes;
  for (int i = 0; i < 16 * 16; ++i) stripes.push_back(i % 2 == 0 ? 0 : 100);
  testing::write_png(root / "n003/stripes.png", 16, 16, 1, stripes);
  testing::write_file(root / "n003/readme.txt", {'h', 'i'});
}

struct Expected {
  int label;
  Bytes colour;
  int tolerance;  // JPEG is lossy
};

// Interleaved class by class, files in name order, the two bad files left out.
const std::vector<Expected> kExpected = {
    {0, kRed, 2},  {1, kGrey, 1},  {2, kGreen, 0},       {0, kRed, 0},
    {1, kGrey, 0}, {2, kGreen, 0}, {2, {50, 50, 50}, 0}, {0, kRed, 0},
};

class FolderCacheTest : public ::testing::Test {
 protected:
  void SetUp() override { write_sample_folder(dir_ / "train"); }

  FolderCacheOptions options(BadImagePolicy policy = BadImagePolicy::kSkip) const {
    FolderCacheOptions o;
    o.source = dir_ / "train";
    o.out = dir_ / "train.h5";
    o.size = kSize;
    o.on_bad_image = policy;
    o.threads = 2;
    return o;
  }

  bool only_sources_in_dir() const {
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().filename() != "train") return false;
    }
    return true;
  }

  testing::TempDir dir_;
};

TEST_F(FolderCacheTest, RoundTripKeepsPixelsLabelsAndStatistics) {
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  const CacheBuildReport report = build_folder_cache(
      options(), [&](std::size_t done, std::size_t total) { calls.emplace_back(done, total); });
  EXPECT_EQ(report.written, 8u);
  EXPECT_EQ(report.skipped, 2u);
  EXPECT_EQ(report.ignored, 1u);
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), (std::pair<std::size_t, std::size_t>{10, 10}));

  std::ifstream list(report.skipped_list);
  std::string text((std::istreambuf_iterator<char>(list)), {});
  EXPECT_EQ(report.skipped_list, dir_ / "train.skipped.txt");
  EXPECT_TRUE(testing::contains(text, (dir_ / "train/n001/broken.JPEG").string()));
  EXPECT_TRUE(testing::contains(text, (dir_ / "train/n002/notimage.png").string()));

  const ImageCache cache(dir_ / "train.h5");
  const ImageCacheInfo& info = cache.info();
  EXPECT_EQ(info.count, 8u);
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.height, kSize);
  EXPECT_EQ(info.width, kSize);
  EXPECT_EQ(info.class_names, (std::vector<std::string>{"n001", "n002", "n003"}));
  EXPECT_EQ(info.class_counts, (std::vector<std::int64_t>{3, 2, 3}));
  EXPECT_EQ(info.skipped, 2u);
  EXPECT_EQ(info.source, fs::absolute(dir_ / "train").string());
  EXPECT_TRUE(testing::contains(info.resize, "centre crop 8x8"));

  std::vector<Eigen::Index> rows(8);
  std::iota(rows.begin(), rows.end(), Eigen::Index(0));
  Bytes pixels(8 * info.image_bytes());
  cache.read(rows, pixels.data());
  const int plane = kSize * kSize;
  std::vector<double> sum(3, 0.0), sum2(3, 0.0);
  for (std::size_t i = 0; i < kExpected.size(); ++i) {
    EXPECT_EQ(cache.labels()[i], kExpected[i].label) << "image " << i;
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < plane; ++k) {
        const int v = pixels[i * info.image_bytes() + c * plane + k];
        EXPECT_NEAR(v, kExpected[i].colour[c], kExpected[i].tolerance)
            << "image " << i << " channel " << c << " pixel " << k;
        sum[c] += v / 255.0;
        sum2[c] += (v / 255.0) * (v / 255.0);
      }
    }
  }
  const double n = 8.0 * plane;
  for (int c = 0; c < 3; ++c) {
    const double mean = sum[c] / n;
    EXPECT_NEAR(info.mean[c], mean, 1e-12) << c;
    EXPECT_NEAR(info.stddev[c], std::sqrt(sum2[c] / n - mean * mean), 1e-9) << c;
  }
  // Reading in any order gives the same images.
  const std::vector<Eigen::Index> shuffled = {6, 1, 7, 2, 2, 0};
  Bytes some(shuffled.size() * info.image_bytes());
  cache.read(shuffled, some.data());
  for (std::size_t i = 0; i < shuffled.size(); ++i) {
    EXPECT_TRUE(std::equal(some.begin() + i * info.image_bytes(),
                           some.begin() + (i + 1) * info.image_bytes(),
                           pixels.begin() + shuffled[i] * info.image_bytes()));
  }
}

TEST_F(FolderCacheTest, StopPolicyNamesTheBadImageAndWritesNothing) {
  const std::string message =
      testing::data_error_message([&] { build_folder_cache(options(BadImagePolicy::kStop)); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "train/n001/broken.JPEG").string()));
  EXPECT_TRUE(testing::contains(message, "--on-bad-image skip"));
  EXPECT_TRUE(only_sources_in_dir()) << "a cache, list or temporary file was left behind";
}

TEST_F(FolderCacheTest, AFailedRebuildKeepsTheOldCacheAndLeavesNoTemporaryFile) {
  build_folder_cache(options());
  const auto before = fs::last_write_time(dir_ / "train.h5");
  // Fails at the fourth image, after the new cache has been started.
  EXPECT_FALSE(testing::data_error_message([&] {
                 build_folder_cache(options(BadImagePolicy::kStop));
               }).empty());
  EXPECT_EQ(fs::last_write_time(dir_ / "train.h5"), before);
  EXPECT_EQ(ImageCache(dir_ / "train.h5").info().count, 8u);
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST_F(FolderCacheTest, EmptyClassFolderIsNamed) {
  fs::create_directories(dir_ / "train/n000");
  const std::string message = testing::data_error_message([&] { build_folder_cache(options()); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "train/n000").string()));
  EXPECT_TRUE(testing::contains(message, "holds no images"));
  EXPECT_TRUE(only_sources_in_dir());
}

TEST_F(FolderCacheTest, ClassWithoutADecodableImageIsAnError) {
  fs::create_directories(dir_ / "train/n004");
  testing::write_file(dir_ / "train/n004/x.JPEG", {'n', 'o'});
  const std::string message = testing::data_error_message([&] { build_folder_cache(options()); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "train/n004").string()));
  EXPECT_TRUE(testing::contains(message, "none of the images of class n004"));
  EXPECT_TRUE(only_sources_in_dir());
}

TEST_F(FolderCacheTest, ClassMapSetsTheLabels) {
  // 1-based like map_clsloc.txt, with a description column and a class without a folder.
  testing::write_file(dir_ / "map.txt", {});
  std::ofstream(dir_ / "map.txt") << "# wnid index name\nn003 1 stripes\nn009 2 absent\n"
                                  << "n001 3 red\nn002 4 grey\n";
  FolderCacheOptions o = options();
  o.labels.class_map = dir_ / "map.txt";
  build_folder_cache(o);
  const ImageCache cache(dir_ / "train.h5");
  EXPECT_EQ(cache.info().class_names, (std::vector<std::string>{"n003", "n009", "n001", "n002"}));
  EXPECT_EQ(cache.info().class_counts, (std::vector<std::int64_t>{3, 0, 3, 2}));
  EXPECT_EQ(cache.labels(), (std::vector<std::int32_t>{0, 2, 3, 0, 2, 3, 0, 2}));

  std::ofstream(dir_ / "small.txt") << "n001 0\nn002 1\n";
  o.labels.class_map = dir_ / "small.txt";
  const std::string message = testing::data_error_message([&] { build_folder_cache(o); });
  EXPECT_TRUE(testing::contains(message, "class folder n003 is not in the class map"));

  std::ofstream(dir_ / "gap.txt") << "n001 0\nn002 2\nn003 3\n";
  o.labels.class_map = dir_ / "gap.txt";
  EXPECT_TRUE(testing::contains(testing::data_error_message([&] { build_folder_cache(o); }),
                                "without gaps"));
}

TEST_F(FolderCacheTest, FlatFolderTakesLabelsFromAFile) {
  const fs::path val = dir_ / "val";
  fs::create_directories(val);
  testing::write_png(val / "v1.png", 10, 10, 3, flat_pixels(10, 10, kGreen));
  testing::write_jpeg(val / "v2.JPEG", 12, 9, 1, flat_pixels(12, 9, {90}));
  testing::write_png(val / "v3.png", 8, 8, 3, flat_pixels(8, 8, kRed));
  std::ofstream(dir_ / "val.txt") << "v1.png n003\nv2.JPEG n002\nv3.png n001\n";
  std::ofstream(dir_ / "map.txt") << "n001 0\nn002 1\nn003 2\n";
  FolderCacheOptions o = options();
  o.source = val;
  o.out = dir_ / "test.h5";
  o.labels = {dir_ / "map.txt", dir_ / "val.txt"};
  build_folder_cache(o);
  const ImageCache cache(dir_ / "test.h5");
  EXPECT_EQ(cache.labels(), (std::vector<std::int32_t>{0, 1, 2}));
  Bytes first(cache.info().image_bytes());
  cache.read(std::vector<Eigen::Index>{0}, first.data());
  EXPECT_EQ(first[0], 200);

  o.labels.flat_labels.reset();
  EXPECT_TRUE(testing::contains(testing::data_error_message([&] { build_folder_cache(o); }),
                                "needs a label file"));
  std::ofstream(dir_ / "val.txt", std::ios::app) << "v4.png n001\n";
  o.labels.flat_labels = dir_ / "val.txt";
  EXPECT_TRUE(testing::contains(testing::data_error_message([&] { build_folder_cache(o); }),
                                (val / "v4.png").string()));
}

TEST_F(FolderCacheTest, MissingFolderIsNamed) {
  FolderCacheOptions o = options();
  o.source = dir_ / "nowhere";
  EXPECT_TRUE(testing::contains(testing::data_error_message([&] { build_folder_cache(o); }),
                                (dir_ / "nowhere").string()));
}

}  // namespace
}  // namespace gaitsim::datasets
