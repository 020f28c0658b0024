#include "gui/views/training_view.hpp"

#include <QGridLayout>
#include <QVBoxLayout>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <map>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

TrainingView::TrainingView(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  summary_ = new QLabel("Open a run file (gaitsim train) to see its training curves.");
  summary_->setTextFormat(Qt::RichText);
  v->addWidget(summary_);
  auto* g = new QGridLayout;
  const char* titles[5] = {"Accuracy (solid: train, dashed: test)",
                           "Loss (solid: train, dashed: test)", "Angle to BP per layer",
                           "Orthogonality error ||W W^T - I||_F per layer",
                           "Clipped nudged activities per layer"};
  for (int k = 0; k < 5; ++k) {
    charts_[k] = make_chart_view(titles[k]);
    g->addWidget(charts_[k], k / 2, k % 2);
  }
  charts_[4]->setVisible(false);
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
    for (std::size_t l = 0; l < t.clipped_units.size(); ++l) {
      charts_[4]->chart()->addSeries(line(
          tag.isEmpty() ? QString("layer %1").arg(l + 1) : QString("%1L%2").arg(tag).arg(l + 1),
          t.epoch, t.clipped_units[l], layer_shade(colour, l, t.clipped_units.size()),
          kLayerStyles[l % kLayerStyles.size()]));
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
  charts_[4]->chart()->setTitle("Clipped nudged activities per layer");
  integer_ticks(attach_axes(charts_[4]->chart(), "epoch", "units clipped in the epoch"));
  charts_[4]->setVisible(!charts_[4]->chart()->series().isEmpty());
  // per-layer legends of several runs are long: a column at the right instead of a row
  for (int k : {2, 3, 4})
    charts_[k]->chart()->legend()->setAlignment(runs.size() > 1 ? Qt::AlignRight : Qt::AlignBottom);
  for (auto* c : charts_) {
    c->chart()->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    if (c->chart()->series().isEmpty())
      c->chart()->setTitle(c->chart()->title().section(" (", 0, 0) + " (no data in this file)");
  }
}

}  // namespace gaitsim::gui
