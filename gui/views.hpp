#pragma once
// The four views of the viewer. Each shows a Document's models; none reads files itself except
// through the models' lazy readers (one stimulus, one unit at a time).
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QWidget>
#include <QtCharts/QChartView>

#include "gui/models.hpp"

namespace gaitsim::gui {

// One layer's map: units folded into a near-square grid, with a colour bar; auxiliary units are
// marked with a dot.
class HeatmapWidget : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapWidget(QWidget* parent = nullptr);
  void set_values(const QString& title, const std::vector<double>& v, const std::vector<char>& aux,
                  bool diverging);
  void set_image(const QString& title, const QImage& img);  // an input image, no colour bar
  double low() const { return lo_; }
  double high() const { return hi_; }
  QSize sizeHint() const override { return {200, 200}; }
  QSize minimumSizeHint() const override { return {110, 110}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  QString title_;
  QImage image_;
  std::vector<char> aux_;
  Grid grid_;
  bool diverging_ = false, colour_bar_ = false;
  double lo_ = 0, hi_ = 1;
};

class NetworkView : public QWidget {
  Q_OBJECT
 public:
  explicit NetworkView(QWidget* parent = nullptr);
  void set_source(std::shared_ptr<const NetworkSource> source, const QString& unavailable);
  void show_stimulus(long long i);
  long long current() const { return current_; }
  const StimulusData& data() const { return data_; }
  QString caption() const { return caption_->text(); }

 protected:
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void rebuild(int layers);
  std::shared_ptr<const NetworkSource> source_;
  StimulusData data_;
  long long current_ = -1;
  QSpinBox* spin_;
  QLabel* caption_;
  HeatmapWidget* input_;
  QWidget* grid_host_;
  std::vector<std::array<HeatmapWidget*, 3>> maps_;
  std::vector<QLabel*> layer_titles_;
};

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

// A sweep: one chart per swept parameter, final and best test accuracy of every point against
// the parameter's value, the seed mean +- sd from /aggregate as a line and band, diverged points
// marked.
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
