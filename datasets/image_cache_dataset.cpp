#include "datasets/image_cache_dataset.hpp"

#include "datasets/cache_source.hpp"
#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<const ImageCache> open_split(const fs::path& dir, const char* name) {
  const fs::path file = dir / (std::string(name) + ".h5");
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw DataError(file, std::string("image cache not found; build it with e.g. `gaitsim cache "
                                      "imagenet-folder ILSVRC/") +
                              (name == std::string("train") ? "train" : "val") + " --out " +
                              file.string() + " --size 64` (docs/file-formats.md)");
  }
  return std::make_shared<const ImageCache>(file);
}

std::string size_text(const ImageCacheInfo& info) {
  return std::to_string(info.channels) + "x" + std::to_string(info.height) + "x" +
         std::to_string(info.width);
}

void check_same_kind(const ImageCacheInfo& train, const ImageCacheInfo& test) {
  if (test.channels != train.channels || test.height != train.height || test.width != train.width) {
    throw DataError(test.file, "holds images of " + size_text(test) + " but " +
                                   train.file.string() + " holds " + size_text(train) +
                                   "; build both splits at the same size");
  }
  if (test.class_names != train.class_names) {
    throw DataError(test.file, "has " + std::to_string(test.class_names.size()) +
                                   " classes that differ from the " +
                                   std::to_string(train.class_names.size()) + " of " +
                                   train.file.string() +
                                   " (names or order); build both with the same class map "
                                   "(--classes FILE)");
  }
}

}  // namespace

SourceSplit open_image_cache_dir(const fs::path& dir, std::size_t train_limit,
                                 std::size_t test_limit) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw DataError(dir,
                    "dataset folder not found (expected a folder with train.h5 and test.h5 "
                    "image caches)");
  }
  const auto train = open_split(dir, "train");
  const auto test = open_split(dir, "test");
  check_same_kind(train->info(), test->info());
  const ChannelStats stats = channel_stats(*train);
  return {std::make_unique<CacheSource>(train, train_limit, stats),
          std::make_unique<CacheSource>(test, test_limit, stats)};
}

DataSplit load_image_cache_dir(const fs::path& dir, std::size_t train_limit,
                               std::size_t test_limit) {
  const SourceSplit split = open_image_cache_dir(dir, train_limit, test_limit);
  return {read_all(*split.train), read_all(*split.test)};
}

}  // namespace gaitsim::datasets
