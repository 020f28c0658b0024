#pragma once
#include <QLabel>
#include <QWidget>
#include <QtCharts/QChartView>
#include <array>

#include "gui/models.hpp"

namespace gaitsim::gui {

// The training view: accuracy and loss per epoch, angle to BP and orthogonality error per layer;
// for runs of bounded rates, the clipped nudged activities per layer and epoch, and for runs
// under Dale's principle the synapses clipped to keep their sign; for runs of
// learned feedback (feedback.mode learned), the inverse error ||Q_l W_l - I||_F / sqrt(n_l) and
// the reconstruction loss per inverted layer over the steps; for the open run and the runs
// overlaid for comparison.
class TrainingView : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingView(QWidget* parent = nullptr);
  // runs[0] is the open file; the others are overlaid for comparison.
  void set_runs(const std::vector<TrainingCurves>& runs);
  // accuracy, loss, angle, ortho, clipped (shown only when a run has clipped counts), inverse
  // error, reconstruction loss (both shown only when a run has learned feedback), clipped
  // synapses (shown only when a run has them)
  QChart* chart(int k) const { return charts_[k]->chart(); }
  bool clipped_shown() const { return charts_[4]->isVisible(); }
  bool clipped_synapses_shown() const { return charts_[7]->isVisible(); }
  bool feedback_shown() const { return charts_[5]->isVisible(); }

 private:
  std::array<QChartView*, 8> charts_{};
  QLabel* summary_;
};

}  // namespace gaitsim::gui
