#pragma once
#include <QComboBox>
#include <QLabel>
#include <QWidget>
#include <QtCharts/QChartView>
#include <memory>

#include "gui/models.hpp"

namespace gaitsim::gui {

// The weights view: one layer's receptive fields as a mosaic and the histogram of its weights.
class WeightsView : public QWidget {
  Q_OBJECT
 public:
  explicit WeightsView(QWidget* parent = nullptr);
  void set_weights(std::shared_ptr<const WeightsData> w);
  QChart* histogram_chart() const { return histogram_->chart(); }

 private:
  void redraw();
  std::shared_ptr<const WeightsData> weights_;
  QComboBox* layer_;
  QLabel* fields_;  // the receptive-field mosaic
  QLabel* caption_;
  QChartView* histogram_;
};

}  // namespace gaitsim::gui
