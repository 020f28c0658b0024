// `gaitsim cache`: builds the HDF5 image cache that `data.dataset: imagenet` trains from, from an
// ImageNet-style image folder or from downsampled-ImageNet .npz files (datasets/cache_build.hpp).
#include <filesystem>
#include <optional>

#include "datasets/cache_build.hpp"
#include "sim/cli/cache_sources.hpp"
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
    for (CLI::App* sub : sources_.attach(*cmd)) {
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
    const datasets::BuiltCache built = datasets::build_cache(sources_.parsed(out_), progress);
    if (bar) bar->finish();
    print(built);
    return kOk;
  }

 private:
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

  CacheSourceOptions sources_;
  std::string out_;
  bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> make_cache_command() { return std::make_unique<CacheCommand>(); }

}  // namespace gaitsim
