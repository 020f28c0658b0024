#include "datasets/cache_build.hpp"

namespace gaitsim::datasets {

BuiltCache build_cache(const CacheSource& source, const CacheProgress& progress) {
  if (const auto* folder = std::get_if<FolderCacheOptions>(&source)) {
    const CacheBuildReport report = build_folder_cache(*folder, progress);
    return {report, ImageCache(folder->out).info()};
  }
  const auto& npz = std::get<NpzImportOptions>(source);
  const CacheBuildReport report = import_npz(npz, progress);
  return {report, ImageCache(npz.out).info()};
}

}  // namespace gaitsim::datasets
