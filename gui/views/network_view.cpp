#include "gui/views/network_view.hpp"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QVBoxLayout>
#include <algorithm>
#include <array>

namespace gaitsim::gui {

namespace {

// Dale's dann form: "; 7 interneurons, mean rate 0.12".
QString interneuron_text(const LayerSlice& s) {
  if (s.interneurons.empty()) return "";
  double sum = 0;
  for (double z : s.interneurons) sum += z;
  return QString("; %1 interneurons, mean rate %2")
      .arg(s.interneurons.size())
      .arg(sum / double(s.interneurons.size()), 0, 'g', 3);
}

// "64 units", or with Dale's principle the cell types: "64 units: 40 E, 8 I, 16 aux" (dann:
// with the layer's interneurons and their mean rate).
QString cell_counts(const LayerSlice& s) {
  if (s.inhibitory.empty()) return QString("%1 units").arg(s.width);
  int inhibitory = 0, auxiliary = 0;
  for (std::size_t j = 0; j < s.inhibitory.size(); ++j) {
    const bool aux = j < s.auxiliary.size() && s.auxiliary[j];
    auxiliary += aux;
    inhibitory += !aux && s.inhibitory[j];
  }
  return QString("%1 units: %2 E, %3 I, %4 aux%5")
      .arg(s.width)
      .arg(s.width - inhibitory - auxiliary)
      .arg(inhibitory)
      .arg(auxiliary)
      .arg(interneuron_text(s));
}

}  // namespace

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
  for (auto* m : interneuron_maps_) delete m;
  delete interneuron_label_;
  maps_.clear();
  layer_titles_.clear();
  interneuron_maps_.clear();
  const char* rows[3] = {"forward rate h", "target t", "difference t - h"};
  for (int r = 0; r < 3; ++r) {
    auto* lab = new QLabel(rows[r]);
    lab->setStyleSheet("font-weight: bold");
    lab->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    grid->addWidget(lab, r + 1, 0);
    layer_titles_.push_back(lab);
  }
  interneuron_label_ = new QLabel("interneurons z");
  interneuron_label_->setStyleSheet("font-weight: bold");
  interneuron_label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  grid->addWidget(interneuron_label_, 4, 0);
  grid->setRowStretch(0, 0);
  for (int r = 1; r <= 4; ++r) grid->setRowStretch(r, 1);
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
    interneuron_maps_.push_back(new HeatmapWidget);
    grid->addWidget(interneuron_maps_.back(), 4, l + 1);
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
                            "Left/Right: previous/next stimulus. Dots mark auxiliary units%8.")
                        .arg(i)
                        .arg(source_->count())
                        .arg(data_.id)
                        .arg(data_.label)
                        .arg(data_.prediction)
                        .arg(data_.label >= 0
                                 ? (data_.label == data_.prediction ? " (correct)" : " (wrong)")
                                 : "")
                        .arg(source_->description())
                        .arg(std::any_of(data_.layers.begin(), data_.layers.end(),
                                         [](const LayerSlice& s) { return !s.inhibitory.empty(); })
                                 ? ", rings inhibitory units (Dale's principle; the others "
                                   "are excitatory)"
                                 : ""));
  rebuild(static_cast<int>(data_.layers.size()));
  show_interneurons();
  for (std::size_t l = 0; l < data_.layers.size(); ++l) {
    const LayerSlice& s = data_.layers[l];
    layer_titles_[3 + l]->setText(QString("%1 (%2)").arg(s.name).arg(cell_counts(s)));
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
    for (auto* map : maps_[l]) map->set_inhibitory(s.inhibitory);
  }
}

// Dale's dann form: each layer's interneuron rates z_l = h_{l-1} W^IE in the fourth row, shown
// only when some layer has interneurons.
void NetworkView::show_interneurons() {
  if (!interneuron_label_) return;  // no layer drawn yet
  const bool any = std::any_of(data_.layers.begin(), data_.layers.end(),
                               [](const LayerSlice& s) { return !s.interneurons.empty(); });
  interneuron_label_->setVisible(any);
  for (std::size_t l = 0; l < interneuron_maps_.size(); ++l) {
    interneuron_maps_[l]->setVisible(any);
    const auto& z = data_.layers[l].interneurons;
    interneuron_maps_[l]->set_values(z.empty() ? "(no interneurons)" : "", z, {}, false);
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

}  // namespace gaitsim::gui
