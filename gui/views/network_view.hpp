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
// difference as heatmaps; stepping through stimuli with the keyboard.
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

 protected:
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void rebuild(int layers);
  std::shared_ptr<const NetworkSource> source_;
  StimulusData data_;
  long long current_ = -1;
  QSpinBox* spin_;
  QLabel* caption_;
  HeatmapWidget* input_;
  QWidget* grid_host_;
  std::vector<std::array<HeatmapWidget*, 3>> maps_;
  std::vector<QLabel*> layer_titles_;
};

}  // namespace gaitsim::gui
