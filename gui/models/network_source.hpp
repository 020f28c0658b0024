#pragma once
// Per-stimulus rates and targets of every layer: from a responses file, or computed from a run
// file. (part of the viewer's models, gui/models.hpp).
#include <QImage>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim::gui {

namespace fs = std::filesystem;

// ---- network (responses file, or computed from a run file) ----
struct LayerSlice {
  QString name;
  int width = 0;
  std::vector<double> rate, target;  // target empty where there is none
  std::vector<char> auxiliary;       // 1 for auxiliary units
  std::vector<char> inhibitory;      // network.dale: 1 for inhibitory units; empty: no cell types
  std::vector<double> interneurons;  // network.dale dann: the interneurons' rates z; else empty
};
struct StimulusData {
  long long index = 0, id = 0;
  int label = -1, prediction = -1;
  std::vector<double> input;  // the input layer's rates (pixels / 255)
  int image_h = 0, image_w = 0, image_c = 1;
  std::vector<LayerSlice> layers;  // driven layers 1..L
};
class NetworkSource {
 public:
  virtual ~NetworkSource() = default;
  virtual long long count() const = 0;
  virtual StimulusData stimulus(long long i) const = 0;  // throws std::runtime_error
  virtual QString description() const = 0;
};
// A responses file: reads one row per layer per call.
std::unique_ptr<NetworkSource> open_responses(const fs::path& file);
// A run file: loads its config's dataset and computes the forward rates and the configured
// rule's targets for the first `stimuli` test examples with the simulator's engine.
std::unique_ptr<NetworkSource> compute_from_run(const fs::path& run_file, long long stimuli);

}  // namespace gaitsim::gui
