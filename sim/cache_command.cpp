// `gaitsim cache`: builds the HDF5 image cache that `data.dataset: imagenet` trains from, from an
// ImageNet-style image folder or from downsampled-ImageNet .npz files.
#include <filesystem>
#include <iostream>
#include <optional>

#include "datasets/folder_cache.hpp"
#include "datasets/image_cache.hpp"
#include "datasets/npz_import.hpp"
#include "sim/command.hpp"
#include "sim/progress_bar.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace {

namespace fs = std::filesystem;

// One way of building a cache: its subcommand of `gaitsim cache` and the build itself.
class CacheKind {
 public:
  virtual ~CacheKind() = default;
  virtual CLI::App* attach(CLI::App& cache) = 0;
  virtual datasets::CacheBuildReport build(const fs::path& out,
                                           const datasets::CacheProgress& progress) = 0;
};

class FolderKind : public CacheKind {
 public:
  CLI::App* attach(CLI::App& cache) override {
    auto* cmd = cache.add_subcommand(
        "imagenet-folder",
        "decode, resize and cache one split of an image folder (ILSVRC layout: SRC/<wnid>/*.JPEG)");
    cmd->add_option("SRC", options_.source,
                    "the split's folder: class subfolders (train/), or flat with --labels (val/)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--size", options_.size, "side of the square cached images [pixels]")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    cmd->add_option("--classes", class_map_,
                    "class map, \"wnid index\" per line (0- or 1-based, e.g. map_clsloc.txt); "
                    "default: the sorted subfolder names")
        ->check(CLI::ExistingFile);
    cmd->add_option("--labels", flat_labels_,
                    "for a flat folder: \"file wnid\" per line, e.g. for ILSVRC2012 val/")
        ->check(CLI::ExistingFile);
    cmd->add_option("--on-bad-image", on_bad_,
                    "an image that does not decode: stop (nothing written) or skip (left out, "
                    "listed in OUT_STEM.skipped.txt)")
        ->check(CLI::IsMember({"stop", "skip"}))
        ->capture_default_str();
    cmd->add_option("--threads", options_.threads, "decoding threads (default: all cores)")
        ->check(integer_at_least(1));
    return cmd;
  }

  datasets::CacheBuildReport build(const fs::path& out,
                                   const datasets::CacheProgress& progress) override {
    options_.out = out;
    if (!class_map_.empty()) options_.labels.class_map = class_map_;
    if (!flat_labels_.empty()) options_.labels.flat_labels = flat_labels_;
    options_.on_bad_image =
        on_bad_ == "skip" ? datasets::BadImagePolicy::kSkip : datasets::BadImagePolicy::kStop;
    return datasets::build_folder_cache(options_, progress);
  }

 private:
  datasets::FolderCacheOptions options_;
  std::string class_map_, flat_labels_, on_bad_ = "stop";
};

class NpzKind : public CacheKind {
 public:
  CLI::App* attach(CLI::App& cache) override {
    auto* cmd = cache.add_subcommand(
        "npz",
        "import downsampled-ImageNet .npz files (Imagenet32/64: data N x 3*S*S uint8, "
        "labels 1..K) without resizing");
    cmd->add_option("FILES", files_, "the .npz files of one split, imported in the order given")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--classes", class_map_,
                    "class names, \"wnid index\" per line (map_clsloc.txt): label v is index v")
        ->check(CLI::ExistingFile);
    cmd->add_option("--num-classes", options_.classes,
                    "number of classes K without --classes (default: the largest label)")
        ->check(integer_at_least(1));
    return cmd;
  }

  datasets::CacheBuildReport build(const fs::path& out,
                                   const datasets::CacheProgress& progress) override {
    options_.out = out;
    options_.files.assign(files_.begin(), files_.end());
    if (!class_map_.empty()) options_.class_map = class_map_;
    return datasets::import_npz(options_, progress);
  }

 private:
  datasets::NpzImportOptions options_;
  std::vector<std::string> files_;
  std::string class_map_;
};

void print_report(const fs::path& out, const datasets::CacheBuildReport& r) {
  const datasets::ImageCache cache(out);
  const auto& info = cache.info();
  std::printf("wrote %s: %zu images of %dx%dx%d in %zu classes\n", out.c_str(), r.written,
              r.shape[0], r.shape[1], r.shape[2], r.classes);
  std::printf("per-channel mean %.4f %.4f %.4f, std %.4f %.4f %.4f (of pixel/255)\n", info.mean[0],
              info.mean[1], info.mean[2], info.stddev[0], info.stddev[1], info.stddev[2]);
  if (r.ignored > 0) std::printf("%zu files without an image extension ignored\n", r.ignored);
  if (r.skipped > 0) {
    std::fprintf(stderr, "warning: %zu image%s could not be decoded and %s left out; see %s\n",
                 r.skipped, r.skipped == 1 ? "" : "s", r.skipped == 1 ? "was" : "were",
                 r.skipped_list.c_str());
  }
}

class CacheCommand : public Command {
 public:
  CacheCommand() {
    kinds_.push_back(std::make_unique<FolderKind>());
    kinds_.push_back(std::make_unique<NpzKind>());
  }

  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "cache",
        "build the HDF5 image cache that data.dataset: imagenet reads (docs/file-formats.md)");
    cmd->require_subcommand(1);
    for (const auto& kind : kinds_) {
      CLI::App* sub = kind->attach(*cmd);
      sub->add_option("--out", out_, "the cache file to write, e.g. data/imagenet/train.h5")
          ->required();
      sub->add_flag("--force", force_, "replace an existing cache file");
      subcommands_.push_back(sub);
    }
    cmd->footer(
        "Train from a folder holding train.h5 and test.h5: data.dataset: imagenet, data.path:\n"
        "that folder. Exit codes: 0 done, 1 bad data, 2 bad usage (e.g. OUT exists).");
    return cmd;
  }

  int run() override {
    const fs::path out = out_;
    if (fs::exists(out) && !force_) {
      throw ConfigError(out.string() + " already exists; use --force to replace it");
    }
    for (std::size_t i = 0; i < kinds_.size(); ++i) {
      if (!subcommands_[i]->parsed()) continue;
      std::optional<ProgressBar> bar;
      const auto progress = [&bar](std::size_t done, std::size_t total) {
        if (!bar) bar.emplace("caching", static_cast<long long>(total), true);
        bar->update(static_cast<long long>(done), "images");
      };
      const datasets::CacheBuildReport report = kinds_[i]->build(out, progress);
      if (bar) bar->finish();
      print_report(out, report);
      return kOk;
    }
    return kUsage;
  }

 private:
  std::vector<std::unique_ptr<CacheKind>> kinds_;
  std::vector<CLI::App*> subcommands_;
  std::string out_;
  bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_cache_command() { return std::make_unique<CacheCommand>(); }

}  // namespace gaitsim
