#pragma once
#include <QLabel>
#include <QSpinBox>
#include <QWidget>
#include <array>
#include <memory>

#include "gui/models.hpp"
#include "gui/views/heatmap_widget.hpp"

namespace gaitsim::gui {

// The network view: one stimulus's input and, per layer, forward rates, targets and their
// difference as heatmaps (and, for Dale's dann form, each layer's interneuron rates z in a
// fourth row); stepping through stimuli with the keyboard.
class NetworkView : public QWidget {
  Q_OBJECT
 public:
  explicit NetworkView(QWidget* parent = nullptr);
  void set_source(std::shared_ptr<const NetworkSource> source, const QString& unavailable);
  void show_stimulus(long long i);
  long long current() const { return current_; }
  const StimulusData& data() const { return data_; }
  QString caption() const { return caption_->text(); }
  // The title of driven layer l + 1's column: its name and cell counts.
  QString layer_title(std::size_t l) const { return layer_titles_.at(3 + l)->text(); }
  // The interneuron row (dann): whether it is shown, and layer l + 1's map of z, for tests.
  bool interneurons_shown() const { return interneuron_label_ && !interneuron_label_->isHidden(); }
  const HeatmapWidget* interneuron_map(std::size_t l) const { return interneuron_maps_.at(l); }

 protected:
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void rebuild(int layers);
  void show_interneurons();
  std::shared_ptr<const NetworkSource> source_;
  StimulusData data_;
  long long current_ = -1;
  QSpinBox* spin_;
  QLabel* caption_;
  HeatmapWidget* input_;
  QWidget* grid_host_;
  std::vector<std::array<HeatmapWidget*, 3>> maps_;
  std::vector<QLabel*> layer_titles_;
  QLabel* interneuron_label_ = nullptr;           // the interneuron row's label
  std::vector<HeatmapWidget*> interneuron_maps_;  // per layer: the rates z of its interneurons
};

}  // namespace gaitsim::gui
