#include "gui/views/sweep_view.hpp"

#include <QGridLayout>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

namespace {

// The other grid parameters with few distinct values (grid axes, text values), by which the
// rows of one parameter's chart are coloured: one group per combination of their values, at
// most 8 (more cannot be told apart: then one group).
class Grouping {
 public:
  Grouping(const SweepData& s, const std::vector<SweepParameter>& params, std::size_t k)
      : params_(params) {
    for (std::size_t j = 0; j < params.size(); ++j) {
      if (j == k) continue;
      const std::set<double> distinct(params[j].aggregate.begin(), params[j].aggregate.end());
      if (distinct.size() > 1 && distinct.size() <= 6) by_.push_back(j);
    }
    for (std::size_t i = 0; i < s.final_mean.size(); ++i) of_row(true, i);
    for (std::size_t i = 0; i < s.seed.size(); ++i) of_row(false, i);
    if (labels_.size() > 8) {
      by_.clear();
      group_of_.clear();
      labels_.assign(1, QString());
      group_of_[{}] = 0;
    }
  }

  std::size_t size() const { return labels_.size(); }
  const QString& label(std::size_t g) const { return labels_[g]; }
  QColor colour(std::size_t g) const {
    return size() == 1 ? kPalette[0] : kPalette[g % kPalette.size()];
  }
  // The group of row i of the aggregate table (seed means) or of the point table.
  std::size_t of_row(bool aggregate, std::size_t i) {
    std::vector<double> key;
    for (std::size_t j : by_)
      key.push_back(aggregate ? params_[j].aggregate[i] : params_[j].point[i]);
    auto [it, added] = group_of_.emplace(key, labels_.size());
    if (added) {
      QStringList parts;
      for (std::size_t m = 0; m < by_.size(); ++m) {
        parts << QString("%1 %2").arg(params_[by_[m]].key.section('.', -1),
                                      params_[by_[m]].value_text(key[m]));
      }
      labels_.push_back(parts.join(", "));
    }
    return it->second;
  }

 private:
  const std::vector<SweepParameter>& params_;
  std::vector<std::size_t> by_;
  std::map<std::vector<double>, std::size_t> group_of_;
  std::vector<QString> labels_;
};

// The extent of the drawn data (non-finite values ignored).
struct Bounds {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  void grow(double x, double y) {
    if (std::isfinite(x)) x0 = std::min(x0, x), x1 = std::max(x1, x);
    if (std::isfinite(y)) y0 = std::min(y0, y), y1 = std::max(y1, y);
  }
};

QScatterSeries* scatter(const QString& name, QScatterSeries::MarkerShape shape, double size,
                        const QBrush& brush, const QPen& pen) {
  auto* series = new QScatterSeries;
  series->setName(name);
  series->setMarkerShape(shape);
  series->setMarkerSize(size);
  series->setBrush(brush);
  series->setPen(pen);
  return series;
}

// Draws parameter k of a sweep: points (final: filled, best: hollow), seed means as lines and
// +- sd as a band, one colour per group (Grouping), diverged points as red stars on the bottom
// edge, unfinished ones as grey squares.
class ParameterChart {
 public:
  ParameterChart(QChart* chart, const SweepData& s, const std::vector<SweepParameter>& params,
                 std::size_t k)
      : chart_(chart), s_(s), p_(params[k]), groups_(s, params, k) {}

  void draw() {
    for (std::size_t g = 0; g < groups_.size(); ++g) draw_seed_means(g);
    draw_points();
    YRange y = y_range();
    add_or_delete(unfinished_);
    if (diverged_->count() > 0) {
      // diverged runs have no accuracy: a row of their own below the data, unlabelled
      y.lo -= 1.5 * y.pad;
      move_to_row(diverged_, y.lo + 0.9 * y.pad);
    }
    add_or_delete(diverged_);
    for (QAbstractSeries* h : hidden_) {
      for (QLegendMarker* m : chart_->legend()->markers(h)) m->setVisible(false);
    }
    draw_axes(x_axis(), y_axis(y));
  }

 private:
  double X(double v) const { return p_.log_scale ? std::log10(v) : v; }

