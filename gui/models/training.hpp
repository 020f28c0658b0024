#pragma once
// Training curves of a run file. (part of the viewer's models, gui/models.hpp).
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

// ---- training (run file) ----
struct TrainingCurves {
  QString name;    // the run's folder name
  QString status;  // running | paused | complete | diverged
  std::vector<double> epoch, train_loss, train_accuracy, test_loss, test_accuracy;
  std::vector<double> align_step;
  std::vector<std::vector<double>> angle_deg;  // [layer 1..L - 1][sample]
  std::vector<int> ortho_layers;
  std::vector<std::vector<double>> ortho_error;  // [k][epoch]
  // /constraints/clipped_units when present (bounded f): [layer 1..L][epoch] [count]
  std::vector<std::vector<double>> clipped_units;
  long long steps = 0;                           // optimiser steps so far
};
TrainingCurves read_training(const fs::path& run_file);  // throws std::runtime_error

}  // namespace gaitsim::gui
