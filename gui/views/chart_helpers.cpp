#include "gui/views/chart_helpers.hpp"

#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QXYSeries>
#include <algorithm>
#include <cmath>

namespace gaitsim::gui {

QString number(double v) { return QString::number(v, 'g', 3); }

const std::array<QColor, 10> kPalette = {
    QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
    QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
    QColor(188, 189, 34),  QColor(23, 190, 207)};

QChartView* make_chart_view(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(260, 200);
  return view;
}

void reset_chart(QChart* chart) {
  chart->removeAllSeries();
  for (QAbstractAxis* a : chart->axes()) {
    chart->removeAxis(a);
    delete a;
  }
}

namespace {
constexpr double kMaxDecadeLabels = 8;  // labels of a log axis [count]
}  // namespace

QValueAxis* attach_axes(QChart* chart, const QString& xt, const QString& yt, bool log_y,
                        bool y_from_zero) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (QAbstractSeries* s : chart->series()) {
    auto* xy = qobject_cast<QXYSeries*>(s);
    if (auto* area = qobject_cast<QAreaSeries*>(s)) xy = area->upperSeries();
    if (!xy) continue;
    for (const QPointF& p : xy->points()) {
      if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
  }
  if (!std::isfinite(x0)) x0 = 0, x1 = 1, y0 = log_y ? 1e-6 : 0, y1 = 1;
  if (x1 <= x0) x1 = x0 + 1;
  auto* ax = new QValueAxis;
  ax->setTitleText(xt);
  ax->setRange(x0, x1);
  ax->setLabelFormat("%.4g");
  chart->addAxis(ax, Qt::AlignBottom);
  QAbstractAxis* ay = nullptr;
  if (log_y) {
    auto* l = new QLogValueAxis;
    y0 = std::max(y0, 1e-12);
    // a label every m decades, at most kMaxDecadeLabels of them (a diverging quantity spans
    // dozens of decades; a label per decade would overlap)
    const double m = std::max(
        1.0, std::ceil((std::ceil(std::log10(std::max(y1, y0))) - std::floor(std::log10(y0))) /
                       kMaxDecadeLabels));
    const double d0 = m * std::floor(std::log10(y0) / m),
                 d1 = std::max(m * std::ceil(std::log10(std::max(y1, y0)) / m), d0 + m);
    l->setBase(std::pow(10.0, m));
    l->setLabelFormat("%g");
    l->setRange(std::pow(10.0, d0), std::pow(10.0, d1));
    l->setMinorTickCount(m > 1 ? 0 : -1);
    ay = l;
  } else {
    auto* v = new QValueAxis;
    if (y1 <= y0) y1 = y0 + 1e-9, y0 -= 1e-9;
    const double pad = 0.05 * (y1 - y0);
    v->setRange(y_from_zero ? 0.0 : y0 - pad, y1 + pad);
    v->applyNiceNumbers();  // round tick values
    v->setLabelFormat("%.3g");
    ay = v;
  }
  ay->setTitleText(yt);
  chart->addAxis(ay, Qt::AlignLeft);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(ax);
    s->attachAxis(ay);
  }
  return ax;
}

void integer_ticks(QValueAxis* ax) {
  double lo = std::floor(ax->min() + 1e-9), hi = std::ceil(ax->max() - 1e-9);
  if (hi <= lo) hi = lo + 1;
  ax->setRange(lo, hi);
  ax->setLabelFormat("%d");
  ax->setMinorTickCount(0);
  const double n = hi - lo + 1;
  if (n <= 12) {
    ax->setTickType(QValueAxis::TicksFixed);
    ax->setTickCount(static_cast<int>(n));
    return;
  }
  double step = 1;
  for (double m = 1;; m *= 10) {
    if ((hi - lo) / m <= 10) {
      step = m;
      break;
    }
    if ((hi - lo) / (2 * m) <= 10) {
      step = 2 * m;
      break;
    }
    if ((hi - lo) / (5 * m) <= 10) {
      step = 5 * m;
      break;
    }
  }
  ax->setTickType(QValueAxis::TicksDynamic);
  ax->setTickAnchor(0);
  ax->setTickInterval(step);
}

QColor layer_shade(QColor run, std::size_t l, std::size_t n) {
  const double t = n > 1 ? double(l) / double(n - 1) : 0.0;
  float h = 0, sat = 0, light = 0;
  run.getHslF(&h, &sat, &light);
  return QColor::fromHslF(h, sat, static_cast<float>(0.27 + 0.33 * t));
}

const std::array<Qt::PenStyle, 5> kLayerStyles = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                                  Qt::DashDotLine, Qt::DashDotDotLine};

namespace {
// Series of at most this many samples also mark each sample: a series of one sample (a run
// shorter than output.align_every, a first epoch) has no line to draw and would not show.
constexpr std::size_t kMarkedSamples = 40;
}  // namespace

QLineSeries* line(const QString& name, const std::vector<double>& x, const std::vector<double>& y,
                  QColor colour, Qt::PenStyle style, double width) {
  auto* s = new QLineSeries;
  s->setName(name);
  const std::size_t n = std::min(x.size(), y.size());
  // a sample not measured (NaN, e.g. the reconstruction loss before the first feedback update)
  // is left out: a line through it would not be drawn
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isfinite(y[i])) s->append(x[i], y[i]);
  }
  QPen pen(colour);
  pen.setStyle(style);
  pen.setWidthF(width);
  s->setPen(pen);
  s->setPointsVisible(s->count() <= int(kMarkedSamples));
  return s;
}

std::vector<int> parse_units(const QString& text, int width) {
  std::vector<int> out;
  for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
    const QStringList ab = part.trimmed().split('-');
    bool ok1 = false, ok2 = true;
    const int a = ab[0].toInt(&ok1);
    const int b = ab.size() > 1 ? ab[1].toInt(&ok2) : a;
    if (!ok1 || !ok2) continue;
    for (int u = a; u <= b && out.size() < 12; ++u) {
      if (u >= 0 && u < width) out.push_back(u);
    }
  }
  return out;
}

}  // namespace gaitsim::gui
