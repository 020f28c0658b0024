// `gaitsim plot FILE --out OUT.png`: renders a view of a run, responses or trajectories file,
// or of a sweep (its folder or summary.h5: accuracy against each swept parameter), without a
// display. gaitsim itself links no Qt: it runs the viewer's offscreen renderer
// (`gaitsim-viewer FILE --screenshot OUT`, with QT_QPA_PLATFORM=offscreen), found next to
// this binary (or in ../gui/ of a build tree, or at $GAITSIM_VIEWER).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "sim/command.hpp"
#include "sim/trainer.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

fs::path find_viewer(std::vector<std::string>& tried) {
  if (const char* env = std::getenv("GAITSIM_VIEWER"); env != nullptr && *env != '\0') {
    tried.emplace_back(env);
    return ::access(env, X_OK) == 0 ? fs::path(env) : fs::path();
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = self.parent_path();
  for (const fs::path& c : {dir / "gaitsim-viewer", dir.parent_path() / "gui" / "gaitsim-viewer"}) {
    tried.push_back(c.string());
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return {};
}

class PlotCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "plot",
        "render a chart of a run file (training curves, weights), a responses file (layer "
        "heatmaps), a trajectories file (settling) or a sweep folder (accuracy against each "
        "swept parameter) to PNG, SVG or PDF, without a display");
    cmd->add_option("FILE", file_,
                    "run.h5, a responses file (gaitsim record), a trajectories "
                    "file (gaitsim settle), or a sweep folder (gaitsim sweep) or "
                    "its summary.h5")
        ->required()
        ->check(CLI::ExistingPath);
    cmd->add_option("--out", out_, "output image: .png, or .svg / .pdf (vector)")->required();
    cmd->add_option("--view", view_,
                    "network (layer heatmaps), settling, training (curves), weights, sweep; "
                    "default: the file's natural view")
        ->check(CLI::IsMember({"network", "settling", "training", "weights", "sweep"}));
    cmd->add_option("--stimulus", stimulus_, "stimulus to draw (network, settling)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--layer", layer_, "layer 1..L (settling)")->check(CLI::PositiveNumber);
    cmd->add_option("--units", units_, "units to draw (settling), e.g. 0-5 or 1,4,9");
    cmd->add_option("--size", size_, "image size WxH in pixels")->default_val("1400x900");
    cmd->add_option("--compare", compare_, "overlay another run file (training; repeatable)")
        ->check(CLI::ExistingFile);
    return cmd;
  }

  int run() override {
    std::vector<std::string> tried;
    const fs::path viewer = find_viewer(tried);
    if (viewer.empty()) {
      std::string where;
      for (const auto& t : tried) where += "\n  " + t;
      std::fprintf(stderr,
                   "gaitsim plot: the renderer gaitsim-viewer was not found (a build configured "
                   "with -DGAITSIM_BUILD_GUI=OFF has none: reconfigure without it and build the "
                   "target gaitsim-viewer, or set GAITSIM_VIEWER). Looked at:%s\n",
                   where.c_str());
      return kFailure;
    }
    std::vector<std::string> args = {viewer.string(), file_, "--screenshot", out_, "--size", size_};
    if (!view_.empty()) args.insert(args.end(), {"--view", view_});
    if (stimulus_ >= 0) args.insert(args.end(), {"--stimulus", std::to_string(stimulus_)});
    if (layer_ > 0) args.insert(args.end(), {"--layer", std::to_string(layer_)});
    if (!units_.empty()) args.insert(args.end(), {"--units", units_});
    for (const auto& c : compare_) args.insert(args.end(), {"--compare", c});
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0) {
      std::perror("gaitsim plot: fork");
      return kFailure;
    }
    if (pid == 0) {
      ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      std::perror(("gaitsim plot: cannot run " + args[0]).c_str());
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return kFailure;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? kOk : kFailure;
    std::fprintf(stderr, "gaitsim plot: the renderer %s was killed by signal %d\n", viewer.c_str(),
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return kFailure;
  }

 private:
  std::string file_, out_, view_, units_, size_ = "1400x900";
  long long stimulus_ = -1;
  int layer_ = 0;
  std::vector<std::string> compare_;
};

}  // namespace

std::unique_ptr<Command> make_plot_command() { return std::make_unique<PlotCommand>(); }

}  // namespace gaitsim
