#pragma once
#include <QComboBox>
#include <QLabel>
#include <QWidget>
#include <QtCharts/QChartView>
#include <memory>

#include "gui/models.hpp"

namespace gaitsim::gui {

// The weights view: one layer's receptive fields as a mosaic and the histogram of its weights;
// with synaptic constraints (docs/biology.md), the histogram split by presynaptic sign and the
// layer's connectivity (mask and signs) as an image, and for Dale's dann form the non-negative
// components W_EE, W_IE, W_EI side by side; for a learned-feedback run (feedback.mode
// learned), the layer's feedback weights Q_l as a heat map and ||Q_l W_l - I||_F / sqrt(n_l).
class WeightsView : public QWidget {
  Q_OBJECT
 public:
  explicit WeightsView(QWidget* parent = nullptr);
  void set_weights(std::shared_ptr<const WeightsData> w);
  QChart* histogram_chart() const { return histogram_->chart(); }
  // What the constraints panel says for the current layer (mask, signs), for tests.
  QString constraints_text() const { return constraints_->text(); }
  // What the feedback panel says for the current layer (Q_l, ||Q_l W_l - I||), for tests; empty
  // for an exact-mode run.
  QString feedback_text() const { return feedback_->text(); }
  // What the dann panel says for the current layer (components, n_I, residual), for tests; empty
  // for a layer without components.
  QString dann_text() const { return dann_->text(); }
  bool dann_components_shown() const { return !dann_map_->pixmap().isNull(); }
  bool feedback_map_shown() const { return !feedback_map_->pixmap().isNull(); }
  // Shows layer index l (0-based: W1 is 0), as the layer box does.
  void select_layer(int l) { layer_->setCurrentIndex(l); }

 private:
  void redraw();
  void show_constraints(int l);
  void show_dann(int l);
  void show_feedback(int l);
  std::shared_ptr<const WeightsData> weights_;
  QComboBox* layer_;
  QLabel* fields_;  // the receptive-field mosaic
  QLabel* caption_;
  QChartView* histogram_;
  QLabel* constraints_;   // mask and sign summary of the current layer
  QLabel* connectivity_;  // the mask and signs as an image
  QLabel* dann_;          // Dale's dann form: the components' shapes and ranges
  QLabel* dann_map_;      // W_EE, W_IE, W_EI side by side
  QLabel* feedback_;      // learned feedback: Q_l's shape and ||Q_l W_l - I||
  QLabel* feedback_map_;  // Q_l as a heat map
};

}  // namespace gaitsim::gui
