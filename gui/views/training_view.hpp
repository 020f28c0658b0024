#pragma once
#include <QLabel>
#include <QWidget>
#include <QtCharts/QChartView>
#include <array>

#include "gui/models.hpp"

namespace gaitsim::gui {

// The training view: accuracy and loss per epoch, angle to BP and orthogonality error per layer,
// for the open run and the runs overlaid for comparison.
class TrainingView : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingView(QWidget* parent = nullptr);
  // runs[0] is the open file; the others are overlaid for comparison.
  void set_runs(const std::vector<TrainingCurves>& runs);
  QChart* chart(int k) const { return charts_[k]->chart(); }  // accuracy, loss, angle, ortho

 private:
  std::array<QChartView*, 4> charts_{};
  QLabel* summary_;
};

}  // namespace gaitsim::gui
