#include "gui/views.hpp"

#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <cmath>
#include <map>
#include <set>

namespace gaitsim::gui {

namespace {

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

// Attaches value axes with titles and padded ranges; y may be logarithmic.
QValueAxis* attach_axes(QChart* chart, const QString& xt, const QString& yt, bool log_y = false,
                        bool y_from_zero = false) {
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
    const double d0 = std::floor(std::log10(y0)),
                 d1 = std::max(std::ceil(std::log10(std::max(y1, y0))), d0 + 1);
    l->setBase(10);
    l->setLabelFormat("%g");
    l->setRange(std::pow(10.0, d0), std::pow(10.0, d1));
    l->setMinorTickCount(-1);
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

// Integer ticks (epochs, steps): one tick per integer when there are at most 12, otherwise a
// round integer interval; labels "%d".
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

// The colour of run r's layer l of n: the run's hue, darker for lower layers.
QColor layer_shade(QColor run, std::size_t l, std::size_t n) {
  const double t = n > 1 ? double(l) / double(n - 1) : 0.0;
  float h = 0, sat = 0, light = 0;
  run.getHslF(&h, &sat, &light);
  return QColor::fromHslF(h, sat, static_cast<float>(0.27 + 0.33 * t));
}

const std::array<Qt::PenStyle, 5> kLayerStyles = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                                  Qt::DashDotLine, Qt::DashDotDotLine};

QLineSeries* line(const QString& name, const std::vector<double>& x, const std::vector<double>& y,
                  QColor colour, Qt::PenStyle style = Qt::SolidLine, double width = 2.0) {
  auto* s = new QLineSeries;
  s->setName(name);
  const std::size_t n = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < n; ++i) s->append(x[i], y[i]);
  QPen pen(colour);
  pen.setStyle(style);
  pen.setWidthF(width);
  s->setPen(pen);
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

}  // namespace

// ------------------------------------------------------------------ HeatmapWidget
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

void HeatmapWidget::set_image(const QString& title, const QImage& img) {
  title_ = title;
  image_ = img;
  colour_bar_ = false;
  aux_.clear();
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

// ------------------------------------------------------------------ NetworkView
NetworkView::NetworkView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  auto* top = new QHBoxLayout;
  spin_ = new QSpinBox;
  spin_->setPrefix("stimulus ");
  spin_->setEnabled(false);
  caption_ = new QLabel("Open a responses file (gaitsim record --targets) or a run file.");
  caption_->setWordWrap(true);
  input_ = new HeatmapWidget;
  input_->setFixedSize(150, 150);
  auto* left = new QVBoxLayout;
  left->addWidget(spin_);
  left->addWidget(input_);
  left->addWidget(caption_);
  left->addStretch();
  auto* lw = new QWidget;
  lw->setLayout(left);
  lw->setFixedWidth(190);
  top->addWidget(lw);
  grid_host_ = new QWidget;
  new QGridLayout(grid_host_);
  top->addWidget(grid_host_, 1);
  setLayout(top);
  connect(spin_, qOverload<int>(&QSpinBox::valueChanged), this,
          [this](int v) { show_stimulus(v); });
}

void NetworkView::rebuild(int layers) {
  if (static_cast<int>(maps_.size()) == layers) return;
  auto* grid = static_cast<QGridLayout*>(grid_host_->layout());
  for (auto& m : maps_)
    for (auto* w : m) delete w;
  for (auto* t : layer_titles_) delete t;
  maps_.clear();
  layer_titles_.clear();
  const char* rows[3] = {"forward rate h", "target t", "difference t - h"};
  for (int r = 0; r < 3; ++r) {
    auto* lab = new QLabel(rows[r]);
    lab->setStyleSheet("font-weight: bold");
    lab->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    grid->addWidget(lab, r + 1, 0);
    layer_titles_.push_back(lab);
  }
  grid->setRowStretch(0, 0);
  for (int r = 1; r <= 3; ++r) grid->setRowStretch(r, 1);
  grid->setColumnStretch(0, 0);
  for (int l = 0; l < layers; ++l) {
    grid->setColumnStretch(l + 1, 1);
    auto* title = new QLabel;
    title->setAlignment(Qt::AlignCenter);
    title->setStyleSheet("font-weight: bold");
    grid->addWidget(title, 0, l + 1);
    layer_titles_.push_back(title);
    std::array<HeatmapWidget*, 3> m{};
    for (int r = 0; r < 3; ++r) {
      m[r] = new HeatmapWidget;
      grid->addWidget(m[r], r + 1, l + 1);
    }
    maps_.push_back(m);
  }
}

void NetworkView::set_source(std::shared_ptr<const NetworkSource> source,
                             const QString& unavailable) {
  source_ = std::move(source);
  current_ = -1;
  if (!source_ || source_->count() == 0) {
    rebuild(0);
    spin_->setEnabled(false);
    input_->set_image("", QImage());
    caption_->setText(unavailable.isEmpty() ? "No network responses in this file." : unavailable);
    return;
  }
  spin_->blockSignals(true);
  spin_->setRange(0, static_cast<int>(source_->count() - 1));
  spin_->setValue(0);
  spin_->blockSignals(false);
  spin_->setEnabled(true);
  show_stimulus(0);
}

void NetworkView::show_stimulus(long long i) {
  if (!source_ || source_->count() == 0) return;
  i = std::clamp<long long>(i, 0, source_->count() - 1);
  try {
    data_ = source_->stimulus(i);
  } catch (const std::exception& e) {
    caption_->setText(QString("cannot read stimulus %1: %2").arg(i).arg(e.what()));
    return;
  }
  current_ = i;
  if (spin_->value() != i) {
    spin_->blockSignals(true);
    spin_->setValue(static_cast<int>(i));
    spin_->blockSignals(false);
  }
  input_->set_image("input", input_image(data_.input, data_.image_h, data_.image_w, data_.image_c));
  caption_->setText(QString("stimulus %1 of %2 (id %3)\nlabel %4, prediction %5%6\n\n%7\n\n"
                            "Left/Right: previous/next stimulus. Dots mark auxiliary units.")
                        .arg(i)
                        .arg(source_->count())
                        .arg(data_.id)
                        .arg(data_.label)
                        .arg(data_.prediction)
                        .arg(data_.label >= 0
                                 ? (data_.label == data_.prediction ? " (correct)" : " (wrong)")
                                 : "")
                        .arg(source_->description()));
  rebuild(static_cast<int>(data_.layers.size()));
  for (std::size_t l = 0; l < data_.layers.size(); ++l) {
    const LayerSlice& s = data_.layers[l];
    layer_titles_[3 + l]->setText(QString("%1 (%2 units)").arg(s.name).arg(s.width));
    maps_[l][0]->set_values("", s.rate, s.auxiliary, false);
    if (s.target.empty()) {
      maps_[l][1]->set_values("(no targets recorded)", {}, {}, false);
      maps_[l][2]->set_values("", {}, {}, true);
    } else {
      std::vector<double> diff(s.rate.size());
      for (std::size_t j = 0; j < diff.size(); ++j) diff[j] = s.target[j] - s.rate[j];
      maps_[l][1]->set_values("", s.target, s.auxiliary, false);
      maps_[l][2]->set_values("", diff, s.auxiliary, true);
    }
  }
}

void NetworkView::keyPressEvent(QKeyEvent* e) {
  switch (e->key()) {
    case Qt::Key_Right:
    case Qt::Key_Down:
    case Qt::Key_Space:
    case Qt::Key_N:
      show_stimulus(current_ + 1);
      break;
    case Qt::Key_Left:
    case Qt::Key_Up:
    case Qt::Key_Backspace:
    case Qt::Key_P:
      show_stimulus(current_ - 1);
      break;
    case Qt::Key_Home:
      show_stimulus(0);
      break;
    case Qt::Key_End:
      if (source_) show_stimulus(source_->count() - 1);
      break;
    default:
      QWidget::keyPressEvent(e);
  }
}

// ------------------------------------------------------------------ SettlingView
SettlingView::SettlingView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  auto* v = new QVBoxLayout(this);
  auto* controls = new QHBoxLayout;
  stimulus_ = new QSpinBox;
  stimulus_->setPrefix("stimulus ");
  layer_ = new QComboBox;
  units_ = new QLineEdit("0-5");
  units_->setToolTip("units to draw: e.g. 0,3,7 or 0-5 (at most 12)");
  controls->addWidget(stimulus_);
  controls->addWidget(new QLabel("layer"));
  controls->addWidget(layer_);
  controls->addWidget(new QLabel("units"));
  controls->addWidget(units_);
  controls->addStretch();
  v->addLayout(controls);
  message_ = new QLabel("Open a trajectories file (gaitsim settle).");
  message_->setWordWrap(true);
  v->addWidget(message_);
  rates_ = make_chart_view("Rates through the free and the target phase");
  residual_ = make_chart_view("Residual: max |dh/dt| over all layers and units (log scale)");
  v->addWidget(rates_, 3);
  v->addWidget(residual_, 2);
  connect(stimulus_, qOverload<int>(&QSpinBox::valueChanged), this, [this] { redraw(); });
  connect(layer_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
  connect(units_, &QLineEdit::editingFinished, this, [this] { redraw(); });
}

void SettlingView::set_source(std::shared_ptr<const SettleSource> source, const QString& warning) {
  source_ = std::move(source);
  layer_->blockSignals(true);
  layer_->clear();
  if (source_) {
    for (int l = 1; l <= source_->depth(); ++l) {
      layer_->addItem(
          QString("%1 (%2)").arg(source_->layer_names()[l - 1]).arg(source_->widths()[l - 1]));
    }
    stimulus_->setRange(0, static_cast<int>(std::max<long long>(source_->stimuli() - 1, 0)));
    layer_->setCurrentIndex(source_->depth() - 1);
  }
  layer_->blockSignals(false);
  message_->setText(warning);
  message_->setStyleSheet(warning.isEmpty() ? "" : "color: #a00000; font-weight: bold");
  redraw();
}

void SettlingView::set_selection(long long stimulus, int layer, const QString& units) {
  stimulus_->blockSignals(true);
  layer_->blockSignals(true);
  stimulus_->setValue(static_cast<int>(stimulus));
  if (layer >= 1 && layer <= layer_->count()) layer_->setCurrentIndex(layer - 1);
  if (!units.isEmpty()) units_->setText(units);
  stimulus_->blockSignals(false);
  layer_->blockSignals(false);
  redraw();
}

void SettlingView::keyPressEvent(QKeyEvent* e) {
  if (e->key() == Qt::Key_Right)
    stimulus_->setValue(stimulus_->value() + 1);
  else if (e->key() == Qt::Key_Left)
    stimulus_->setValue(stimulus_->value() - 1);
  else
    QWidget::keyPressEvent(e);
}

void SettlingView::redraw() {
  QChart* rc = rates_->chart();
  QChart* qc = residual_->chart();
  reset_chart(rc);
  reset_chart(qc);
  if (!source_) {
    attach_axes(rc, "time [ms]", "rate");
    attach_axes(qc, "time [ms]", "max |dh/dt| [1/ms]", true);
    return;
  }
  const long long n = stimulus_->value();
  const int l = layer_->currentIndex() + 1;
  const std::vector<int> units = parse_units(units_->text(), source_->widths()[l - 1]);
  const double t_free_end =
      source_->has_phase(0) && !source_->time(0).empty() ? source_->time(0).back() : 0.0;
  double lo = INFINITY, hi = -INFINITY;
  try {
    for (std::size_t k = 0; k < units.size(); ++k) {
      const QColor colour = kPalette[k % kPalette.size()];
      for (int phase = 0; phase < 2; ++phase) {
        if (!source_->has_phase(phase)) continue;
        std::vector<double> t = source_->time(phase);
        if (phase == 1)
          for (double& x : t) x += t_free_end;
        const std::vector<double> y = source_->trace(l, phase, n, units[k]);
        auto* s = line(QString("unit %1").arg(units[k]), t, y, colour);
        rc->addSeries(s);
        if (phase == 1 && source_->has_phase(0)) rc->legend()->markers(s)[0]->setVisible(false);
        const double ref = source_->reference(l, phase, n, units[k]);
        auto* r = line("", {t.front(), t.back()}, {ref, ref}, colour, Qt::DashLine, 1.2);
        rc->addSeries(r);
        rc->legend()->markers(r)[0]->setVisible(false);
        for (double v : y) lo = std::min(lo, v), hi = std::max(hi, v);
        lo = std::min(lo, ref);
        hi = std::max(hi, ref);
      }
    }
    if (source_->has_phase(0) && source_->has_phase(1) && std::isfinite(lo)) {
      auto* b =
          line("phase boundary", {t_free_end, t_free_end}, {lo, hi}, Qt::black, Qt::DotLine, 1.5);
      rc->addSeries(b);
    }
    for (int phase = 0; phase < 2; ++phase) {
      if (!source_->has_phase(phase)) continue;
      std::vector<double> t = source_->time(phase);
      std::vector<double> r = source_->residual(phase, n);
      t.erase(t.begin());
      if (phase == 1)
        for (double& x : t) x += t_free_end;
      // log10 on a linear axis: Qt Charts 6.4's QLogValueAxis elides its labels here
      for (double& v : r) v = std::log10(std::max(v, 1e-15));
      qc->addSeries(line(phase == 0 ? "free phase" : "target phase", t, r,
                         phase == 0 ? QColor(31, 119, 180) : QColor(214, 39, 40)));
    }
  } catch (const std::exception& e) {
    message_->setText(e.what());
  }
  rc->setTitle(QString("%1, stimulus %2 (label %3): free phase, then target phase from %4 ms; "
                       "dashed: one-sweep values")
                   .arg(source_->layer_names()[l - 1])
                   .arg(n)
                   .arg(source_->label(n))
                   .arg(number(t_free_end)));
  attach_axes(rc, "time [ms]", "rate h");
  attach_axes(qc, "time [ms]", "log10 residual [1/ms]");
}

// ------------------------------------------------------------------ TrainingView
TrainingView::TrainingView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  summary_ = new QLabel("Open a run file (gaitsim train) to see its training curves.");
  summary_->setTextFormat(Qt::RichText);
  v->addWidget(summary_);
  auto* g = new QGridLayout;
  const char* titles[4] = {"Accuracy (solid: train, dashed: test)",
                           "Loss (solid: train, dashed: test)", "Angle to BP per layer",
                           "Orthogonality error ||W W^T - I||_F per layer"};
  for (int k = 0; k < 4; ++k) {
    charts_[k] = make_chart_view(titles[k]);
    g->addWidget(charts_[k], k / 2, k % 2);
  }
  v->addLayout(g, 1);
}

