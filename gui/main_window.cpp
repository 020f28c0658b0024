#include "gui/main_window.hpp"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QMenuBar>
#include <QMimeData>
#include <QPainter>
#include <QPdfWriter>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStatusBar>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <filesystem>

#include "analysis/atomic_file.hpp"

namespace gaitsim::gui {

bool parse_view(const QString& name, View& out) {
  static const QStringList names = {"network", "settling", "training", "weights", "sweep"};
  const int i = names.indexOf(name.toLower());
  if (i < 0) return false;
  out = static_cast<View>(i);
  return true;
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("gaitsim-viewer");
  setAcceptDrops(true);
  auto* central = new QWidget;
  auto* v = new QVBoxLayout(central);
  v->setContentsMargins(4, 4, 4, 4);
  banner_ = new QLabel;
  banner_->setWordWrap(true);
  banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  banner_->hide();
  v->addWidget(banner_);
  tabs_ = new QTabWidget;
  network_ = new NetworkView;
  settling_ = new SettlingView;
  training_ = new TrainingView;
  weights_ = new WeightsView;
  sweep_ = new SweepView;
  tabs_->addTab(network_, "Network");
  tabs_->addTab(settling_, "Settling");
  tabs_->addTab(training_, "Training");
  tabs_->addTab(weights_, "Weights");
  tabs_->addTab(sweep_, "Sweep");
  v->addWidget(tabs_, 1);
  setCentralWidget(central);
  loader_ = new QFutureWatcher<Document>(this);
  connect(loader_, &QFutureWatcher<Document>::finished, this, [this] {
    if (!queued_path_.isEmpty()) {  // superseded by a file opened meanwhile: drop this load
      start_queued_load();
      return;
    }
    Document d = loader_->result();
    const bool reload = loading_reload_;
    apply(std::move(d), reload);
    if (reload_pending_) {
      reload_pending_ = false;
      reload_timer_.start();
    }
  });
  reload_timer_.setSingleShot(true);
  reload_timer_.setInterval(300);
  connect(&reload_timer_, &QTimer::timeout, this, [this] { reload_now(); });
  connect(&watcher_, &QFileSystemWatcher::fileChanged, this, [this] {
    if (following_) reload_timer_.start();
  });
  connect(&watcher_, &QFileSystemWatcher::directoryChanged, this, [this] {
    if (following_) reload_timer_.start();
  });
  build_menus();
  statusBar()->showMessage(
      "Open a run file, a responses file or a trajectories file (File > Open, or drop it here).");
  resize(1400, 900);
}

MainWindow::~MainWindow() {
  if (process_ && process_->state() != QProcess::NotRunning) {
    process_->terminate();
    process_->waitForFinished(3000);
  }
  loader_->waitForFinished();
}

void MainWindow::build_menus() {
  QMenu* file = menuBar()->addMenu("&File");
  file->addAction("&Open...", QKeySequence::Open, this, [this] {
    const QString p =
        QFileDialog::getOpenFileName(this,
                                     "Open a gaitsim file (run, responses, "
                                     "trajectories, sweep summary.h5)",
                                     QString(), "HDF5 files (*.h5 *.hdf5);;All files (*)");
    if (!p.isEmpty()) open_file(p);
  });
  file->addAction("Open &sweep folder...", this, [this] {
    const QString d =
        QFileDialog::getExistingDirectory(this, "Open a sweep folder (gaitsim sweep)");
    if (!d.isEmpty()) open_file(d);
  });
  recent_menu_ = file->addMenu("Open &recent");
  fill_recent();
  file->addAction("&Compare with run...", this, [this] {
    const QString p = QFileDialog::getOpenFileName(this, "Overlay another run file", QString(),
                                                   "Run files (*.h5)");
    if (!p.isEmpty()) add_comparison(p);
  });
  QAction* follow = file->addAction("&Follow file (live)");
  follow->setCheckable(true);
  connect(follow, &QAction::toggled, this, [this](bool on) { set_following(on); });
  file->addAction("&Train from config...", this, [this] {
    const QString cfg =
        QFileDialog::getOpenFileName(this, "Config to train", "configs", "YAML (*.yaml *.yml)");
    if (cfg.isEmpty()) return;
    const QString dir = QFileDialog::getExistingDirectory(this, "Output folder for run.h5");
    if (!dir.isEmpty()) start_run(cfg, dir);
  });
  file->addSeparator();
  file->addAction("&Export view...", QKeySequence("Ctrl+E"), this, [this] {
    const QString p = QFileDialog::getSaveFileName(
        this, "Export the current view", "view.png",
        "PNG image (*.png);;SVG (vector) (*.svg);;PDF (vector) (*.pdf)");
    if (p.isEmpty()) return;
    QString err;
    if (!export_view(p, &err)) show_problem(err, true);
  });
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);
  QMenu* view = menuBar()->addMenu("&View");
  const char* names[5] = {"&Network", "&Settling", "&Training", "&Weights", "S&weep"};
  for (int i = 0; i < 5; ++i) {
    view->addAction(names[i], QKeySequence(QString("Ctrl+%1").arg(i + 1)), this,
                    [this, i] { show_view(static_cast<View>(i)); });
  }
}

