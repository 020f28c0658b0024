// `gaitsim cache` and training from the cache it builds, end to end through the program: exit
// codes, messages naming the bad input, nothing overwritten or half-written, resumption.
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/h5_file.hpp"
#include "test_files.hpp"
#include "tests/sim/cli_runner.hpp"
#include "tests/support/dependencies.hpp"

namespace gaitsim {
namespace {

namespace fs = std::filesystem;
using datasets::testing::Bytes;
using datasets::testing::flat_pixels;
using gaitsim::testing::contains;
using gaitsim::testing::run_cli;
using gaitsim::testing::run_command;

// prefix + number + suffix, built with += (GCC 12 warns falsely about "x" + std::to_string(n)).
std::string numbered(const char* prefix, int number, const char* suffix = "") {
  std::string name = prefix;
  name += std::to_string(number);
  name += suffix;
  return name;
}

// `per_class` flat-colour images per class in class folders c0, c1, c2, of varied sizes.
void write_split(const fs::path& root, int per_class) {
  const Bytes colours[3] = {{220, 40, 40}, {40, 200, 60}, {30, 60, 210}};
  for (int c = 0; c < 3; ++c) {
    const fs::path dir = root / numbered("c", c);
    fs::create_directories(dir);
    for (int i = 0; i < per_class; ++i) {
      Bytes colour = colours[c];
      for (auto& v : colour) v = static_cast<std::uint8_t>(v - 7 * i);
      const int w = 9 + 3 * i, h = 8 + 5 * (i % 2);
      if (i % 2 == 0) {
        datasets::testing::write_png(dir / numbered("i", i, ".png"), w, h, 3,
                                     flat_pixels(w, h, colour));
      } else {
        datasets::testing::write_jpeg(dir / numbered("i", i, ".JPEG"), w, h, 3,
                                      flat_pixels(w, h, colour));
      }
    }
  }
}

std::string small_config(const fs::path& dir, const fs::path& data) {
  const fs::path path = dir / "imagenet.yaml";
  std::ofstream(path) << "data:\n  dataset: imagenet\n  path: " << data.string()
                      << "\n  resolution: 8\n"
                      << "network:\n  kind: dense\n  widths: [192, 16, 3]\n"
                      << "  output_activation: linear\n"
                      << "learning:\n  algorithm: bp\n  loss: cross_entropy\n  batch_size: 4\n"
                      << "  epochs: 2\n  learning_rate: 1e-2\n"
                      << "output:\n  progress: false\n  align_every: 2\n  checkpoint_every: 2\n";
  return path.string();
}

class CacheCli : public ::testing::Test {
 protected:
  // data/train.h5 (12 images) and data/test.h5 (6 images) at 8 x 8.
  void build_caches() {
    write_split(dir_ / "src/train", 4);
    write_split(dir_ / "src/val", 2);
    fs::create_directories(dir_ / "data");
    for (const auto& [split, file] : {std::pair{"train", "train.h5"}, {"val", "test.h5"}}) {
      const auto r = run_cli("cache imagenet-folder " + (dir_ / "src" / split).string() +
                             " --out " + (dir_ / "data" / file).string() + " --size 8");
      ASSERT_EQ(r.exit_code, 0) << r.output;
      EXPECT_TRUE(contains(r.output, "wrote " + (dir_ / "data" / file).string())) << r.output;
    }
  }

  datasets::testing::TempDir dir_;
};

TEST_F(CacheCli, BuildsACacheAndTrainsFromIt) {
  build_caches();
  const auto again = run_cli("cache imagenet-folder " + (dir_ / "src/train").string() + " --out " +
                             (dir_ / "data/train.h5").string() + " --size 8");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.output, "already exists; use --force")) << again.output;

