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
// layer's connectivity (mask and signs) as an image.
class WeightsView : public QWidget {
  Q_OBJECT
 public:
  explicit WeightsView(QWidget* parent = nullptr);
  void set_weights(std::shared_ptr<const WeightsData> w);
  QChart* histogram_chart() const { return histogram_->chart(); }
  // What the constraints panel says for the current layer (mask, signs), for tests.
  QString constraints_text() const { return constraints_->text(); }

 private:
  void redraw();
  void show_constraints(int l);
  std::shared_ptr<const WeightsData> weights_;
  QComboBox* layer_;
  QLabel* fields_;  // the receptive-field mosaic
  QLabel* caption_;
  QChartView* histogram_;
  QLabel* constraints_;   // mask and sign summary of the current layer
  QLabel* connectivity_;  // the mask and signs as an image
};

}  // namespace gaitsim::gui