  // Seed means (final solid, best dashed) of group g along the parameter, with a +- sd band;
  // none through one x or when two rows share an x (that would zigzag).
  void draw_seed_means(std::size_t g) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < s_.final_mean.size(); ++i) {
      if (groups_.of_row(true, i) == g && std::isfinite(s_.final_mean[i])) {
        order.emplace_back(X(p_.aggregate[i]), i);
      }
    }
    std::sort(order.begin(), order.end());
    bool unique_x = true;
    for (std::size_t m = 1; m < order.size(); ++m)
      unique_x = unique_x && order[m].first != order[m - 1].first;
    if (order.size() < 2 || !unique_x) return;
    const QColor c = groups_.colour(g);
    draw_band(order, c);
    std::vector<double> xs, fm, bm;
    for (const auto& [x, i] : order) {
      xs.push_back(x);
      fm.push_back(s_.final_mean[i]);
      bm.push_back(s_.best_mean[i]);
      bounds_.grow(x, s_.best_mean[i]);
    }
    add_hidden(line("final mean", xs, fm, c, Qt::SolidLine, 2.0));
    add_hidden(line("best mean", xs, bm, c, Qt::DashLine, 1.3));
  }

  void draw_band(const std::vector<std::pair<double, std::size_t>>& order, const QColor& c) {
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    bool any_sd = false;
    for (const auto& [x, i] : order) {
      const double sd = std::isfinite(s_.final_sd[i]) ? s_.final_sd[i] : 0.0;
      any_sd = any_sd || sd > 0;
      upper->append(x, s_.final_mean[i] + sd);
      lower->append(x, s_.final_mean[i] - sd);
      bounds_.grow(x, s_.final_mean[i] + sd);
      bounds_.grow(x, s_.final_mean[i] - sd);
    }
    if (!any_sd) {
      delete upper;
      delete lower;
      return;
    }
    auto* band = new QAreaSeries(upper, lower);
    QColor fill = c;
    fill.setAlpha(55);
    band->setBrush(fill);
    band->setPen(Qt::NoPen);
    band->setName("mean +- sd");
    add_hidden(band);
  }

  void add_hidden(QAbstractSeries* series) {
    chart_->addSeries(series);
    hidden_.push_back(series);
  }

  // One point per run: complete ones by group (final filled, best hollow), unfinished and
  // diverged ones in their own series; runs with no accuracy are counted in the title only.
  void draw_points() {
    std::vector<QScatterSeries*> finals(groups_.size(), nullptr), bests(groups_.size(), nullptr);
    for (std::size_t i = 0; i < s_.seed.size(); ++i) {
      const double x = X(p_.point[i]);
      const QString& st = s_.status[static_cast<qsizetype>(i)];
      if (st == "diverged") {
        diverged_->append(x, 0.0);  // moved to the bottom edge once the range is known
        bounds_.grow(x, NAN);
        continue;
      }
      if (!std::isfinite(s_.final_accuracy[i])) continue;
      bounds_.grow(x, s_.final_accuracy[i]);
      bounds_.grow(x, s_.best_accuracy[i]);
      if (st != "complete") {
        unfinished_->append(x, s_.final_accuracy[i]);
        continue;
      }
      const std::size_t g = groups_.of_row(false, i);
      if (!finals[g]) {
        const QColor c = groups_.colour(g);
        const QString tag = groups_.label(g).isEmpty() ? QString() : groups_.label(g) + ": ";
        finals[g] =
            scatter(tag + "final", QScatterSeries::MarkerShapeCircle, 9, c, QPen(c.darker(150), 1));
        bests[g] =
            scatter(tag + "best", QScatterSeries::MarkerShapeCircle, 9, Qt::white, QPen(c, 1.6));
      }
      finals[g]->append(x, s_.final_accuracy[i]);
      bests[g]->append(x, s_.best_accuracy[i]);
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (finals[g]) {
        chart_->addSeries(bests[g]);
        chart_->addSeries(finals[g]);
      }
    }
  }

  struct YRange {
    double step, lo, hi, pad;  // [accuracy]
  };
  // The accuracy range with a 6 % pad, ticks on round accuracies (multiples of step).
  YRange y_range() {
    if (!std::isfinite(bounds_.y0)) bounds_.y0 = 0, bounds_.y1 = 1;
    if (bounds_.y1 - bounds_.y0 < 0.02) bounds_.y0 -= 0.01, bounds_.y1 += 0.01;
    const double pad = 0.06 * (bounds_.y1 - bounds_.y0);
    double step = 0.01;
    for (double c : {0.01, 0.02, 0.05, 0.1, 0.2, 0.5}) {
      step = c;
      if ((bounds_.y1 - bounds_.y0) / c <= 7) break;
    }
    return {step, bounds_.y0 - pad, bounds_.y1 + pad, pad};
  }

  static void move_to_row(QScatterSeries* series, double y) {
    QList<QPointF> pts = series->points();
    for (QPointF& q : pts) q.setY(y);
    series->replace(pts);
  }

  void add_or_delete(QScatterSeries*& series) {
    if (series->count() > 0) {
      chart_->addSeries(series);
    } else {
      delete series;
    }
    series = nullptr;
  }

  QAbstractAxis* x_axis() {
    if (!p_.categories.isEmpty()) {
      auto* c = new QCategoryAxis;
      c->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
      for (qsizetype j = 0; j < p_.categories.size(); ++j) c->append(p_.categories[j], j + 0.5);
      c->setStartValue(-0.5);
      c->setRange(-0.5, p_.categories.size() - 0.5);
      c->setTitleText(p_.key);
      return c;
    }
    auto* v = new QValueAxis;
    double x0 = bounds_.x0, x1 = bounds_.x1;
    if (!std::isfinite(x0)) x0 = 0, x1 = 1;
    const double span = x1 > x0 ? x1 - x0 : std::max(std::abs(x0), 1.0);
    v->setRange(x0 - 0.06 * span, x1 + 0.06 * span);
    v->setLabelFormat("%.4g");
    if (p_.log_scale) {
      // log10 values on a linear axis: Qt Charts 6.4's QLogValueAxis elides its labels
      v->setTickType(QValueAxis::TicksDynamic);
      v->setTickAnchor(0);
      v->setTickInterval(span >= 2 ? 1.0 : 0.5);
      v->setTitleText(QString("log10(%1)   (log scale: -3 is 0.001)").arg(p_.key));
    } else {
      v->setTitleText(p_.key);
    }
    return v;
  }

  static QValueAxis* y_axis(const YRange& y) {
    auto* ay = new QValueAxis;
    ay->setRange(y.lo, y.hi);
    ay->setTickType(QValueAxis::TicksDynamic);
    ay->setTickAnchor(0);
    ay->setTickInterval(y.step);
    ay->setMinorTickCount(0);
    ay->setLabelFormat(y.step < 0.1 ? "%.2f" : "%.1f");
    ay->setTitleText("test accuracy");
    return ay;
  }

  void draw_axes(QAbstractAxis* ax, QAbstractAxis* ay) {
    chart_->addAxis(ax, Qt::AlignBottom);
    chart_->addAxis(ay, Qt::AlignLeft);
    for (QAbstractSeries* q : chart_->series()) {
      q->attachAxis(ax);
      q->attachAxis(ay);
    }
    chart_->setTitle(QString("Test accuracy against %1: %2").arg(p_.key, s_.counts()));
    chart_->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    chart_->legend()->setAlignment(Qt::AlignRight);
  }

  QChart* chart_;
  const SweepData& s_;
  const SweepParameter& p_;
  Grouping groups_;
  Bounds bounds_;
  std::vector<QAbstractSeries*> hidden_;  // series kept out of the legend
  QScatterSeries* unfinished_ = scatter("unfinished", QScatterSeries::MarkerShapeRectangle, 8,
                                        QColor(190, 190, 190), QPen(QColor(110, 110, 110), 1));
  QScatterSeries* diverged_ = scatter("diverged", QScatterSeries::MarkerShapeStar, 14,
                                      QColor(214, 39, 40), QPen(QColor(120, 0, 0), 1));
};

}  // namespace

