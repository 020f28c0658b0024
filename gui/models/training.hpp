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
  // /constraints/clipped_synapses when present (network.dale sign | dann): [layer 1..L][epoch]
  // synapses set to 0 to keep their sign (or a dann component non-negative) [count]
  std::vector<std::vector<double>> clipped_synapses;
  long long steps = 0;  // optimiser steps so far
  // /feedback/* when present (feedback.mode learned, docs/learned-feedback.md): the inverted
  // layers (2..L) and, per layer k and sample, ||Q_l W_l - I||_F / sqrt(n_l) [1] and the noisy
  // reconstruction loss [rate^2] (NaN before the first feedback update) at feedback_step
  std::vector<int> feedback_layers;
  std::vector<double> feedback_step;
  std::vector<std::vector<double>> inverse_error, reconstruction_loss;  // [k][sample]
};
TrainingCurves read_training(const fs::path& run_file);  // throws std::runtime_error

}  // namespace gaitsim::gui
