#include "datasets/dataset_registry.hpp"

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

}  // namespace

DataSplit load_dataset(const std::string& name, const std::filesystem::path& dir,
                       std::size_t train_limit, std::size_t test_limit) {
  return kind_of(name, dir).load(resolve_dir(dir), train_limit, test_limit);
}

SourceSplit open_dataset(const std::string& name, const std::filesystem::path& dir,
                         std::size_t train_limit, std::size_t test_limit) {
  const DatasetKind& kind = kind_of(name, dir);
  const std::filesystem::path resolved = resolve_dir(dir);
  if (kind.open) return kind.open(resolved, train_limit, test_limit);
  DataSplit data = kind.load(resolved, train_limit, test_limit);
  return {std::make_unique<MemorySource>(std::move(data.train), resolved),
          std::make_unique<MemorySource>(std::move(data.test), resolved)};
}

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

}  // namespace gaitsim::datasets
