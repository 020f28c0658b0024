#pragma once
// The viewer's window: File menu (open, recent, compare, follow, run, export), the five views
// in tabs, a message line for problems. Loading runs on a worker thread (QtConcurrent); the
// window stays responsive and shows the previous file until the new one is ready.
#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QLabel>
#include <QMainWindow>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProcess>
#include <QProgressBar>
#include <QTabWidget>
#include <QTimer>

#include "gui/models.hpp"
#include "gui/views/network_view.hpp"
#include "gui/views/settling_view.hpp"
#include "gui/views/sweep_view.hpp"
#include "gui/views/training_view.hpp"
#include "gui/views/weights_view.hpp"

namespace gaitsim::gui {

enum class View { Network = 0, Settling = 1, Training = 2, Weights = 3, Sweep = 4 };
bool parse_view(const QString& name, View& out);

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a file in the background; `loaded` is emitted when done (also on failure).
  void open_file(const QString& path);
  // Opens and shows a file on the calling thread (screenshots, plots).
  void open_file_now(const QString& path);
  void add_comparison(const QString& run_file);
  void set_following(bool on);
  bool following() const { return following_; }
  // Starts `gaitsim train CONFIG --out DIR` and follows DIR/run.h5.
  void start_run(const QString& config, const QString& out_dir);
  void cancel_run();
  // Writes the current view as PNG, or as vector graphics by suffix: .svg (QSvgGenerator) or
  // .pdf (QPdfWriter), atomically (temp + rename). Returns success.
  bool export_view(const QString& path, QString* error = nullptr);
  void show_view(View v);

  const Document& document() const { return doc_; }
  QString message() const { return banner_->text(); }
  QString last_error() const { return last_error_; }  // why the last open failed; empty on success
  QWidget* current_view() const { return tabs_->currentWidget(); }
  NetworkView* network_view() const { return network_; }
  SettlingView* settling_view() const { return settling_; }
  TrainingView* training_view() const { return training_; }
  WeightsView* weights_view() const { return weights_; }
  SweepView* sweep_view() const { return sweep_; }
  QMessageBox* last_message_box() const { return box_; }
  QProcess* run_process() const { return process_; }
  int reloads() const { return reloads_; }
  static QString gaitsim_binary();

 Q_SIGNALS:
  void loaded();
  void run_finished(int exit_code);

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;

 private:
  void build_menus();
  void apply(Document d, bool reload);
  void show_problem(const QString& text, bool box);
  void remember(const QString& path);
  void fill_recent();
  void watch();
  void reload_now();
  void start_queued_load();
  bool render_view(const QString& path, const QString& file);

  QTabWidget* tabs_;
  QLabel* banner_;
  NetworkView* network_;
  SettlingView* settling_;
  TrainingView* training_;
  WeightsView* weights_;
  SweepView* sweep_;
  QMenu* recent_menu_ = nullptr;
  Document doc_;
  std::vector<TrainingCurves> comparisons_;
  QFutureWatcher<Document>* loader_;
  bool loading_reload_ = false, reload_pending_ = false;
  QString queued_path_;  // a file to open once the load in progress is done
  QFileSystemWatcher watcher_;
  QTimer reload_timer_;
  bool following_ = false;
  int reloads_ = 0;
  QPointer<QMessageBox> box_;
  QProcess* process_ = nullptr;
  QWidget* run_panel_ = nullptr;
  QPlainTextEdit* run_log_ = nullptr;
  QProgressBar* run_progress_ = nullptr;
  QString run_file_;
  QString last_error_;
};

}  // namespace gaitsim::gui
