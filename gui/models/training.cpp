#include "gui/models/training.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

TrainingCurves read_training(const fs::path& run_file) {
  const h5::File f = h5::File::open_read(run_file);
  TrainingCurves t;
  t.name = QString::fromStdString(run_file.parent_path().filename().string());
  if (t.name.isEmpty()) t.name = QString::fromStdString(run_file.stem().string());
  t.status = QString::fromStdString(attr_or(f, "/", "status"));
  if (f.exists("/metrics/epoch")) {
    t.epoch = f.read_vector<double>("/metrics/epoch");
    t.train_loss = f.read_vector<double>("/metrics/train_loss");
    t.train_accuracy = f.read_vector<double>("/metrics/train_accuracy");
    t.test_loss = f.read_vector<double>("/metrics/test_loss");
    t.test_accuracy = f.read_vector<double>("/metrics/test_accuracy");
  }
  if (f.exists("/alignment/step") && f.shape("/alignment/step").at(0) > 0) {
    t.align_step = f.read_vector<double>("/alignment/step");
    t.angle_deg = columns(f.read_matrix<double>("/alignment/angle_deg"));
  }
  if (f.exists("/orthogonality/layers") && f.shape("/orthogonality/layers").at(0) > 0) {
    t.ortho_layers = f.read_vector<int>("/orthogonality/layers");
    if (!t.epoch.empty()) t.ortho_error = columns(f.read_matrix<double>("/orthogonality/error"));
  }
  if (f.exists("/constraints/clipped_units") && !t.epoch.empty()) {
    t.clipped_units = columns(f.read_matrix<double>("/constraints/clipped_units"));
  }
  if (f.exists("/constraints/clipped_synapses") && !t.epoch.empty()) {
    t.clipped_synapses = columns(f.read_matrix<double>("/constraints/clipped_synapses"));
  }
  if (f.exists("/feedback/step") && f.shape("/feedback/step").at(0) > 0) {
    t.feedback_layers = f.read_vector<int>("/feedback/layers");
    t.feedback_step = f.read_vector<double>("/feedback/step");
    t.inverse_error = columns(f.read_matrix<double>("/feedback/inverse_error"));
    t.reconstruction_loss = columns(f.read_matrix<double>("/feedback/reconstruction_loss"));
  }
  if (f.exists("/state/optimizer_steps")) {
    t.steps = f.read_vector<long long>("/state/optimizer_steps").at(0);
  }
  return t;
}

}  // namespace gaitsim::gui