void TrainingView::set_runs(const std::vector<TrainingCurves>& runs) {
  for (auto* c : charts_) reset_chart(c->chart());
  // One colour per run in all four charts; in the per-layer charts the layers of a run are
  // shades of its colour (dark = low) with a dash pattern per layer.
  QStringList parts;
  std::map<QString, int> seen;
  std::size_t layers_drawn = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const TrainingCurves& t = runs[r];
    const QColor colour = kPalette[r % kPalette.size()];
    QString name = t.name;
    if (const int k = seen[name]++; k > 0) name += QString(" (%1)").arg(k + 1);
    const QString tag = runs.size() > 1 ? name + " " : QString();
    charts_[0]->chart()->addSeries(line(tag + "train", t.epoch, t.train_accuracy, colour));
    charts_[0]->chart()->addSeries(
        line(tag + "test", t.epoch, t.test_accuracy, colour, Qt::DashLine));
    charts_[1]->chart()->addSeries(line(tag + "train", t.epoch, t.train_loss, colour));
    charts_[1]->chart()->addSeries(line(tag + "test", t.epoch, t.test_loss, colour, Qt::DashLine));
    for (std::size_t l = 0; l < t.angle_deg.size(); ++l) {
      charts_[2]->chart()->addSeries(line(
          tag.isEmpty() ? QString("layer %1").arg(l + 1) : QString("%1L%2").arg(tag).arg(l + 1),
          t.align_step, t.angle_deg[l], layer_shade(colour, l, t.angle_deg.size()),
          kLayerStyles[l % kLayerStyles.size()]));
    }
    for (std::size_t k = 0; k < t.ortho_error.size(); ++k) {
      charts_[3]->chart()->addSeries(
          line(tag.isEmpty() ? QString("layer %1").arg(t.ortho_layers[k])
                             : QString("%1L%2").arg(tag).arg(t.ortho_layers[k]),
               t.epoch, t.ortho_error[k], layer_shade(colour, k, t.ortho_error.size()),
               kLayerStyles[k % kLayerStyles.size()]));
    }
    layers_drawn = std::max({layers_drawn, t.angle_deg.size(), t.ortho_error.size()});
    QString acc = t.test_accuracy.empty()
                      ? "no epoch yet"
                      : QString("test accuracy %1 %").arg(100 * t.test_accuracy.back(), 0, 'f', 2);
    parts << QString(
                 "<span style=\"color:%1\">&#9632;</span> <b>%2</b>: %3 epochs, %4 steps, %5, %6")
                 .arg(colour.name(), name.toHtmlEscaped())
                 .arg(t.epoch.size())
                 .arg(t.steps)
                 .arg(t.status, acc);
  }
  if (layers_drawn > 1 && !parts.isEmpty()) {
    parts.last() +=
        "<br>One colour per run in all four charts; per layer (angle, orthogonality): "
        "shades from dark (lowest layer) to light, solid, dashed, dotted, dash-dot.";
  }
  summary_->setText(parts.isEmpty() ? "No run." : parts.join(" &nbsp;&nbsp;|&nbsp;&nbsp; "));
  charts_[0]->chart()->setTitle("Accuracy (solid: train, dashed: test)");
  charts_[1]->chart()->setTitle("Loss (solid: train, dashed: test)");
  charts_[2]->chart()->setTitle("Angle to BP per layer");
  charts_[3]->chart()->setTitle("Orthogonality error ||W W^T - I||_F per layer");
  integer_ticks(attach_axes(charts_[0]->chart(), "epoch", "accuracy"));
  integer_ticks(attach_axes(charts_[1]->chart(), "epoch", "loss"));
  QValueAxis* steps = attach_axes(charts_[2]->chart(), "optimiser step", "angle [deg]");
  if (steps->max() - steps->min() >= 10) steps->setLabelFormat("%d");
  integer_ticks(attach_axes(charts_[3]->chart(), "epoch", "||W W^T - I||_F"));
  // per-layer legends of several runs are long: a column at the right instead of a row
  for (int k : {2, 3})
    charts_[k]->chart()->legend()->setAlignment(runs.size() > 1 ? Qt::AlignRight : Qt::AlignBottom);
  for (auto* c : charts_) {
    c->chart()->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    if (c->chart()->series().isEmpty())
      c->chart()->setTitle(c->chart()->title().section(" (", 0, 0) + " (no data in this file)");
  }
}

