#pragma once
#include <QLabel>
#include <QWidget>
#include <QtCharts/QChartView>
#include <memory>

#include "gui/models.hpp"

namespace gaitsim::gui {

class SweepView : public QWidget {
  Q_OBJECT
 public:
  explicit SweepView(QWidget* parent = nullptr);
  void set_sweep(std::shared_ptr<const SweepData> s);
  int charts() const { return static_cast<int>(charts_.size()); }
  QChart* chart(int k) const { return charts_[k]->chart(); }
  QString summary() const { return summary_->text(); }

 private:
  std::shared_ptr<const SweepData> sweep_;
  QLabel* summary_;
  QWidget* host_;
  std::vector<QChartView*> charts_;
};

}  // namespace gaitsim::gui