void MainWindow::show_view(View v) {
  tabs_->setCurrentIndex(static_cast<int>(v));
  tabs_->currentWidget()->setFocus();
}

// Never waits on the GUI thread (a run file's load runs the engine): a load in progress goes on
// in the background and its result is dropped; the newest request starts when it is done.
void MainWindow::open_file(const QString& path) {
  queued_path_ = path;
  statusBar()->showMessage("loading " + path + " ...");
  if (!loader_->isRunning()) start_queued_load();
}

void MainWindow::start_queued_load() {
  loading_reload_ = false;
  const std::string p = queued_path_.toStdString();
  queued_path_.clear();
  loader_->setFuture(QtConcurrent::run([p] { return load_document(p); }));
}

void MainWindow::open_file_now(const QString& path) {
  apply(load_document(path.toStdString()), false);
}

void MainWindow::reload_now() {
  if (doc_.path.empty() && run_file_.isEmpty()) return;
  if (loader_->isRunning()) {
    reload_pending_ = true;
    return;
  }
  const QString path =
      !run_file_.isEmpty() ? run_file_ : QString::fromStdString(doc_.path.string());
  loading_reload_ = true;
  loader_->setFuture(QtConcurrent::run([p = path.toStdString()] { return load_document(p); }));
}

void MainWindow::apply(Document d, bool reload) {
  if (d.kind == FileKind::Unknown) {
    last_error_ = d.error;
    if (reload) {  // a followed file being replaced or not yet there: keep what is shown
      banner_->setText("live: " + d.error + " (showing the last complete version)");
      banner_->setStyleSheet("color: #a06000");
      banner_->show();
    } else {
      show_problem(d.error, true);
      statusBar()->showMessage("could not open " + QString::fromStdString(d.path.string()));
    }
    Q_EMIT loaded();
    return;
  }
  const long long stimulus = network_->current();
  last_error_.clear();
  doc_ = std::move(d);
  const QString path = QString::fromStdString(doc_.path.string());
  if (!reload) remember(path);
  setWindowTitle(
      QString("gaitsim-viewer - %1 (%2)").arg(QFileInfo(path).fileName(), kind_name(doc_.kind)));
  // Network
  QString no_network;
  if (doc_.kind == FileKind::Settle)
    no_network = "A trajectories file: see the Settling view.";
  else if (doc_.kind == FileKind::Sweep)
    no_network = "A sweep summary: see the Sweep view.";
  else if (doc_.kind == FileKind::Run && !doc_.network)
    no_network = doc_.warning;
  network_->set_source(doc_.network, no_network);
  if (reload && stimulus > 0) network_->show_stimulus(stimulus);
  settling_->set_source(
      doc_.settle,
      doc_.settle ? doc_.warning : "No trajectories: open a file written by gaitsim settle.");
  std::vector<TrainingCurves> runs;
  if (doc_.training) runs.push_back(*doc_.training);
  runs.insert(runs.end(), comparisons_.begin(), comparisons_.end());
  training_->set_runs(runs);
  weights_->set_weights(doc_.weights);
  sweep_->set_sweep(doc_.sweep);
  if (!doc_.warning.isEmpty()) {
    banner_->setText(doc_.warning);
    banner_->setStyleSheet("color: #a06000; font-weight: bold");
    banner_->show();
  } else if (following_ || process_) {
    banner_->setText(QString("live: following %1, %2 epochs, status %3")
                         .arg(path)
                         .arg(doc_.training ? doc_.training->epoch.size() : 0)
                         .arg(doc_.training ? doc_.training->status : QString("-")));
    banner_->setStyleSheet("color: #006000");
    banner_->show();
  } else {
    banner_->hide();
  }
  if (!reload) {
    switch (doc_.kind) {
      case FileKind::Run:
        show_view(View::Training);
        break;
      case FileKind::Responses:
        show_view(View::Network);
        break;
      case FileKind::Settle:
        show_view(View::Settling);
        break;
      case FileKind::Sweep:
        show_view(View::Sweep);
        break;
      default:
        break;
    }
  }
  if (reload) ++reloads_;
  statusBar()->showMessage(QString("%1: %2").arg(kind_name(doc_.kind), path));
  if (following_) watch();
  Q_EMIT loaded();
}

