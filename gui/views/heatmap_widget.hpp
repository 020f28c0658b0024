#pragma once
#include <QImage>
#include <QWidget>

#include "gui/models.hpp"

namespace gaitsim::gui {

class HeatmapWidget : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapWidget(QWidget* parent = nullptr);
  void set_values(const QString& title, const std::vector<double>& v, const std::vector<char>& aux,
                  bool diverging);
  void set_image(const QString& title, const QImage& img);  // an input image, no colour bar
  // Units to mark as inhibitory (Dale's principle): a hollow ring in the cell; empty: none.
  void set_inhibitory(const std::vector<char>& inhibitory);
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
  std::vector<char> inhibitory_;
  Grid grid_;
  bool diverging_ = false, colour_bar_ = false;
  double lo_ = 0, hi_ = 1;
};

}  // namespace gaitsim::gui
