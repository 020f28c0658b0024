// gaitsim-viewer [FILE|SWEEP_DIR] [--view network|settling|training|weights|sweep] [--screenshot
// OUT.png|.svg|.pdf]
//                [--size WxH] [--stimulus N] [--layer L] [--units 0-5] [--compare RUN.h5]...
//                [--follow]
// With --screenshot it renders one view of FILE and exits (used by `gaitsim plot`; run it with
// QT_QPA_PLATFORM=offscreen where there is no display).
#include <QApplication>
#include <QCommandLineParser>
#include <QThread>
#include <cstdio>
#include <string>

#include "gui/main_window.hpp"

using namespace gaitsim::gui;

namespace {
// Offscreen rendering: drop the platform plugin's harmless chatter, keep real warnings.
void quiet_handler(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  if (msg.contains("propagateSizeHints") || msg.contains("XDG_RUNTIME_DIR")) return;
  if (type != QtDebugMsg) std::fprintf(stderr, "%s\n", qPrintable(msg));
}
}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--screenshot") qInstallMessageHandler(quiet_handler);
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName("gaitsim-viewer");
  QCommandLineParser cli;
  cli.setApplicationDescription("Explore gaitsim run, responses and trajectories files.");
  cli.addHelpOption();
  cli.addPositionalArgument("FILE",
                            "run.h5, a responses file, a trajectories file, or a sweep "
                            "folder (gaitsim sweep) or its summary.h5");
  const QCommandLineOption view(
      QString("view"), "view to show: network, settling, training, weights, sweep", "VIEW");
  const QCommandLineOption shot(QString("screenshot"),
                                "render the view to OUT (.png, .svg or .pdf) and exit", "OUT");
  const QCommandLineOption size(QString("size"),
                                "size of the rendered view for --screenshot (default 1400x900)",
                                "WxH", "1400x900");
  const QCommandLineOption stimulus(QString("stimulus"), "stimulus to show (network, settling)",
                                    "N", "0");
  const QCommandLineOption layer(QString("layer"),
                                 "layer 1..L (settling view; weights view: W_L and Q_L)", "L", "0");
  const QCommandLineOption units(QString("units"), "units to draw (settling view), e.g. 0-5 or 1,4",
                                 "U");
  const QCommandLineOption compare(QString("compare"), "overlay another run file (training view)",
                                   "RUN");
  const QCommandLineOption follow(QString("follow"),
                                  "follow the file while another process writes it");
  cli.addOptions({view, shot, size, stimulus, layer, units, compare, follow});
  cli.process(app);
  const QStringList files = cli.positionalArguments();
  View v = View::Network;
  const bool view_given = cli.isSet(view);
  if (view_given && !parse_view(cli.value(view), v)) {
    std::fprintf(
        stderr, "gaitsim-viewer: unknown view '%s' (network, settling, training, weights, sweep)\n",
        qPrintable(cli.value(view)));
    return 2;
  }
  MainWindow w;
  if (cli.isSet(shot)) {
    if (files.isEmpty()) {
      std::fprintf(stderr, "gaitsim-viewer: --screenshot needs a FILE\n");
      return 2;
    }
    const QStringList wh = cli.value(size).split('x');
    const int width = wh.value(0).toInt(), height = wh.value(1).toInt();
    if (width < 200 || height < 150) {
      std::fprintf(stderr, "gaitsim-viewer: --size must be WxH, at least 200x150\n");
      return 2;
    }
    w.open_file_now(files[0]);
    if (!w.last_error().isEmpty()) {
      std::fprintf(stderr, "gaitsim-viewer: %s\n", qPrintable(w.last_error()));
      return 1;
    }
    for (const QString& c : cli.values(compare)) w.add_comparison(c);
    if (view_given) w.show_view(v);
    w.network_view()->show_stimulus(cli.value(stimulus).toLongLong());
    w.settling_view()->set_selection(cli.value(stimulus).toLongLong(), cli.value(layer).toInt(),
                                     cli.value(units));
    if (cli.value(layer).toInt() > 0) w.weights_view()->select_layer(cli.value(layer).toInt() - 1);
    w.resize(width, height);
    w.show();
    const auto settle = [] {
      for (int i = 0; i < 5; ++i) {
        QApplication::processEvents();
        QThread::msleep(20);
      }
    };
    settle();
    // The image is the view, not the window: grow the window by its menu, tabs and margins so
    // that the view itself is WxH pixels.
    const QSize view_size = w.current_view()->size();
    if (view_size.isValid() && view_size != QSize(width, height)) {
      w.resize(w.size() + QSize(width, height) - view_size);
      settle();
    }
    QString err;
    if (!w.export_view(cli.value(shot), &err)) {
      std::fprintf(stderr, "gaitsim-viewer: %s\n", qPrintable(err));
      return 1;
    }
    std::printf("wrote %s\n", qPrintable(cli.value(shot)));
    return 0;
  }
  w.show();
  if (!files.isEmpty()) {
    w.open_file(files[0]);
    for (const QString& c : cli.values(compare)) w.add_comparison(c);
    if (view_given)
      QObject::connect(
          &w, &MainWindow::loaded, &w, [&w, v] { w.show_view(v); }, Qt::SingleShotConnection);
    if (cli.isSet(follow)) w.set_following(true);
  }
  return app.exec();
}
