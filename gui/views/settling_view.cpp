#include "gui/views/settling_view.hpp"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLogValueAxis>
#include <algorithm>
#include <cmath>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

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
        for (double v : y) lo = std::min(lo, v), hi = std::max(hi, v);
        const double ref = source_->reference(l, phase, n, units[k]);
        if (!std::isfinite(ref)) continue;  // not in the file (record without --targets)
        auto* r = line("", {t.front(), t.back()}, {ref, ref}, colour, Qt::DashLine, 1.2);
        rc->addSeries(r);
        rc->legend()->markers(r)[0]->setVisible(false);
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

}  // namespace gaitsim::gui
