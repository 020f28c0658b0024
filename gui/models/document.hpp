#pragma once
// A whole opened file: every model a view needs, loaded off the GUI thread. (part of the viewer's
// models, gui/models.hpp).
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

#include "gui/models/file_detection.hpp"
#include "gui/models/network_source.hpp"
#include "gui/models/settle_source.hpp"
#include "gui/models/sweep.hpp"
#include "gui/models/training.hpp"
#include "gui/models/weights.hpp"

namespace gaitsim::gui {

namespace fs = std::filesystem;

// ---- a whole opened file ----
struct Document {
  fs::path path;
  FileKind kind = FileKind::Unknown;
  QString error;    // why it could not be opened (kind Unknown)
  QString warning;  // opened, but something is missing (e.g. a phase)
  std::optional<TrainingCurves> training;
  std::shared_ptr<const WeightsData> weights;
  std::shared_ptr<const NetworkSource> network;
  std::shared_ptr<const SettleSource> settle;
  std::shared_ptr<const SweepData> sweep;
};
// Opens anything (a sweep folder too); never throws (errors land in `error`). Slow for run files
// (computes rates).
Document load_document(const fs::path& path, long long network_stimuli = 100);

// Percent done from one line of gaitsim's progress bar ("... [==>  ] 200/1000 ETA ..."), or -1
// when the line is not one.
int progress_percent(const std::string& line);

}  // namespace gaitsim::gui
