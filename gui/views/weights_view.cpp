#include "gui/views/weights_view.hpp"

#include <QHBoxLayout>
#include <QPainter>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "gui/views/chart_helpers.hpp"

namespace gaitsim::gui {

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
  constraints_ = new QLabel;
  constraints_->setWordWrap(true);
  right->addWidget(constraints_);
  connectivity_ = new QLabel;
  connectivity_->setAlignment(Qt::AlignCenter);
  right->addWidget(connectivity_);
  dann_ = new QLabel;
  dann_->setWordWrap(true);
  right->addWidget(dann_);
  dann_map_ = new QLabel;
  dann_map_->setAlignment(Qt::AlignCenter);
  right->addWidget(dann_map_);
  feedback_ = new QLabel;
  feedback_->setWordWrap(true);
  right->addWidget(feedback_);
  feedback_map_ = new QLabel;
  feedback_map_->setAlignment(Qt::AlignCenter);
  right->addWidget(feedback_map_);
  v->addLayout(right, 2);
  connect(layer_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
}

void WeightsView::set_weights(std::shared_ptr<const WeightsData> w) {
  weights_ = std::move(w);
  layer_->blockSignals(true);
  layer_->clear();
  if (weights_) {
    for (std::size_t l = 0; l < weights_->W.size(); ++l) {
      layer_->addItem(QString("W%1 into %2 (%3 x %4)%5")
                          .arg(l + 1)
                          .arg(weights_->layer_names[l])
                          .arg(weights_->rows[l])
                          .arg(weights_->cols[l])
                          .arg(weights_->Q[l].empty() ? "" : ", learned feedback Q"));
    }
  }
  layer_->blockSignals(false);
  redraw();
}

namespace {

// A histogram as a filled step curve.
void add_histogram(QChart* c, const Histogram& h, const QString& name, const QColor& colour) {
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
  area->setName(name);
  QColor fill = colour;
  fill.setAlpha(160);
  area->setColor(fill);
  area->setBorderColor(colour.darker());
  c->addSeries(area);
}

}  // namespace

// The mask and signs of layer l: counts, and the connectivity image (rows: presynaptic units).
void WeightsView::show_constraints(int l) {
  const auto& mask = weights_->mask[l];
  const auto& sign = weights_->sign[l];
  if (mask.empty() && sign.empty()) {
    constraints_->setText(weights_->dann[l].empty()
                              ? "All-to-all, synapses of either sign (no constraint)."
                              : "All-to-all; Dale's principle through the dann components below.");
    connectivity_->setPixmap(QPixmap());
    return;
  }
  QString text;
  const auto total = static_cast<long long>(weights_->W[l].size());
  if (!mask.empty()) {
    const auto present = std::count(mask.begin(), mask.end(), char(1));
    text += QString("Mask: %1 of %2 synapses present (%3%). ")
                .arg(present)
                .arg(total)
                .arg(100.0 * double(present) / double(total), 0, 'f', 1);
  }
  if (!sign.empty()) {
    const auto inhibitory = std::count(sign.begin(), sign.end(), -1);
    text += QString("Dale (sign): %1 of %2 presynaptic units inhibitory. ")
                .arg(inhibitory)
                .arg(sign.size());
  }
  constraints_->setText(text +
                        "Image: rows presynaptic units, columns postsynaptic; red "
                        "excitatory, blue inhibitory, grey absent.");
  connectivity_->setPixmap(
      QPixmap::fromImage(connectivity_image(*weights_, l)
                             .scaled(240, 240, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

namespace {

// "W_EE 784 x 64 in [0, 0.31]": a component's shape and range.
QString component_text(const char* name, const std::vector<double>& X, int rows, int cols) {
  const auto [lo, hi] = value_range(X, false);
  return QString("%1 %2 x %3 in [%4, %5]").arg(name).arg(rows).arg(cols).arg(number(lo)).arg(
      number(hi));
}

// The three components at one height, 8 px apart, each on its own scale.
QImage components_side_by_side(const DannComponents& d) {
  const int height = 160, gap = 8;
  std::vector<QImage> parts;
  for (const auto& [X, rows, cols] : {std::tuple{&d.EE, d.k, d.n}, {&d.IE, d.k, d.n_inhibitory},
                                      {&d.EI, d.n_inhibitory, d.n}}) {
    const QImage img = component_image(*X, rows, cols);
    const int width = std::max(48, std::min(240, height * cols / std::max(rows, 1)));
    parts.push_back(img.scaled(width, height, Qt::IgnoreAspectRatio, Qt::FastTransformation));
  }
  int total = gap * int(parts.size() - 1);
  for (const QImage& p : parts) total += p.width();
  QImage out(total, height, QImage::Format_RGB32);
  out.fill(qRgb(255, 255, 255));
  QPainter painter(&out);
  int x = 0;
  for (const QImage& p : parts) {
    painter.drawImage(x, 0, p);
    x += p.width() + gap;
  }
  return out;
}

}  // namespace

// Dale's dann form (biology.md): W = W_EE - W_IE W_EI with every component >= 0 and n_I
// interneurons; the panel shows each component and how exactly their product is the stored W.
void WeightsView::show_dann(int l) {
  const DannComponents& d = weights_->dann[l];
  if (d.empty()) {
    dann_->clear();
    dann_map_->setPixmap(QPixmap());
    return;
  }
  dann_->setText(QString("Dale (dann): W%1 = W_EE - W_IE W_EI through %2 interneurons; %3, %4, "
                         "%5; max |W - (W_EE - W_IE W_EI)| / max |W| = %6. Images left to right: "
                         "W_EE, W_IE, W_EI (rows presynaptic; dark 0, yellow the component's max).")
                     .arg(l + 1)
                     .arg(d.n_inhibitory)
                     .arg(component_text("W_EE", d.EE, d.k, d.n))
                     .arg(component_text("W_IE", d.IE, d.k, d.n_inhibitory))
                     .arg(component_text("W_EI", d.EI, d.n_inhibitory, d.n))
                     .arg(number(dann_residual(*weights_, l))));
  dann_map_->setPixmap(QPixmap::fromImage(components_side_by_side(d)));
}

// Learned feedback (issue 15): Q_l of layer l as a heat map and how far it is from W_l^-1. A
// learned-feedback run has Q_l for layers 2..L; an exact-mode run none (the panel stays empty).
void WeightsView::show_feedback(int l) {
  feedback_map_->setPixmap(QPixmap());
  const bool learned =
      std::any_of(weights_->Q.begin(), weights_->Q.end(), [](const auto& q) { return !q.empty(); });
  if (!learned) {
    feedback_->clear();
    return;
  }
  if (weights_->Q[l].empty()) {
    feedback_->setText(QString("Learned feedback: W%1 has no feedback pathway (layer 1's target "
                               "needs no inverse); Q_l exists for W2 and above.")
                           .arg(l + 1));
    return;
  }
  feedback_->setText(QString("Learned feedback Q%1 (%2 x %3; rows: units of %4, columns: the units "
                             "below it feeds back to; red > 0, blue < 0, scaled to max |q|): "
                             "||Q%1 W%1 - I||_F / sqrt(%2) = %5")
                         .arg(l + 1)
                         .arg(weights_->q_rows[l])
                         .arg(weights_->q_cols[l])
                         .arg(weights_->layer_names[l])
                         .arg(number(inverse_error(*weights_, l))));
  feedback_map_->setPixmap(QPixmap::fromImage(
      feedback_image(*weights_, l).scaled(240, 240, Qt::KeepAspectRatio, Qt::FastTransformation)));
}

void WeightsView::redraw() {
  QChart* c = histogram_->chart();
  reset_chart(c);
  if (!weights_ || weights_->W.empty()) {
    fields_->setPixmap(QPixmap());
    attach_axes(c, "weight", "count");
    constraints_->clear();
    connectivity_->setPixmap(QPixmap());
    dann_->clear();
    dann_map_->setPixmap(QPixmap());
    feedback_->clear();
    feedback_map_->setPixmap(QPixmap());
    return;
  }
  const int l = std::max(layer_->currentIndex(), 0);
  const bool constrained = !weights_->mask[l].empty() || !weights_->sign[l].empty();
  if (!constrained) {
    add_histogram(c, histogram(weights_->W[l], 60),
                  QString("W%1, %2 weights").arg(l + 1).arg(weights_->W[l].size()),
                  QColor(31, 119, 180));
  } else {
    const auto [excitatory, inhibitory] = weights_by_sign(*weights_, l);
    const bool signed_ = !weights_->sign[l].empty();
    if (!excitatory.empty()) {
      add_histogram(
          c, histogram(excitatory, 60),
          QString("%1 %2 synapses").arg(excitatory.size()).arg(signed_ ? "excitatory" : "present"),
          QColor(200, 50, 40));
    }
    if (!inhibitory.empty()) {
      add_histogram(c, histogram(inhibitory, 60),
                    QString("%1 inhibitory synapses").arg(inhibitory.size()), QColor(40, 90, 200));
    }
  }
  attach_axes(c, "weight", "count", false, true);
  show_constraints(l);
  show_dann(l);
  show_feedback(l);
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