SweepView::SweepView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  summary_ = new QLabel("Open a sweep folder (gaitsim sweep) or its summary.h5.");
  summary_->setTextFormat(Qt::RichText);
  summary_->setWordWrap(true);
  v->addWidget(summary_);
  host_ = new QWidget;
  new QGridLayout(host_);
  v->addWidget(host_, 1);
}

void SweepView::set_sweep(std::shared_ptr<const SweepData> s) {
  sweep_ = std::move(s);
  for (auto* c : charts_) delete c;
  charts_.clear();
  if (!sweep_) {
    summary_->setText("No sweep: open a sweep folder (gaitsim sweep) or its summary.h5.");
    return;
  }
  const SweepData& d = *sweep_;
  std::vector<SweepParameter> params = d.parameters;
  if (params.empty()) {  // seeds only: accuracy against the seed
    SweepParameter seed;
    seed.key = "seed";
    seed.point = d.seed;
    seed.aggregate.assign(d.final_mean.size(), 0.0);
    params.push_back(seed);
  }
  QString text = QString(
                     "<b>Sweep %1</b> (base %2): %3. Filled circles: final test accuracy, "
                     "hollow: best; lines: mean over seeds (solid final, dashed best), "
                     "band: &plusmn; sd; red stars: diverged (drawn below the data); grey squares: "
                     "unfinished.")
                     .arg(d.dir.toHtmlEscaped(), d.base.toHtmlEscaped(), d.counts());
  if (!d.missing_names.isEmpty()) {
    QStringList shown = d.missing_names.mid(0, 4);
    text += QString("<br>Missing: %1%2")
                .arg(shown.join(", ").toHtmlEscaped(), d.missing_names.size() > 4 ? ", ..." : "");
  }
  summary_->setText(text);
  auto* grid = static_cast<QGridLayout*>(host_->layout());
  const std::size_t P = params.size();
  const int cols = P <= 1 ? 1 : P <= 4 ? 2 : 3;
  for (std::size_t k = 0; k < P; ++k) {
    QChartView* view = make_chart_view("");
    ParameterChart(view->chart(), d, params, k).draw();
    grid->addWidget(view, static_cast<int>(k) / cols, static_cast<int>(k) % cols);
    charts_.push_back(view);
  }
}

}  // namespace gaitsim::gui
