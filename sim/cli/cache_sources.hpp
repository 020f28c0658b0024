#pragma once
// The options of `gaitsim cache`'s two sources: an image folder (imagenet-folder) and
// downsampled-ImageNet .npz files (npz), each a subcommand of `cache`.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "datasets/cache_build.hpp"

namespace gaitsim {

class CacheSourceOptions {
 public:
  // Adds one subcommand per source to `cache`; returns them.
  std::vector<CLI::App*> attach(CLI::App& cache);
  // The options of the subcommand that was parsed, writing to `out`.
  datasets::CacheSource parsed(const std::string& out);

 private:
  CLI::App* attach_folder(CLI::App& cache);
  CLI::App* attach_npz(CLI::App& cache);

  CLI::App* folder_cmd_ = nullptr;
  datasets::FolderCacheOptions folder_;
  datasets::NpzImportOptions npz_;
  std::vector<std::string> files_;
  std::string class_map_, flat_labels_, on_bad_ = "stop", npz_class_map_;
};

}  // namespace gaitsim
