// `gaitsim cache`: builds the HDF5 image cache that `data.dataset: imagenet` trains from, from an
// ImageNet-style image folder or from downsampled-ImageNet .npz files (datasets/cache_build.hpp).
#include <filesystem>
#include <optional>

#include "datasets/cache_build.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"
#include "sim/cli/progress_bar.hpp"

namespace gaitsim {

namespace {

namespace fs = std::filesystem;

class CacheCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "cache",
        "build the HDF5 image cache that data.dataset: imagenet reads (docs/file-formats.md)");
    cmd->require_subcommand(1);
    for (CLI::App* sub : {attach_folder(*cmd), attach_npz(*cmd)}) {
      sub->add_option("--out", out_, "the cache file to write, e.g. data/imagenet/train.h5")
          ->required();
      sub->add_flag("--force", force_, "replace an existing cache file");
    }
    cmd->footer(
        "Train from a folder holding train.h5 and test.h5: data.dataset: imagenet, data.path:\n"
        "that folder. Exit codes: 0 done, 1 bad data, 2 bad usage (e.g. OUT exists).");
    return cmd;
  }

  int run() override {
    if (fs::exists(out_) && !force_) {
      throw ConfigError(out_ + " already exists; use --force to replace it");
    }
    std::optional<ProgressBar> bar;
    const auto progress = [&bar](std::size_t done, std::size_t total) {
      if (!bar) bar.emplace("caching", static_cast<long long>(total), true);
      bar->update(static_cast<long long>(done), "images");
    };
    const datasets::BuiltCache built = datasets::build_cache(source(), progress);
    if (bar) bar->finish();
    print(built);
    return kOk;
  }

 private:
  CLI::App* attach_folder(CLI::App& cache) {
    folder_cmd_ = cache.add_subcommand(
        "imagenet-folder",
        "decode, resize and cache one split of an image folder (ILSVRC layout: SRC/<wnid>/*.JPEG)");
    folder_cmd_->add_option("SRC", folder_.source,
                    "the split's folder: class subfolders (train/), or flat with --labels (val/)")
        ->required()
        ->check(CLI::ExistingDirectory);
    folder_cmd_->add_option("--size", folder_.size, "side of the square cached images [pixels]")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    folder_cmd_->add_option("--classes", class_map_,
                    "class map, \"wnid index\" per line (0- or 1-based, e.g. map_clsloc.txt); "
                    "default: the sorted subfolder names")
        ->check(CLI::ExistingFile);
    folder_cmd_->add_option("--labels", flat_labels_,
                    "for a flat folder: \"file wnid\" per line, e.g. for ILSVRC2012 val/")
        ->check(CLI::ExistingFile);
    folder_cmd_->add_option("--on-bad-image", on_bad_,
                    "an image that does not decode: stop (nothing written) or skip (left out, "
                    "listed in OUT_STEM.skipped.txt)")
        ->check(CLI::IsMember({"stop", "skip"}))
        ->capture_default_str();
    folder_cmd_->add_option("--threads", folder_.threads, "decoding threads (default: all cores)")
        ->check(integer_at_least(1));
    return folder_cmd_;
  }

  CLI::App* attach_npz(CLI::App& cache) {
    auto* cmd = cache.add_subcommand(
        "npz",
        "import downsampled-ImageNet .npz files (Imagenet32/64: data N x 3*S*S uint8, "
        "labels 1..K) without resizing");
    cmd->add_option("FILES", files_, "the .npz files of one split, imported in the order given")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--classes", npz_class_map_,
                    "class names, \"wnid index\" per line (map_clsloc.txt): label v is index v")
        ->check(CLI::ExistingFile);
    cmd->add_option("--num-classes", npz_.classes,
                    "number of classes K without --classes (default: the largest label)")
        ->check(integer_at_least(1));
    return cmd;
  }

  // The parsed subcommand's options.
  datasets::CacheSource source() {
    if (folder_cmd_->parsed()) {
      folder_.out = out_;
      if (!class_map_.empty()) folder_.labels.class_map = class_map_;
      if (!flat_labels_.empty()) folder_.labels.flat_labels = flat_labels_;
      folder_.on_bad_image =
          on_bad_ == "skip" ? datasets::BadImagePolicy::kSkip : datasets::BadImagePolicy::kStop;
      return folder_;
    }
    npz_.out = out_;
    npz_.files.assign(files_.begin(), files_.end());
    if (!npz_class_map_.empty()) npz_.class_map = npz_class_map_;
    return npz_;
  }

  void print(const datasets::BuiltCache& built) const {
    const auto& r = built.report;
    const auto& info = built.info;
    std::printf("wrote %s: %zu images of %dx%dx%d in %zu classes\n", out_.c_str(), r.written,
                r.shape[0], r.shape[1], r.shape[2], r.classes);
    std::printf("per-channel mean %.4f %.4f %.4f, std %.4f %.4f %.4f (of pixel/255)\n",
                info.mean[0], info.mean[1], info.mean[2], info.stddev[0], info.stddev[1],
                info.stddev[2]);
    if (r.ignored > 0) std::printf("%zu files without an image extension ignored\n", r.ignored);
    if (r.skipped > 0) {
      std::fprintf(stderr, "warning: %zu image%s could not be decoded and %s left out; see %s\n",
                   r.skipped, r.skipped == 1 ? "" : "s", r.skipped == 1 ? "was" : "were",
                   r.skipped_list.c_str());
    }
  }

  CLI::App* folder_cmd_ = nullptr;
  datasets::FolderCacheOptions folder_;
  datasets::NpzImportOptions npz_;
  std::vector<std::string> files_;
  std::string out_, class_map_, flat_labels_, on_bad_ = "stop", npz_class_map_;
  bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_cache_command() { return std::make_unique<CacheCommand>(); }

}  // namespace gaitsim
