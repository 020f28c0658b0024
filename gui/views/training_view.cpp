#include "gui/views/training_view.hpp"

#include <QGridLayout>
#include <QVBoxLayout>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <map>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

namespace {

const char* const kTitles[8] = {"Accuracy (solid: train, dashed: test)",
                                "Loss (solid: train, dashed: test)",
                                "Angle to BP per layer",
                                "Orthogonality error ||W W^T - I||_F per layer",
                                "Clipped nudged activities per layer",
                                "Learned feedback: inverse error ||Q W - I||_F / sqrt(n) per layer",
                                "Learned feedback: reconstruction loss per layer",
                                "Clipped synapses per layer (Dale's principle)"};

// The grid cell (row, column) of each chart: the clipped counts and the feedback pair each take
// a row of their own, shown only for runs that have them.
constexpr int kCell[8][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {3, 0}, {3, 1}, {2, 1}};

// A per-layer series name: "layer l" for the open run alone, "<run> Ll" among several.
QString layer_name(const QString& tag, int l) {
  return tag.isEmpty() ? QString("layer %1").arg(l) : QString("%1L%2").arg(tag).arg(l);
}

// A log y axis when the chart's positive samples span more than a decade (the inverse error and
// the loss as Q_l learns); a linear one shows small changes better.
bool spans_decades(const QChart* chart) {
  double lo = INFINITY, hi = 0;
  for (QAbstractSeries* s : chart->series()) {
    for (const QPointF& p : qobject_cast<QLineSeries*>(s)->points()) {
      if (p.y() > 0) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
    }
  }
  return hi > 10 * lo;
}

// One series per layer 1, 2, .. of y over x: shades of the run's colour, a dash pattern each.
void add_per_layer(QChart* c, const QString& tag, const std::vector<double>& x,
                   const std::vector<std::vector<double>>& y, const QColor& colour) {
  for (std::size_t l = 0; l < y.size(); ++l) {
    c->addSeries(line(layer_name(tag, int(l) + 1), x, y[l], layer_shade(colour, l, y.size()),
                      kLayerStyles[l % kLayerStyles.size()]));
  }
}

}  // namespace

TrainingView::TrainingView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  summary_ = new QLabel("Open a run file (gaitsim train) to see its training curves.");
  summary_->setTextFormat(Qt::RichText);
  v->addWidget(summary_);
  auto* g = new QGridLayout;
  for (std::size_t k = 0; k < charts_.size(); ++k) {
    charts_[k] = make_chart_view(kTitles[k]);
    g->addWidget(charts_[k], kCell[k][0], kCell[k][1]);
  }
  for (int k : {4, 5, 6, 7}) charts_[k]->setVisible(false);
  v->addLayout(g, 1);
}

void TrainingView::set_runs(const std::vector<TrainingCurves>& runs) {
  for (auto* c : charts_) reset_chart(c->chart());
  // One colour per run in all charts; in the per-layer charts the layers of a run are
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
    add_per_layer(charts_[2]->chart(), tag, t.align_step, t.angle_deg, colour);
    for (std::size_t k = 0; k < t.ortho_error.size(); ++k) {
      charts_[3]->chart()->addSeries(line(
          layer_name(tag, t.ortho_layers[k]), t.epoch, t.ortho_error[k],
          layer_shade(colour, k, t.ortho_error.size()), kLayerStyles[k % kLayerStyles.size()]));
    }
    add_per_layer(charts_[4]->chart(), tag, t.epoch, t.clipped_units, colour);
    add_per_layer(charts_[7]->chart(), tag, t.epoch, t.clipped_synapses, colour);
    // learned feedback: one series per inverted layer l = 2..L, over the feedback steps
    for (std::size_t k = 0; k < t.feedback_layers.size(); ++k) {
      const QColor shade = layer_shade(colour, k, t.feedback_layers.size());
      const Qt::PenStyle style = kLayerStyles[k % kLayerStyles.size()];
      const QString layer = layer_name(tag, t.feedback_layers[k]);
      charts_[5]->chart()->addSeries(
          line(layer, t.feedback_step, t.inverse_error[k], shade, style));
      charts_[6]->chart()->addSeries(
          line(layer, t.feedback_step, t.reconstruction_loss[k], shade, style));
    }
    layers_drawn = std::max(
        {layers_drawn, t.angle_deg.size(), t.ortho_error.size(), t.feedback_layers.size()});
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
        "<br>One colour per run in all charts; per layer: "
        "shades from dark (lowest layer) to light, solid, dashed, dotted, dash-dot.";
  }
  summary_->setText(parts.isEmpty() ? "No run." : parts.join(" &nbsp;&nbsp;|&nbsp;&nbsp; "));
  for (int k = 0; k < 4; ++k) charts_[k]->chart()->setTitle(kTitles[k]);
  integer_ticks(attach_axes(charts_[0]->chart(), "epoch", "accuracy"));
  integer_ticks(attach_axes(charts_[1]->chart(), "epoch", "loss"));
  QValueAxis* steps = attach_axes(charts_[2]->chart(), "optimiser step", "angle [deg]");
  if (steps->max() - steps->min() >= 10) steps->setLabelFormat("%d");
  integer_ticks(attach_axes(charts_[3]->chart(), "epoch", "||W W^T - I||_F"));
  charts_[4]->chart()->setTitle(kTitles[4]);
  integer_ticks(attach_axes(charts_[4]->chart(), "epoch", "units clipped in the epoch"));
  charts_[7]->chart()->setTitle(kTitles[7]);
  integer_ticks(attach_axes(charts_[7]->chart(), "epoch", "synapses clipped in the epoch"));
  for (int k : {5, 6}) {
    QChart* c = charts_[k]->chart();
    c->setTitle(kTitles[k]);
    QValueAxis* x =
        attach_axes(c, "optimiser step", k == 5 ? "||Q W - I||_F / sqrt(n)" : "reconstruction loss",
                    spans_decades(c), k == 5);
    if (x->max() - x->min() >= 10) x->setLabelFormat("%d");
  }
  for (int k : {4, 5, 6, 7}) charts_[k]->setVisible(!charts_[k]->chart()->series().isEmpty());
  // per-layer legends of several runs are long: a column at the right instead of a row
  for (int k : {2, 3, 4, 5, 6, 7})
    charts_[k]->chart()->legend()->setAlignment(runs.size() > 1 ? Qt::AlignRight : Qt::AlignBottom);
  for (auto* c : charts_) {
    c->chart()->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    if (c->chart()->series().isEmpty())
      c->chart()->setTitle(c->chart()->title().section(" (", 0, 0) + " (no data in this file)");
  }
}

}  // namespace gaitsim::gui