void MainWindow::show_problem(const QString& text, bool box) {
  banner_->setText(text);
  banner_->setStyleSheet("color: #a00000; font-weight: bold");
  banner_->show();
  if (!box) return;
  if (box_) box_->deleteLater();
  box_ = new QMessageBox(QMessageBox::Warning, "gaitsim-viewer", text, QMessageBox::Ok, this);
  box_->setAttribute(Qt::WA_DeleteOnClose);
  box_->open();  // window-modal, does not block the event loop
}

void MainWindow::remember(const QString& path) {
  QSettings s("gaitsim", "gaitsim-viewer");
  QStringList recent = s.value("recent").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > 10) recent.removeLast();
  s.setValue("recent", recent);
  fill_recent();
}

void MainWindow::fill_recent() {
  if (!recent_menu_) return;
  recent_menu_->clear();
  const QStringList recent = QSettings("gaitsim", "gaitsim-viewer").value("recent").toStringList();
  for (const QString& p : recent) recent_menu_->addAction(p, this, [this, p] { open_file(p); });
  recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::add_comparison(const QString& run_file) {
  try {
    comparisons_.push_back(read_training(run_file.toStdString()));
    std::vector<TrainingCurves> runs;
    if (doc_.training) runs.push_back(*doc_.training);
    runs.insert(runs.end(), comparisons_.begin(), comparisons_.end());
    training_->set_runs(runs);
    show_view(View::Training);
  } catch (const std::exception& e) {
    show_problem(QString("cannot overlay %1: %2").arg(run_file, e.what()), true);
  }
}

void MainWindow::watch() {
  const QString path =
      !run_file_.isEmpty() ? run_file_ : QString::fromStdString(doc_.path.string());
  if (path.isEmpty()) return;
  if (!watcher_.files().isEmpty()) watcher_.removePaths(watcher_.files());
  if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
  // The run file is replaced by rename: watch its folder too (the file watch dies with the inode).
  if (QFileInfo::exists(path)) watcher_.addPath(path);
  watcher_.addPath(QFileInfo(path).absolutePath());
}

void MainWindow::set_following(bool on) {
  following_ = on;
  if (on) {
    watch();
    reload_timer_.start();
  } else {
    if (!watcher_.files().isEmpty()) watcher_.removePaths(watcher_.files());
    if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
  }
}

QString MainWindow::gaitsim_binary() {
  const QString env = qEnvironmentVariable("GAITSIM_BINARY");
  if (!env.isEmpty()) return env;
  const QDir here(QCoreApplication::applicationDirPath());
  for (const QString& c : {here.filePath("gaitsim"), here.filePath("../sim/gaitsim")}) {
    if (QFileInfo(c).isExecutable()) return QFileInfo(c).canonicalFilePath();
  }
  return "gaitsim";  // from PATH
}

void MainWindow::start_run(const QString& config, const QString& out_dir) {
  if (process_ && process_->state() != QProcess::NotRunning) {
    show_problem("a run is already in progress: cancel it first", true);
    return;
  }
  if (!run_panel_) {
    auto* dock = new QDockWidget("Run", this);
    run_panel_ = new QWidget;
    auto* v = new QVBoxLayout(run_panel_);
    auto* h = new QHBoxLayout;
    run_progress_ = new QProgressBar;
    auto* cancel = new QPushButton("Cancel");
    cancel->setToolTip("Stop the run; its run.h5 keeps the last checkpoint (written atomically)");
    connect(cancel, &QPushButton::clicked, this, [this] { cancel_run(); });
    h->addWidget(run_progress_, 1);
    h->addWidget(cancel);
    v->addLayout(h);
    run_log_ = new QPlainTextEdit;
    run_log_->setReadOnly(true);
    run_log_->setMaximumBlockCount(2000);
    v->addWidget(run_log_);
    dock->setWidget(run_panel_);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
  }
  run_log_->clear();
  run_progress_->setRange(0, 0);
  if (process_) process_->deleteLater();
  process_ = new QProcess(this);
  process_->setProcessChannelMode(QProcess::MergedChannels);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e != QProcess::FailedToStart) return;
    show_problem("cannot start " + gaitsim_binary() + ": " + process_->errorString() +
                     " (set GAITSIM_BINARY to the gaitsim program)",
                 true);
    run_progress_->setRange(0, 100);
    Q_EMIT run_finished(-1);
  });
  run_file_ = QDir(out_dir).filePath("run.h5");
  connect(process_, &QProcess::readyRead, this, [this] {
    const QString text = QString::fromLocal8Bit(process_->readAll());
    // the progress bar rewrites its line with \r: keep the last state of each line
    for (const QString& part : text.split(QRegularExpression("[\r\n]"), Qt::SkipEmptyParts)) {
      const int percent = progress_percent(part.toStdString());
      if (percent >= 0) {
        run_progress_->setRange(0, 100);
        run_progress_->setValue(percent);
      }
      if (!part.contains('\r')) run_log_->appendPlainText(part);
    }
  });
  connect(process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus st) {
    run_log_->appendPlainText(
        st == QProcess::CrashExit
            ? "run stopped; run.h5 holds the last checkpoint (resume with --resume)"
            : QString("run finished with exit code %1").arg(code));
    run_progress_->setRange(0, 100);
    reload_now();
    Q_EMIT run_finished(st == QProcess::CrashExit ? -1 : code);
  });
  QDir().mkpath(out_dir);
  following_ = true;
  watch();
  process_->start(gaitsim_binary(), {"train", config, "--out", out_dir});
  run_log_->appendPlainText(QString("%1 train %2 --out %3").arg(gaitsim_binary(), config, out_dir));
}

