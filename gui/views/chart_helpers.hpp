#pragma once
// What the viewer's charts share: a palette, chart views, axes fitted to their series, integer
// ticks, per-layer shades and line series.
#include <QColor>
#include <QString>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <array>
#include <vector>

namespace gaitsim::gui {

QString number(double v);  // 3 significant digits

extern const std::array<QColor, 10> kPalette;           // one colour per run or group
extern const std::array<Qt::PenStyle, 5> kLayerStyles;  // one dash pattern per layer

QChartView* make_chart_view(const QString& title);
void reset_chart(QChart* chart);  // removes every series and axis

// Attaches value axes with titles and padded ranges; y may be logarithmic. Returns the x axis.
QValueAxis* attach_axes(QChart* chart, const QString& xt, const QString& yt, bool log_y = false,
                        bool y_from_zero = false);

// Integer ticks (epochs, steps): one tick per integer when there are at most 12, otherwise a
// round integer interval; labels "%d".
void integer_ticks(QValueAxis* ax);

// The colour of run r's layer l of n: the run's hue, darker for lower layers.
QColor layer_shade(QColor run, std::size_t l, std::size_t n);

// A line through (x, y), non-finite y left out; series of few samples also mark each sample
// (kMarkedSamples).
QLineSeries* line(const QString& name, const std::vector<double>& x, const std::vector<double>& y,
                  QColor colour, Qt::PenStyle style = Qt::SolidLine, double width = 2.0);

// Unit indices from "0,3,5" or "0-4", those in [0, width), at most 12.
std::vector<int> parse_units(const QString& text, int width);

}  // namespace gaitsim::gui
