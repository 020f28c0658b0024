#include "datasets/dataset_registry.hpp"

#include <array>
#include <functional>
#include <map>

#include "datasets/cifar10_reader.hpp"
#include "datasets/idx_reader.hpp"
#include "datasets/image_cache_dataset.hpp"

namespace gaitsim::datasets {
namespace {

using Loader = std::function<DataSplit(const std::filesystem::path&, std::size_t, std::size_t)>;
using Opener = std::function<SourceSplit(const std::filesystem::path&, std::size_t, std::size_t)>;

// How a dataset is read: all at once into memory, and as a source of batches. Small datasets
// leave `open` empty and are served from memory; large ones stream from disk.
struct DatasetKind {
  Loader load;
  Opener open;
};

// The one place to add a dataset. The MNIST look-alikes share the IDX format and file names.
const std::map<std::string, DatasetKind>& registry() {
  static const std::map<std::string, DatasetKind> kinds = {
      {"mnist", {load_idx_dir, {}}},
      {"fashion-mnist", {load_idx_dir, {}}},
      {"kmnist", {load_idx_dir, {}}},
      {"idx", {load_idx_dir, {}}},
      {"cifar10", {load_cifar10_dir, {}}},
      {"imagenet", {load_image_cache_dir, open_image_cache_dir}},
  };
  return kinds;
}

const DatasetKind& kind_of(const std::string& name, const std::filesystem::path& dir) {
  const auto it = registry().find(name);
  if (it == registry().end()) {
    std::string valid;
    for (const std::string& n : dataset_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw DataError(dir, "unknown dataset '" + name + "': expected one of " + valid);
  }
  return it->second;
}

std::filesystem::path resolve_dir(const std::filesystem::path& dir) {
#ifdef GAITSIM_SOURCE_DIR
  if (dir.is_relative() && !std::filesystem::exists(dir)) {
    const std::filesystem::path in_source = std::filesystem::path(GAITSIM_SOURCE_DIR) / dir;
    if (std::filesystem::exists(in_source)) return in_source;
  }
#endif
  return dir;
}

std::string shape_text(const std::array<int, 3>& s) {
  return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}

// Both splits hold examples, of one shape and one set of classes: a network trained on one
// split is evaluated on the other.
void check_splits(const std::filesystem::path& dir, std::size_t train, std::size_t test,
                  const std::array<int, 3>& train_shape, const std::array<int, 3>& test_shape,
                  int train_classes, int test_classes) {
  if (train == 0) throw DataError(dir, "the training split holds 0 examples: expected at least 1");
  if (test == 0) throw DataError(dir, "the test split holds 0 examples: expected at least 1");
  if (train_shape != test_shape) {
    throw DataError(dir, "training examples are " + shape_text(train_shape) +
                             " (channels x height x width) but test examples are " +
                             shape_text(test_shape) + ": expected one size for both splits");
  }
  if (train_classes != test_classes) {
    throw DataError(dir, "the training split has " + std::to_string(train_classes) +
                             " classes but the test split " + std::to_string(test_classes) +
                             ": expected the same classes");
  }
}

}  // namespace

DataSplit load_dataset(const std::string& name, const std::filesystem::path& dir,
                       std::size_t train_limit, std::size_t test_limit) {
  DataSplit data = kind_of(name, dir).load(resolve_dir(dir), train_limit, test_limit);
  check_splits(dir, data.train.size(), data.test.size(), data.train.shape, data.test.shape,
               data.train.classes, data.test.classes);
  return data;
}

SourceSplit open_dataset(const std::string& name, const std::filesystem::path& dir,
                         std::size_t train_limit, std::size_t test_limit) {
  const DatasetKind& kind = kind_of(name, dir);
  const std::filesystem::path resolved = resolve_dir(dir);
  SourceSplit split;
  if (kind.open) {
    split = kind.open(resolved, train_limit, test_limit);
  } else {
    DataSplit data = kind.load(resolved, train_limit, test_limit);
    split = {std::make_unique<MemorySource>(std::move(data.train), resolved),
             std::make_unique<MemorySource>(std::move(data.test), resolved)};
  }
  check_splits(dir, split.train->size(), split.test->size(), split.train->shape(),
               split.test->shape(), split.train->classes(), split.test->classes());
  return split;
}

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

}  // namespace gaitsim::datasets
