#pragma once
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QWidget>
#include <QtCharts/QChartView>
#include <memory>

#include "gui/models.hpp"

namespace gaitsim::gui {

// The settling view: chosen units' rates through the free and the target phase of one stimulus,
// and the residual of both phases over time.
class SettlingView : public QWidget {
  Q_OBJECT
 public:
  explicit SettlingView(QWidget* parent = nullptr);
  void set_source(std::shared_ptr<const SettleSource> source, const QString& warning);
  // units: "0,3,5" or "0-4" (at most 12 are drawn)
  void set_selection(long long stimulus, int layer, const QString& units);
  QChart* rates_chart() const { return rates_->chart(); }
  QChart* residual_chart() const { return residual_->chart(); }

 protected:
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void redraw();
  std::shared_ptr<const SettleSource> source_;
  QSpinBox* stimulus_;
  QComboBox* layer_;
  QLineEdit* units_;
  QLabel* message_;
  QChartView* rates_;
  QChartView* residual_;
};

}  // namespace gaitsim::gui