  const std::string cfg = small_config(dir_.path(), dir_ / "data");
  const std::string out = (dir_ / "run").string();
  const auto trained = run_cli("train " + cfg + " --out " + out);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_TRUE(contains(trained.output, "on imagenet (12 train, 6 test examples)"))
      << trained.output;
  EXPECT_TRUE(contains(trained.output, "epoch 2/2")) << trained.output;
  h5::File run = h5::File::open_read(out + "/run.h5");
  EXPECT_EQ(run.attr_string("/", "status"), "complete");
  EXPECT_EQ(run.attr_int("/weights", "input_width"), 192);
  EXPECT_EQ(run.attr_int("/weights", "classes"), 3);
  EXPECT_EQ(run.read_vector<double>("/metrics/test_accuracy").size(), 2u);

  // Streamed batches are the same on resumption: stopping and resuming changes nothing.
  const std::string parts = (dir_ / "parts").string();
  ASSERT_EQ(run_cli("train " + cfg + " --out " + parts + " --max-steps 5").exit_code, 0);
  const auto resumed = run_cli("train " + cfg + " --out " + parts + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  h5::File whole = h5::File::open_read(out + "/run.h5");
  h5::File split = h5::File::open_read(parts + "/run.h5");
  for (const char* w : {"/weights/1/W", "/weights/2/W", "/weights/2/b"}) {
    EXPECT_EQ(whole.read_matrix<double>(w), split.read_matrix<double>(w)) << w;
  }
  EXPECT_EQ(whole.read_vector<double>("/metrics/train_loss"),
            split.read_vector<double>("/metrics/train_loss"));
}

TEST_F(CacheCli, CacheOfAnotherResolutionIsRefused) {
  build_caches();
  const std::string cfg = small_config(dir_.path(), dir_ / "data");
  const auto r =
      run_cli("train " + cfg + " --out " + (dir_ / "run").string() + " --set data.resolution=16");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, (dir_ / "data/train.h5").string())) << r.output;
  EXPECT_TRUE(contains(r.output, "holds 8x8 images but data.resolution = 16")) << r.output;
  EXPECT_TRUE(contains(r.output, "--size 16")) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "run/run.h5"));
}

TEST_F(CacheCli, CacheFileFollowsTheDocumentedFormat) {
  GAITSIM_REQUIRE_DEPENDENCY(gaitsim::testing::python_has("h5py"), "python3-h5py not installed");
  build_caches();
  // An independent reader (h5py) sees the layout docs/file-formats.md describes.
  const fs::path script = dir_ / "check.py";
  std::ofstream(script)
      << "import h5py, numpy as np, sys\n"
         "f = h5py.File(sys.argv[1], 'r')\n"
         "a = f.attrs\n"
         "assert a['format'] == 'gaitsim-image-cache' and a['format_version'] == 1\n"
         "assert (a['channels'], a['height'], a['width'], a['resolution']) == (3, 8, 8, 8)\n"
         "assert a['count'] == 12 and a['classes'] == 3 and a['skipped'] == 0\n"
         "im = f['images']\n"
         "assert im.shape == (12, 3, 8, 8) and im.dtype == np.uint8, im\n"
         "assert f['labels'].dtype == np.int32 and list(f['labels'][:3]) == [0, 1, 2]\n"
         "assert [s.decode() if isinstance(s, bytes) else s for s in f['class_names'][()]] == "
         "['c0', 'c1', 'c2']\n"
         "assert list(f['class_counts'][()]) == [4, 4, 4]\n"
         "x = im[()].astype(np.float64) / 255\n"
         "assert np.allclose(f['mean'][()], x.mean(axis=(0, 2, 3)))\n"
         "assert np.allclose(f['std'][()], x.std(axis=(0, 2, 3)))\n"
         "assert abs(int(im[1, 1, 0, 0]) - 200) <= 2  # class c1's first image, green\n"
         "print('format ok')\n";
  const auto r =
      run_command("/usr/bin/python3 " + script.string() + " " + (dir_ / "data/train.h5").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "format ok")) << r.output;
}