// ------------------------------------------------------------------ SweepView
namespace {

struct Band {
  std::vector<double> x, mean, sd;
};

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

// ------------------------------------------------------------------ WeightsView
WeightsView::WeightsView(QWidget* parent) : QWidget(parent) {
  auto* v = new QHBoxLayout(this);
  auto* left = new QVBoxLayout;
  caption_ = new QLabel("Open a run file to see its first layer's receptive fields.");
  caption_->setWordWrap(true);
  fields_ = new QLabel;
  fields_->setAlignment(Qt::AlignCenter);
  fields_->setMinimumSize(300, 300);
  left->addWidget(caption_);
  left->addWidget(fields_, 1);
  v->addLayout(left, 3);
  auto* right = new QVBoxLayout;
  layer_ = new QComboBox;
  right->addWidget(layer_);
  histogram_ = make_chart_view("Weight histogram");
  right->addWidget(histogram_, 1);
  v->addLayout(right, 2);
  connect(layer_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
}

void WeightsView::set_weights(std::shared_ptr<const WeightsData> w) {
  weights_ = std::move(w);
  layer_->blockSignals(true);
  layer_->clear();
  if (weights_) {
    for (std::size_t l = 0; l < weights_->W.size(); ++l) {
      layer_->addItem(QString("W%1 into %2 (%3 x %4)")
                          .arg(l + 1)
                          .arg(weights_->layer_names[l])
                          .arg(weights_->rows[l])
                          .arg(weights_->cols[l]));
    }
  }
  layer_->blockSignals(false);
  redraw();
}

void WeightsView::redraw() {
  QChart* c = histogram_->chart();
  reset_chart(c);
  if (!weights_ || weights_->W.empty()) {
    fields_->setPixmap(QPixmap());
    attach_axes(c, "weight", "count");
    return;
  }
  const int l = std::max(layer_->currentIndex(), 0);
  const Histogram h = histogram(weights_->W[l], 60);
  auto* upper = new QLineSeries;
  auto* lower = new QLineSeries;
  const double bw = (h.hi - h.lo) / h.counts.size();
  for (std::size_t b = 0; b < h.counts.size(); ++b) {
    upper->append(h.lo + b * bw, h.counts[b]);
    upper->append(h.lo + (b + 1) * bw, h.counts[b]);
    lower->append(h.lo + b * bw, 0);
    lower->append(h.lo + (b + 1) * bw, 0);
  }
  auto* area = new QAreaSeries(upper, lower);
  area->setName(QString("W%1, %2 weights").arg(l + 1).arg(weights_->W[l].size()));
  area->setColor(QColor(31, 119, 180));
  area->setBorderColor(QColor(20, 70, 120));
  c->addSeries(area);
  attach_axes(c, "weight", "count", false, true);
  c->setTitle(QString("Histogram of W%1 (into %2)").arg(l + 1).arg(weights_->layer_names[l]));

  // receptive fields of layer 1: up to 64 units, tiles on a diverging map scaled per tile
  const int h_img = weights_->image_h, w_img = weights_->image_w;
  if (h_img <= 0) {
    caption_->setText("The input is not an image: no receptive fields drawn.");
    fields_->setPixmap(QPixmap());
    return;
  }
  const int units = std::min(weights_->cols[0], 64);
  const int per_row = static_cast<int>(std::ceil(std::sqrt(double(units))));
  const int rows = (units + per_row - 1) / per_row;
  const int gap = 2;
  QImage mosaic(per_row * (w_img + gap) + gap, rows * (h_img + gap) + gap, QImage::Format_RGB32);
  mosaic.fill(qRgb(60, 60, 60));
  for (int u = 0; u < units; ++u) {
    const std::vector<double> rf = receptive_field(*weights_, u);
    const auto [lo, hi] = value_range(rf, true);
    const int ox = gap + (u % per_row) * (w_img + gap), oy = gap + (u / per_row) * (h_img + gap);
    for (int y = 0; y < h_img; ++y) {
      for (int x = 0; x < w_img; ++x) {
        double v = 0;  // colour images: mean over channels
        for (int ch = 0; ch < weights_->image_c; ++ch) v += rf[(ch * h_img + y) * w_img + x];
        v /= weights_->image_c;
        mosaic.setPixel(ox + x, oy + y, diverging_colour(v / hi));
      }
    }
  }
  const int side = 560;
  fields_->setPixmap(
      QPixmap::fromImage(mosaic.scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation)));
  caption_->setText(QString("Receptive fields: columns of W1 for the first %1 of %2 units of %3, "
                            "each reshaped to %4 x %5 and scaled to its own max |w| "
                            "(red > 0, blue < 0)")
                        .arg(units)
                        .arg(weights_->cols[0])
                        .arg(weights_->layer_names[0])
                        .arg(h_img)
                        .arg(w_img));
}

}  // namespace gaitsim::gui
