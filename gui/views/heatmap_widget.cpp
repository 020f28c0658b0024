#include "gui/views/heatmap_widget.hpp"

#include <QFontMetrics>
#include <QPainter>
#include <algorithm>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

HeatmapWidget::HeatmapWidget(QWidget* parent) : QWidget(parent) {}

void HeatmapWidget::set_values(const QString& title, const std::vector<double>& v,
                               const std::vector<char>& aux, bool diverging) {
  title_ = title;
  diverging_ = diverging;
  colour_bar_ = true;
  grid_ = fold(static_cast<int>(v.size()));
  std::tie(lo_, hi_) = value_range(v, diverging);
  image_ = heatmap_image(v, grid_, lo_, hi_, diverging);
  aux_ = aux;
  update();
}

void HeatmapWidget::set_inhibitory(const std::vector<char>& inhibitory) {
  inhibitory_ = inhibitory;
  update();
}

void HeatmapWidget::set_image(const QString& title, const QImage& img) {
  title_ = title;
  image_ = img;
  colour_bar_ = false;
  aux_.clear();
  inhibitory_.clear();
  grid_ = Grid{img.height(), img.width()};
  update();
}

void HeatmapWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().window());
  const QFontMetrics fm(font());
  const int th = fm.height() + 2;
  p.setPen(palette().windowText().color());
  p.drawText(QRect(0, 0, width(), th), Qt::AlignCenter, title_);
  if (image_.isNull()) {
    p.drawText(rect(), Qt::AlignCenter, "(none)");
    return;
  }
  const int bar = colour_bar_ ? 12 + fm.horizontalAdvance("-0.000e+00") : 0;
  QRect area(2, th + 2, width() - bar - 6, height() - th - 6);
  const double scale =
      std::min(area.width() / double(image_.width()), area.height() / double(image_.height()));
  const QSize sz(int(image_.width() * scale), int(image_.height() * scale));
  const QRect target(area.x() + (area.width() - sz.width()) / 2, area.y(), sz.width(), sz.height());
  p.drawImage(target, image_);
  p.setPen(QColor(90, 90, 90));
  p.drawRect(target.adjusted(0, 0, -1, -1));
  // auxiliary units: a small black dot in the cell
  if (!aux_.empty() && grid_.cols > 0) {
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(Qt::black);
    p.setPen(Qt::NoPen);
    const double cw = target.width() / double(grid_.cols),
                 ch = target.height() / double(grid_.rows);
    const double r = std::max(1.0, std::min(cw, ch) * 0.18);
    for (std::size_t k = 0; k < aux_.size(); ++k) {
      if (!aux_[k]) continue;
      const int rr = int(k) / grid_.cols, cc = int(k) % grid_.cols;
      p.drawEllipse(QPointF(target.x() + (cc + 0.5) * cw, target.y() + (rr + 0.5) * ch), r, r);
    }
  }
  // inhibitory units: a hollow ring around the cell's centre
  if (!inhibitory_.empty() && grid_.cols > 0) {
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(Qt::NoBrush);
    const double cw = target.width() / double(grid_.cols),
                 ch = target.height() / double(grid_.rows);
    const double r = std::max(1.5, std::min(cw, ch) * 0.32);
    p.setPen(QPen(QColor(20, 20, 20), std::max(1.0, r * 0.35)));
    for (std::size_t k = 0; k < inhibitory_.size(); ++k) {
      if (!inhibitory_[k]) continue;
      const int rr = int(k) / grid_.cols, cc = int(k) % grid_.cols;
      p.drawEllipse(QPointF(target.x() + (cc + 0.5) * cw, target.y() + (rr + 0.5) * ch), r, r);
    }
  }
  if (colour_bar_) {
    const QRect cb(target.right() + 6, target.top(), 10, target.height());
    for (int y = 0; y < cb.height(); ++y) {
      const double t = 1.0 - y / double(std::max(cb.height() - 1, 1));
      p.setPen(QColor(diverging_ ? diverging_colour(2 * t - 1) : sequential_colour(t)));
      p.drawLine(cb.left(), cb.top() + y, cb.right(), cb.top() + y);
    }
    p.setPen(palette().windowText().color());
    p.drawText(cb.right() + 3, cb.top() + fm.ascent(), number(hi_));
    p.drawText(cb.right() + 3, cb.bottom(), number(lo_));
    if (diverging_) p.drawText(cb.right() + 3, cb.center().y() + fm.ascent() / 2, "0");
  }
}

}  // namespace gaitsim::gui
