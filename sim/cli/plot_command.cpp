// `gaitsim plot FILE --out OUT.png`: renders a view of a run, responses or trajectories file,
// or of a sweep (its folder or summary.h5: accuracy against each swept parameter), without a
// display, through the viewer's offscreen renderer (offscreen_render.hpp).
#include "sim/cli/command.hpp"
#include "sim/cli/offscreen_render.hpp"

namespace gaitsim {

namespace {

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
    cmd->add_option("--layer", layer_, "layer 1..L (settling; weights: W_L and Q_L)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--units", units_, "units to draw (settling), e.g. 0-5 or 1,4,9");
    cmd->add_option("--size", size_, "image size WxH in pixels")->default_val("1400x900");
    cmd->add_option("--compare", compare_, "overlay another run file (training; repeatable)")
        ->check(CLI::ExistingFile);
    return cmd;
  }

  int run() override {
    std::vector<std::string> args = {file_, "--screenshot", out_, "--size", size_};
    if (!view_.empty()) args.insert(args.end(), {"--view", view_});
    if (stimulus_ >= 0) args.insert(args.end(), {"--stimulus", std::to_string(stimulus_)});
    if (layer_ > 0) args.insert(args.end(), {"--layer", std::to_string(layer_)});
    if (!units_.empty()) args.insert(args.end(), {"--units", units_});
    for (const auto& c : compare_) args.insert(args.end(), {"--compare", c});
    return render_offscreen(args);
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