TEST_F(CacheCli, BadImagesStopOrAreSkippedAndListed) {
  write_split(dir_ / "src", 2);
  datasets::testing::write_file(dir_ / "src/c1/zz.JPEG", {0xFF, 0xD8, 0xFF, 1, 2});
  const std::string base = "cache imagenet-folder " + (dir_ / "src").string() + " --size 8 --out ";
  const auto stopped = run_cli(base + (dir_ / "a.h5").string());
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_TRUE(contains(stopped.output, (dir_ / "src/c1/zz.JPEG").string())) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "--on-bad-image skip")) << stopped.output;
  EXPECT_FALSE(fs::exists(dir_ / "a.h5"));

  const auto skipped = run_cli(base + (dir_ / "a.h5").string() + " --on-bad-image skip");
  EXPECT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_TRUE(contains(skipped.output, "6 images of 3x8x8 in 3 classes")) << skipped.output;
  EXPECT_TRUE(contains(skipped.output, "1 image could not be decoded and was left out"))
      << skipped.output;
  std::ifstream list(dir_ / "a.skipped.txt");
  std::string line;
  std::getline(list, line);
  EXPECT_TRUE(contains(line, (dir_ / "src/c1/zz.JPEG").string())) << line;

  fs::create_directories(dir_ / "src/c3");
  const auto empty = run_cli(base + (dir_ / "b.h5").string());
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_TRUE(contains(empty.output, (dir_ / "src/c3").string() + ": class folder holds no images"))
      << empty.output;
  EXPECT_FALSE(fs::exists(dir_ / "b.h5"));
}

TEST_F(CacheCli, ImportsNpzFiles) {
  GAITSIM_REQUIRE_DEPENDENCY(gaitsim::testing::python_has("numpy"),
                             "/usr/bin/python3 with numpy is needed to write .npz files");
  const fs::path npz = dir_ / "train_data_batch_1.npz";
  const auto made =
      run_command("/usr/bin/python3 -c \"import numpy as np; np.savez('" + npz.string() +
                  "', data=np.arange(4 * 3072, dtype=np.int64).reshape(4, 3072).astype(np.uint8), "
                  "labels=[1, 2, 3, 1])\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto r = run_cli("cache npz " + npz.string() + " --out " + (dir_ / "train.h5").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "4 images of 3x32x32 in 3 classes")) << r.output;
  const auto bad =
      run_cli("cache npz " + (dir_ / "train.h5").string() + " --out " + (dir_ / "x.h5").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(contains(bad.output, "not a zip file")) << bad.output;
}

TEST_F(CacheCli, CifarFileOfTheWrongSizeIsNamed) {
  fs::create_directories(dir_ / "cifar");
  for (const char* name : {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                           "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}) {
    datasets::testing::write_file(dir_ / "cifar" / name, Bytes(3073, 1));
  }
  datasets::testing::write_file(dir_ / "cifar/data_batch_4.bin", Bytes(3073 * 2 - 100, 1));
  const fs::path cfg = dir_ / "cifar.yaml";
  std::ofstream(cfg) << "data:\n  dataset: cifar10\n  path: " << (dir_ / "cifar").string()
                     << "\nnetwork:\n  kind: dense\n  widths: [3072, 10]\n";
  const auto r = run_cli("train " + cfg.string() + " --out " + (dir_ / "run").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.output, (dir_ / "cifar/data_batch_4.bin").string())) << r.output;
  EXPECT_TRUE(contains(r.output, "size 6046 bytes is not a multiple of 3073")) << r.output;
}

TEST_F(CacheCli, HelpDescribesBothSources) {
  const auto r = run_cli("cache --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"imagenet-folder", "npz", "data.dataset: imagenet"}) {
    EXPECT_TRUE(contains(r.output, word)) << word << "\n" << r.output;
  }
  const auto folder = run_cli("cache imagenet-folder --help");
  for (const char* opt :
       {"--size", "--classes", "--labels", "--on-bad-image", "--force", "--out"}) {
    EXPECT_TRUE(contains(folder.output, opt)) << opt;
  }
}

}  // namespace
}  // namespace gaitsim
