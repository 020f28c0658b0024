#include "gui/models/document.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

Document load_document(const fs::path& given, long long network_stimuli) {
  Document d;
  const fs::path path = resolve_input(given);
  d.path = path;
  const Detection det = detect_file(path);
  d.kind = det.kind;
  if (det.kind == FileKind::Unknown) {
    d.error = det.message;
    return d;
  }
  d.warning = det.message;
  try {
    switch (det.kind) {
      case FileKind::Run: {
        d.training = read_training(path);
        d.weights = std::make_shared<const WeightsData>(read_weights(path));
        try {
          d.network = compute_from_run(path, network_stimuli);
        } catch (const std::exception& e) {
          d.warning = QString("network view unavailable: %1").arg(e.what());
        }
        break;
      }
      case FileKind::Responses: {
        d.network = open_responses(path);
        if (d.network->count() > 0) d.network->stimulus(0);  // fails early on a damaged file
        const h5::File f = h5::File::open_read(path);
        if (f.has_attr("/", "trajectories_recorded") &&
            f.attr_int("/", "trajectories_recorded") == 1) {
          d.settle = std::make_shared<const SettleSource>(path);  // record --trajectories
        }
        break;
      }
      case FileKind::Sweep:
        d.sweep = std::make_shared<const SweepData>(read_sweep(path));
        break;
      case FileKind::Settle: {
        auto s = std::make_shared<const SettleSource>(path);
        if (!s->problem().isEmpty()) d.warning = s->problem();
        d.settle = s;
        break;
      }
      default:
        break;
    }
  } catch (const std::exception& e) {
    d.kind = FileKind::Unknown;
    d.error = QString("cannot read %1 (%2): %3")
                  .arg(QString::fromStdString(path.string()), kind_name(det.kind), e.what());
    d.training.reset();
    d.weights.reset();
    d.network.reset();
    d.settle.reset();
    d.sweep.reset();
  }
  return d;
}

int progress_percent(const std::string& line) {
  static const std::regex done_of_total(R"((\d+)/(\d+) ETA)");
  std::smatch m;
  if (!std::regex_search(line, m, done_of_total)) return -1;
  const double total = std::stod(m[2]);
  return total > 0 ? static_cast<int>(100.0 * std::stod(m[1]) / total) : -1;
}

}  // namespace gaitsim::gui