void MainWindow::cancel_run() {
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  // The trainer rewrites run.h5 atomically at each checkpoint, so stopping it at any moment
  // leaves the last complete checkpoint under run.h5 (resumable with --resume).
  // SIGTERM, and SIGKILL if it is still running 5 s later, without blocking the GUI meanwhile.
  process_->terminate();
  QTimer::singleShot(5000, process_, [p = process_] {
    if (p->state() != QProcess::NotRunning) p->kill();
  });
}

// The view drawn into `file` in the format `path` names (.pdf, .svg, else PNG); false when it
// cannot be written.
bool MainWindow::render_view(const QString& path, const QString& file) {
  QWidget* w = tabs_->currentWidget();
  if (path.endsWith(".pdf", Qt::CaseInsensitive)) {
    QPdfWriter pdf(file);
    pdf.setPageSize(QPageSize(QSizeF(w->width(), w->height()), QPageSize::Point));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setResolution(72);
    QPainter p(&pdf);
    w->render(&p);
    p.end();
  } else if (path.endsWith(".svg", Qt::CaseInsensitive)) {
    QSvgGenerator svg;
    svg.setFileName(file);
    svg.setSize(w->size());
    svg.setViewBox(QRect(QPoint(0, 0), w->size()));
    svg.setTitle(tabs_->tabText(tabs_->currentIndex()));
    QPainter p(&svg);
    w->render(&p);
    p.end();
  } else if (!w->grab().save(file, "PNG")) {
    return false;
  }
  return QFileInfo(file).exists() && QFileInfo(file).size() > 0;
}

// Drawn under a temporary name beside `path` and renamed into place once complete
// (analysis/atomic_file), so an existing figure is never left half-overwritten.
bool MainWindow::export_view(const QString& path, QString* error) {
  namespace fs = std::filesystem;
  fs::path temp;
  try {
    const fs::path final_path = path.toStdString();
    temp = h5::detail::atomic_temp_path(final_path);
    if (render_view(path, QString::fromStdString(temp.string()))) {
      h5::detail::atomic_replace(temp, final_path);
      return true;
    }
    if (error) *error = "cannot write " + path;
  } catch (const std::exception& e) {
    if (error) *error = "cannot write " + path + ": " + QString::fromStdString(e.what());
  }
  std::error_code ignored;
  if (!temp.empty()) fs::remove(temp, ignored);
  return false;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const auto urls = e->mimeData()->urls();
  if (!urls.isEmpty() && urls[0].isLocalFile()) open_file(urls[0].toLocalFile());
}

void MainWindow::keyPressEvent(QKeyEvent* e) {
  if (tabs_->currentWidget() == network_) {
    QCoreApplication::sendEvent(network_, e);
    return;
  }
  QMainWindow::keyPressEvent(e);
}

}  // namespace gaitsim::gui
