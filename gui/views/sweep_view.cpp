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

// Draws parameter k of a sweep: points (final: filled, best: hollow), seed means as lines and
// +- sd as a band, one colour per combination of the other grid parameters (when there are at
// most 8 of them), diverged points as red stars on the bottom edge.
void draw_parameter(QChart* chart, const SweepData& s, const std::vector<SweepParameter>& params,
                    std::size_t k) {
  const SweepParameter& p = params[k];
  const auto X = [&](double v) { return p.log_scale ? std::log10(v) : v; };
  // grouping: the other parameters with few distinct values (grid axes, text values)
  std::vector<std::size_t> by;
  for (std::size_t j = 0; j < params.size(); ++j) {
    if (j == k) continue;
    const std::set<double> distinct(params[j].aggregate.begin(), params[j].aggregate.end());
    if (distinct.size() > 1 && distinct.size() <= 6) by.push_back(j);
  }
  std::map<std::vector<double>, std::size_t> group_of;
  std::vector<QString> labels;
  const auto key_of = [&](bool aggregate, std::size_t i) {
    std::vector<double> key;
    for (std::size_t j : by) key.push_back(aggregate ? params[j].aggregate[i] : params[j].point[i]);
    return key;
  };
  const auto group = [&](const std::vector<double>& key) {
    auto [it, added] = group_of.emplace(key, labels.size());
    if (added) {
      QStringList parts;
      for (std::size_t m = 0; m < by.size(); ++m) {
        parts << QString("%1 %2").arg(params[by[m]].key.section('.', -1),
                                      params[by[m]].value_text(key[m]));
      }
      labels.push_back(parts.join(", "));
    }
    return it->second;
  };
  const std::size_t rows = s.final_mean.size();
  for (std::size_t i = 0; i < rows; ++i) group(key_of(true, i));
  for (std::size_t i = 0; i < s.seed.size(); ++i) group(key_of(false, i));
  if (labels.size() > 8) {  // too many to tell apart: one group
    by.clear();
    group_of.clear();
    labels.assign(1, QString());
    group_of[{}] = 0;
  }
  const std::size_t G = labels.size();
  const auto colour_of = [&](std::size_t g) {
    return G == 1 ? kPalette[0] : kPalette[g % kPalette.size()];
  };

  double y0 = INFINITY, y1 = -INFINITY, x0 = INFINITY, x1 = -INFINITY;
  const auto grow = [&](double x, double y) {
    if (std::isfinite(x)) x0 = std::min(x0, x), x1 = std::max(x1, x);
    if (std::isfinite(y)) y0 = std::min(y0, y), y1 = std::max(y1, y);
  };
  std::vector<QAbstractSeries*> hidden;  // series kept out of the legend
  // seed means (+- sd) per group
  for (std::size_t g = 0; g < G; ++g) {
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < rows; ++i) {
      if (group_of.at(key_of(true, i)) == g && std::isfinite(s.final_mean[i])) {
        order.emplace_back(X(p.aggregate[i]), i);
      }
    }
    std::sort(order.begin(), order.end());
    bool unique_x = true;
    for (std::size_t m = 1; m < order.size(); ++m)
      unique_x = unique_x && order[m].first != order[m - 1].first;
    if (order.size() < 2 || !unique_x) continue;  // no line through one x, or a zigzag
    const QColor c = colour_of(g);
    auto* upper = new QLineSeries;
    auto* lower = new QLineSeries;
    bool any_sd = false;
    for (const auto& [x, i] : order) {
      const double sd = std::isfinite(s.final_sd[i]) ? s.final_sd[i] : 0.0;
      any_sd = any_sd || sd > 0;
      upper->append(x, s.final_mean[i] + sd);
      lower->append(x, s.final_mean[i] - sd);
      grow(x, s.final_mean[i] + sd);
      grow(x, s.final_mean[i] - sd);
    }
    if (any_sd) {
      auto* band = new QAreaSeries(upper, lower);
      QColor fill = c;
      fill.setAlpha(55);
      band->setBrush(fill);
      band->setPen(Qt::NoPen);
      band->setName("mean +- sd");
      chart->addSeries(band);
      hidden.push_back(band);
    } else {
      delete upper;
      delete lower;
    }
    std::vector<double> xs, fm, bm;
    for (const auto& [x, i] : order) {
      xs.push_back(x);
      fm.push_back(s.final_mean[i]);
      bm.push_back(s.best_mean[i]);
      grow(x, s.best_mean[i]);
    }
    auto* lf = line("final mean", xs, fm, c, Qt::SolidLine, 2.0);
    auto* lb = line("best mean", xs, bm, c, Qt::DashLine, 1.3);
    chart->addSeries(lf);
    chart->addSeries(lb);
    hidden.push_back(lf);
    hidden.push_back(lb);
  }
  // the points
  std::vector<QScatterSeries*> finals(G, nullptr), bests(G, nullptr);
  auto* diverged = new QScatterSeries;
  auto* unfinished = new QScatterSeries;
  for (std::size_t i = 0; i < s.seed.size(); ++i) {
    const double x = X(p.point[i]);
    const QString& st = s.status[static_cast<qsizetype>(i)];
    if (st == "diverged") {
      diverged->append(x, 0.0);  // moved to the bottom edge below
      grow(x, NAN);
      continue;
    }
    if (!std::isfinite(s.final_accuracy[i])) continue;  // missing: counted in the title
    grow(x, s.final_accuracy[i]);
    grow(x, s.best_accuracy[i]);
    if (st != "complete") {
      unfinished->append(x, s.final_accuracy[i]);
      continue;
    }
    const std::size_t g = group_of.at(key_of(false, i));
    const QColor c = colour_of(g);
    if (!finals[g]) {
      const QString tag = labels[g].isEmpty() ? QString() : labels[g] + ": ";
      finals[g] = new QScatterSeries;
      finals[g]->setName(tag + "final");
      finals[g]->setMarkerShape(QScatterSeries::MarkerShapeCircle);
      finals[g]->setMarkerSize(9);
      finals[g]->setBrush(c);
      finals[g]->setPen(QPen(c.darker(150), 1));
      bests[g] = new QScatterSeries;
      bests[g]->setName(tag + "best");
      bests[g]->setMarkerShape(QScatterSeries::MarkerShapeCircle);
      bests[g]->setMarkerSize(9);
      bests[g]->setBrush(Qt::white);
      bests[g]->setPen(QPen(c, 1.6));
    }
    finals[g]->append(x, s.final_accuracy[i]);
    bests[g]->append(x, s.best_accuracy[i]);
  }
  for (std::size_t g = 0; g < G; ++g) {
    if (finals[g]) {
      chart->addSeries(bests[g]);
      chart->addSeries(finals[g]);
    }
  }
  if (!std::isfinite(y0)) y0 = 0, y1 = 1;
  if (y1 - y0 < 0.02) y0 -= 0.01, y1 += 0.01;
  const double pad = 0.06 * (y1 - y0);
  // ticks on round accuracies (multiples of step); a diverged row below the data, unlabelled
  double step = 0.01;
  for (double c : {0.01, 0.02, 0.05, 0.1, 0.2, 0.5}) {
    step = c;
    if ((y1 - y0) / c <= 7) break;
  }
  double lo = y0 - pad;
  const double hi = y1 + pad;
  if (unfinished->count() > 0) {
    unfinished->setName("unfinished");
    unfinished->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    unfinished->setMarkerSize(8);
    unfinished->setBrush(QColor(190, 190, 190));
    unfinished->setPen(QPen(QColor(110, 110, 110), 1));
    chart->addSeries(unfinished);
  } else {
    delete unfinished;
  }
  if (diverged->count() > 0) {
    lo -= 1.5 * pad;
    QList<QPointF> pts = diverged->points();
    for (QPointF& q : pts) q.setY(lo + 0.9 * pad);
    diverged->replace(pts);
    diverged->setName("diverged");
    diverged->setMarkerShape(QScatterSeries::MarkerShapeStar);
    diverged->setMarkerSize(14);
    diverged->setBrush(QColor(214, 39, 40));
    diverged->setPen(QPen(QColor(120, 0, 0), 1));
    chart->addSeries(diverged);
  } else {
    delete diverged;
  }
  for (QAbstractSeries* h : hidden) {
    for (QLegendMarker* m : chart->legend()->markers(h)) m->setVisible(false);
  }

  // axes
  QAbstractAxis* ax = nullptr;
  if (!p.categories.isEmpty()) {
    auto* c = new QCategoryAxis;
    c->setLabelsPosition(QCategoryAxis::AxisLabelsPositionCenter);
    for (qsizetype j = 0; j < p.categories.size(); ++j) c->append(p.categories[j], j + 0.5);
    c->setStartValue(-0.5);
    c->setRange(-0.5, p.categories.size() - 0.5);
    c->setTitleText(p.key);
    ax = c;
  } else {
    auto* v = new QValueAxis;
    if (!std::isfinite(x0)) x0 = 0, x1 = 1;
    const double span = x1 > x0 ? x1 - x0 : std::max(std::abs(x0), 1.0);
    v->setRange(x0 - 0.06 * span, x1 + 0.06 * span);
    v->setLabelFormat("%.4g");
    if (p.log_scale) {
      // log10 values on a linear axis: Qt Charts 6.4's QLogValueAxis elides its labels
      v->setTickType(QValueAxis::TicksDynamic);
      v->setTickAnchor(0);
      v->setTickInterval(span >= 2 ? 1.0 : 0.5);
      v->setTitleText(QString("log10(%1)   (log scale: -3 is 0.001)").arg(p.key));
    } else {
      v->setTitleText(p.key);
    }
    ax = v;
  }
  auto* ay = new QValueAxis;
  ay->setRange(lo, hi);
  ay->setTickType(QValueAxis::TicksDynamic);
  ay->setTickAnchor(0);
  ay->setTickInterval(step);
  ay->setMinorTickCount(0);
  ay->setLabelFormat(step < 0.1 ? "%.2f" : "%.1f");
  ay->setTitleText("test accuracy");
  chart->addAxis(ax, Qt::AlignBottom);
  chart->addAxis(ay, Qt::AlignLeft);
  for (QAbstractSeries* q : chart->series()) {
    q->attachAxis(ax);
    q->attachAxis(ay);
  }
  chart->setTitle(QString("Test accuracy against %1: %2").arg(p.key, s.counts()));
  chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
  chart->legend()->setAlignment(Qt::AlignRight);
}

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
    draw_parameter(view->chart(), d, params, k);
    grid->addWidget(view, static_cast<int>(k) / cols, static_cast<int>(k) % cols);
    charts_.push_back(view);
  }
}

}  // namespace gaitsim::gui
