// gaitsim-viewer under QtTest, offscreen: opening each kind of file, the models' numbers
// against the files, stepping stimuli, live updates, export, `gaitsim plot`, and bad input
// (foreign, truncated, incomplete files, a missing phase) giving a message, not a crash.
#include <hdf5.h>

#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "analysis/h5_file.hpp"
#include "gui/main_window.hpp"

using namespace gaitsim;
using namespace gaitsim::gui;

namespace {

struct Cli {
  int code = -1;
  QString output;
};

Cli run_program(const QString& program, const QStringList& args,
                const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(program, args);
  p.waitForFinished(300000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromLocal8Bit(p.readAll())};
}

Cli run_gaitsim(const QStringList& args) { return run_program(GAITSIM_BINARY, args); }

void truncate_copy(const QString& from, const QString& to, double fraction) {
  QFile in(from);
  QVERIFY(in.open(QIODevice::ReadOnly));
  const QByteArray all = in.readAll();
  QFile out(to);
  QVERIFY(out.open(QIODevice::WriteOnly));
  out.write(all.left(static_cast<int>(all.size() * fraction)));
}

bool wait_loaded(MainWindow& w, const QString& path) {
  QSignalSpy spy(&w, &MainWindow::loaded);
  w.open_file(path);
  return spy.wait(60000);
}

}  // namespace

class ViewerTest : public QObject {
  Q_OBJECT
 private:
  QTemporaryDir dir_;
  QString config_, run_, run1_, responses_, settle_, sweep_;
  QString path(const QString& name) const { return dir_.filePath(name); }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    qputenv("GAITSIM_BINARY", GAITSIM_BINARY);  // the viewer starts runs with it
    QVERIFY2(QFileInfo::exists(GAITSIM_TEST_DATA_DIR "/mnist"),
             "MNIST missing: run scripts/fetch-data.sh");
    config_ = path("small.yaml");
    std::ofstream(config_.toStdString())
        << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
        << "/mnist\n  train_limit: 240\n  test_limit: 100\n"
        << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
        << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: 2\n"
        << "output:\n  progress: false\n  align_every: 1\n";
    Cli r = run_gaitsim({"train", config_, "--out", path("run"), "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    run_ = path("run/run.h5");
    r = run_gaitsim(
        {"train", config_, "--out", path("run1"), "--threads", "1", "--set", "learning.epochs=1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    run1_ = path("run1/run.h5");
    responses_ = path("responses.h5");
    r = run_gaitsim({"record", config_, "--checkpoint", run_, "--stimuli", "test:0-19", "--targets",
                     "--quiet", "--out", responses_, "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    settle_ = path("settle.h5");
    r = run_gaitsim({"settle", config_, "--checkpoint", run_, "--stimuli", "3", "--out", settle_,
                     "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    // a sweep: 3 learning rates x 2 seeds, the largest diverges; one point's run file is then
    // removed and the summary rebuilt, so it is missing
    std::ofstream(path("sweep.yaml").toStdString())
        << "base: small.yaml\nset: {learning.algorithm: bp, learning.optimizer: sgd, "
           "learning.epochs: 1, output.align_every: 0}\n"
        << "axes:\n  learning.learning_rate: [0.01, 0.1, 1000]\nseeds: [1, 2]\n";
    sweep_ = path("sweep");
    r = run_gaitsim(
        {"sweep", path("sweep.yaml"), "--out", sweep_, "--jobs", "2", "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    QVERIFY(QFile::remove(sweep_ + "/points/learning.learning_rate=0.1__seed=2/run.h5"));
    r = run_gaitsim({"sweep", path("sweep.yaml"), "--out", sweep_, "--summary"});
    QVERIFY2(r.output.contains("3 complete, 2 diverged, 1 unfinished"), qPrintable(r.output));
  }

  void detectsEachKind() {
    QCOMPARE(detect_file(run_.toStdString()).kind, FileKind::Run);
    QCOMPARE(detect_file(responses_.toStdString()).kind, FileKind::Responses);
    QVERIFY(detect_file(responses_.toStdString()).message.isEmpty());
    QCOMPARE(detect_file(settle_.toStdString()).kind, FileKind::Settle);
    std::ofstream(path("text.h5").toStdString()) << "not hdf5\n";
    const Detection text = detect_file(path("text.h5").toStdString());
    QCOMPARE(text.kind, FileKind::Unknown);
    QVERIFY(text.message.contains("not an HDF5 file"));
    {
      auto f = h5::File::create(path("foreign.h5").toStdString());
      f.set_attr("/", "format", "something-else");
      f.write_vector("/data", std::vector<double>{1, 2, 3});
    }
    QVERIFY(
        detect_file(path("foreign.h5").toStdString()).message.contains("not one gaitsim wrote"));
    truncate_copy(run_, path("truncated.h5"), 0.5);
    QCOMPARE(detect_file(path("truncated.h5").toStdString()).kind, FileKind::Unknown);
    QCOMPARE(detect_file(path("missing.h5").toStdString()).kind, FileKind::Unknown);
    // One flipped byte in a sealed run file: refused by its seal before libhdf5 reads it.
    QVERIFY(QFile::copy(run_, path("flipped.h5")));
    {
      std::fstream f(path("flipped.h5").toStdString(),
                     std::ios::binary | std::ios::in | std::ios::out);
      f.seekg(4000);
      const char byte = static_cast<char>(f.get() ^ 0x10);
      f.seekp(4000);
      f.put(byte);
    }
    const Detection flipped = detect_file(path("flipped.h5").toStdString());
    QCOMPARE(flipped.kind, FileKind::Unknown);
    QVERIFY2(flipped.message.contains("checksum does not match"), qPrintable(flipped.message));
  }

  // Bounded rates (TP to one-hot through logistic units, which clips every class unit of the
  // output) under Dale's sign form: the training view plots /constraints/clipped_units and
  // /constraints/clipped_synapses per layer; a plain run hides both charts.
  void trainingViewPlotsClippedUnits() {
    const Cli r = run_gaitsim({"train", config_, "--out", path("clipped"), "--threads", "1",
                               "--set", "learning.algorithm=tp", "--set",
                               "network.activation=logistic", "--set", "network.dale=sign"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    const QString file = path("clipped/run.h5");
    const TrainingCurves t = read_training(file.toStdString());
    const Eigen::MatrixXd counts = h5::File::open_read(file.toStdString())
                                       .read_matrix<double>("/constraints/clipped_units");
    QCOMPARE(t.clipped_units.size(), std::size_t{3});
    QCOMPARE(t.clipped_units[2][1], counts(1, 2));
    QCOMPARE(t.clipped_units[2][0], 4.0 * 60 * 10);  // 4 steps x 60 samples x 10 classes
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, file));
    QVERIFY(w.training_view()->clipped_shown());
    QCOMPARE(w.training_view()->chart(4)->series().size(), 3);
    auto* top = qobject_cast<QLineSeries*>(w.training_view()->chart(4)->series().at(2));
    QVERIFY(top);
    QCOMPARE(top->at(1).y(), counts(1, 2));
    const Eigen::MatrixXd synapses = h5::File::open_read(file.toStdString())
                                         .read_matrix<double>("/constraints/clipped_synapses");
    QCOMPARE(t.clipped_synapses.size(), std::size_t{3});
    QVERIFY(w.training_view()->clipped_synapses_shown());
    QCOMPARE(w.training_view()->chart(7)->series().size(), 3);
    auto* first = qobject_cast<QLineSeries*>(w.training_view()->chart(7)->series().at(0));
    QVERIFY(first);
    QCOMPARE(first->at(1).y(), synapses(1, 0));
    QVERIFY(read_training(run_.toStdString()).clipped_units.empty());
    QVERIFY(read_training(run_.toStdString()).clipped_synapses.empty());
    QVERIFY(wait_loaded(w, run_));
    QVERIFY(!w.training_view()->clipped_shown());
    QVERIFY(!w.training_view()->clipped_synapses_shown());
  }

  void trainingModelMatchesTheRunFile() {
    const TrainingCurves t = read_training(run_.toStdString());
    const h5::File f = h5::File::open_read(run_.toStdString());
    QCOMPARE(t.epoch.size(), std::size_t{2});
    QCOMPARE(t.test_accuracy, f.read_vector<double>("/metrics/test_accuracy"));
    QCOMPARE(t.train_loss, f.read_vector<double>("/metrics/train_loss"));
    const Eigen::MatrixXd angle = f.read_matrix<double>("/alignment/angle_deg");
    QCOMPARE(t.angle_deg.size(), static_cast<std::size_t>(angle.cols()));
    QCOMPARE(t.angle_deg[1][2], angle(2, 1));
    QCOMPARE(t.status, QString("complete"));

    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, run_));
    QCOMPARE(w.document().kind, FileKind::Run);
    QCOMPARE(w.current_view(), static_cast<QWidget*>(w.training_view()));
    auto* test_acc = qobject_cast<QLineSeries*>(w.training_view()->chart(0)->series().at(1));
    QVERIFY(test_acc);
    QCOMPARE(test_acc->count(), 2);
    QCOMPARE(test_acc->at(1).y(), t.test_accuracy[1]);
    QVERIFY(!w.training_view()->chart(2)->series().isEmpty());  // angles
    // weights: the histogram counts every weight of W1
    const WeightsData wd = read_weights(run_.toStdString());
    QCOMPARE(wd.rows[0], 784);
    QCOMPARE(wd.cols[0], 64);
    QCOMPARE(wd.image_h, 28);
    const Histogram h = histogram(wd.W[0], 60);
    double total = 0;
    for (double c : h.counts) total += c;
    QCOMPARE(total, 784.0 * 64.0);
    const Eigen::MatrixXd W1 = f.read_matrix<double>("/weights/1/W");
    QCOMPARE(receptive_field(wd, 5)[300], W1(300, 5));
  }

  // Synaptic constraints (docs/biology.md): the weights view splits the histogram by sign and
  // shows the mask and signs; the network view marks the inhibitory units of a responses file
  // and of a run file alike (the sign of each unit's outgoing synapses, /weights/<l+1>/sign).
  void constrainedNetworkShowsMasksSignsAndCellTypes() {
    const QString run = path("constrained/run.h5"), rec = path("constrained.h5");
    Cli r = run_gaitsim({"train", config_, "--out", path("constrained"), "--threads", "1",
                         "--max-steps", "3", "--set", "network.connection_prob=0.5", "--set",
                         "network.dale=sign"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    r = run_gaitsim({"record", config_, "--checkpoint", run, "--stimuli", "test:0-4", "--quiet",
                     "--out", rec, "--threads", "1", "--set", "network.connection_prob=0.5",
                     "--set", "network.dale=sign"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    const h5::File f = h5::File::open_read(run.toStdString());
    const auto sign2 = f.read_vector<int>("/weights/2/sign");  // hidden1's units
    const long long inhibitory = std::count(sign2.begin(), sign2.end(), -1);
    QVERIFY(inhibitory > 0);

    const WeightsData wd = read_weights(run.toStdString());
    QCOMPARE(wd.sign[1], sign2);
    const auto [exc, inh] = weights_by_sign(wd, 1);
    const Eigen::MatrixXd mask2 = f.read_matrix<double>("/weights/2/mask");
    QCOMPARE(double(exc.size() + inh.size()), mask2.sum());  // absent synapses left out
    for (double v : exc) QVERIFY(v >= 0);
    for (double v : inh) QVERIFY(v <= 0);
    const QImage img = connectivity_image(wd, 1);
    QCOMPARE(img.height(), wd.rows[1]);

    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, run));
    w.weights_view()->set_weights(std::make_shared<const WeightsData>(wd));
    QVERIFY(w.weights_view()->constraints_text().contains("Mask:"));
    QVERIFY(w.weights_view()->constraints_text().contains("inhibitory"));
    QVERIFY(!w.weights_view()->histogram_chart()->series().isEmpty());

    std::vector<std::unique_ptr<NetworkSource>> sources;
    sources.push_back(open_responses(rec.toStdString()));
    sources.push_back(compute_from_run(run.toStdString(), 3));
    for (const auto& source : sources) {
      const StimulusData s = source->stimulus(0);
      const LayerSlice& hidden1 = s.layers[0];
      QCOMPARE(hidden1.inhibitory.size(), std::size_t(64));
      for (std::size_t u = 0; u < 48; ++u) QCOMPARE(int(hidden1.inhibitory[u]), int(sign2[u] < 0));
      for (std::size_t u = 48; u < 64; ++u) QCOMPARE(int(hidden1.inhibitory[u]), 0);
    }
    QVERIFY(wait_loaded(w, rec));
    QVERIFY(w.network_view()->caption().contains("inhibitory"));
    QVERIFY(!w.network_view()->interneurons_shown());  // sign form: no interneurons
  }

  // Learned feedback (issue 15): the training view plots /feedback/inverse_error and
  // /feedback/reconstruction_loss per inverted layer over /feedback/step (the loss's NaN before
  // the first feedback update left out); the weights view shows Q_l and ||Q_l W_l - I||_F /
  // sqrt(n_l), checked against an independent computation from the file; gaitsim plot renders
  // both views. An exact-mode run shows neither.
  void learnedFeedbackShowsInTheTrainingAndWeightsViews() {
    const QString run = path("learned/run.h5");
    Cli r = run_gaitsim({"train", config_, "--out", path("learned"), "--threads", "1", "--set",
                         "feedback.mode=learned", "--set", "feedback.learning_rate=0.05"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    const h5::File f = h5::File::open_read(run.toStdString());
    const auto steps = f.read_vector<double>("/feedback/step");
    const Eigen::MatrixXd err = f.read_matrix<double>("/feedback/inverse_error");
    const Eigen::MatrixXd loss = f.read_matrix<double>("/feedback/reconstruction_loss");
    QCOMPARE(err.cols(), Eigen::Index{2});  // layers 2 and 3

    const TrainingCurves t = read_training(run.toStdString());
    QCOMPARE(t.feedback_layers, (std::vector<int>{2, 3}));
    QCOMPARE(t.feedback_step, steps);
    QCOMPARE(t.inverse_error.size(), std::size_t{2});
    QCOMPARE(t.inverse_error[1][3], err(3, 1));
    QCOMPARE(t.reconstruction_loss[0][2], loss(2, 0));
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, run));
    QVERIFY(w.training_view()->feedback_shown());
    for (int c : {5, 6}) {
      const Eigen::MatrixXd& m = c == 5 ? err : loss;
      QCOMPARE(w.training_view()->chart(c)->series().size(), 2);
      auto* top = qobject_cast<QLineSeries*>(w.training_view()->chart(c)->series().at(1));
      QVERIFY(top);
      QCOMPARE(top->name(), QString("layer 3"));
      // every finite sample, in order (the loss is NaN before the first feedback update)
      int i = 0;
      for (Eigen::Index s = 0; s < m.rows(); ++s) {
        if (!std::isfinite(m(s, 1))) continue;
        QVERIFY(i < top->count());
        QCOMPARE(top->at(i).x(), steps[static_cast<std::size_t>(s)]);
        QCOMPARE(top->at(i).y(), m(s, 1));
        ++i;
      }
      QCOMPARE(top->count(), i);
      QVERIFY(top->pointsVisible());
    }
    QVERIFY(std::isnan(loss(0, 0)));
    QVERIFY(err(err.rows() - 1, 0) < err(0, 0));  // Q_2 learned towards W_2^-1

    const WeightsData wd = read_weights(run.toStdString());
    QVERIFY(wd.Q[0].empty());
    for (int l = 2; l <= 3; ++l) {
      const std::string g = std::to_string(l);
      const Eigen::MatrixXd Q = f.read_matrix<double>("/state/feedback/Q/" + g);
      const Eigen::MatrixXd W = f.read_matrix<double>("/weights/" + g + "/W");
      QCOMPARE(wd.q_rows[l - 1], int(Q.rows()));
      QCOMPARE(wd.q_cols[l - 1], int(Q.cols()));
      QCOMPARE(wd.Q[l - 1][5 * Q.cols() + 7], Q(5, 7));
      const Eigen::MatrixXd E = Q * W - Eigen::MatrixXd::Identity(Q.rows(), Q.rows());
      const double expected = E.norm() / std::sqrt(double(Q.rows()));
      QVERIFY2(std::abs(inverse_error(wd, l - 1) - expected) <= 1e-12 * expected,
               qPrintable(QString("%1 vs %2").arg(inverse_error(wd, l - 1)).arg(expected)));
      QVERIFY(expected > 0.01);  // not the exact inverse: the number says something
      QCOMPARE(feedback_image(wd, l - 1).size(), QSize(int(Q.cols()), int(Q.rows())));
      w.weights_view()->select_layer(l - 1);
      QVERIFY2(w.weights_view()->feedback_text().contains(
                   QString("||Q%1 W%1 - I||_F / sqrt(%2) = %3")
                       .arg(l)
                       .arg(Q.rows())
                       .arg(QString::number(expected, 'g', 3))),
               qPrintable(w.weights_view()->feedback_text()));
      QVERIFY(w.weights_view()->feedback_map_shown());
    }
    QVERIFY(std::isnan(inverse_error(wd, 0)));
    w.weights_view()->select_layer(0);
    QVERIFY(w.weights_view()->feedback_text().contains("no feedback pathway"));
    QVERIFY(!w.weights_view()->feedback_map_shown());

    for (const char* view : {"training", "weights"}) {
      const QString png = path(QString("learned-%1.png").arg(view));
      r = run_gaitsim({"plot", run, "--view", view, "--layer", "3", "--out", png});
      QVERIFY2(r.code == 0, qPrintable(r.output));
      QVERIFY(!QImage(png).isNull());
    }

    QVERIFY(read_training(run_.toStdString()).feedback_step.empty());
    QVERIFY(wait_loaded(w, run_));
    QVERIFY(!w.training_view()->feedback_shown());
    QVERIFY(w.weights_view()->feedback_text().isEmpty());
    QVERIFY(!w.weights_view()->feedback_map_shown());
  }

  // Dale's dann form: the network view reads each layer's interneuron rates from a responses
  // file (or computes them from a run file) and names them in the layer's title.
  void dannNetworkShowsInterneuronRates() {
    const QString run = path("dann/run.h5"), rec = path("dann.h5");
    Cli r = run_gaitsim({"train", config_, "--out", path("dann"), "--threads", "1", "--max-steps",
                         "3", "--set", "network.dale=dann"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    r = run_gaitsim({"record", config_, "--checkpoint", run, "--stimuli", "test:0-4", "--quiet",
                     "--dtype", "float64", "--out", rec, "--threads", "1", "--set",
                     "network.dale=dann"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    const h5::File f = h5::File::open_read(rec.toStdString());
    const Eigen::MatrixXd z = f.read_matrix<double>("/layers/hidden1/interneuron_rates");
    QCOMPARE(z.cols(), Eigen::Index(7));  // ceil(0.1 x 64)
    std::vector<std::unique_ptr<NetworkSource>> sources;
    sources.push_back(open_responses(rec.toStdString()));
    sources.push_back(compute_from_run(run.toStdString(), 3));
    for (const auto& source : sources) {
      const StimulusData s = source->stimulus(0);
      QCOMPARE(s.layers[0].interneurons.size(), std::size_t(7));
      for (std::size_t m = 0; m < 7; ++m) {
        QVERIFY(std::abs(s.layers[0].interneurons[m] - z(0, Eigen::Index(m))) <=
                1e-6 * (1 + std::abs(z(0, Eigen::Index(m)))));
      }
    }
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, rec));
    QVERIFY2(w.network_view()->layer_title(0).contains("7 interneurons"),
             qPrintable(w.network_view()->layer_title(0)));
    // the fourth row maps stimulus 0's interneuron rates z, on the range of z
    QVERIFY(w.network_view()->interneurons_shown());
    QVERIFY(std::abs(w.network_view()->interneuron_map(0)->high() - z.row(0).maxCoeff()) <=
            1e-6 * (1 + std::abs(z.row(0).maxCoeff())));

    // the weights view: the components of W2 (hidden1 -> hidden2: 64 x 48, ceil(0.1 x 48) = 5
    // interneurons), non-negative, their product the stored effective W
    const WeightsData wd = read_weights(run.toStdString());
    const h5::File fr = h5::File::open_read(run.toStdString());
    const Eigen::MatrixXd W_EE = fr.read_matrix<double>("/weights/2/W_EE");
    const DannComponents& d = wd.dann[1];
    QCOMPARE(d.n_inhibitory, 5);
    QCOMPARE(d.EE.size(), std::size_t(W_EE.size()));
    QCOMPARE(d.EE[3 * d.n + 7], W_EE(3, 7));
    for (const auto* X : {&d.EE, &d.IE, &d.EI})
      for (double v : *X) QVERIFY(v >= 0);
    QVERIFY2(dann_residual(wd, 1) < 1e-5, qPrintable(QString::number(dann_residual(wd, 1))));
    QVERIFY(component_image(d.IE, d.k, d.n_inhibitory).width() == 5);
    w.weights_view()->set_weights(std::make_shared<const WeightsData>(wd));
    w.weights_view()->select_layer(1);
    QVERIFY2(w.weights_view()->dann_text().contains("5 interneurons"),
             qPrintable(w.weights_view()->dann_text()));
    QVERIFY(w.weights_view()->dann_text().contains("W_EI 5 x 48"));
    QVERIFY(w.weights_view()->dann_components_shown());
    QVERIFY(w.weights_view()->constraints_text().contains("dann"));
  }

  // Regression: a run shorter than output.align_every has one angle sample, and its chart was
  // empty (a line through one point draws nothing). Each sample is now marked.
  void aSingleSampleShowsInTheTrainingView() {
    TrainingCurves t;
    t.name = "one-sample";
    t.status = "complete";
    t.epoch = {1};
    t.train_accuracy = t.test_accuracy = {0.5};
    t.train_loss = t.test_loss = {1.0};
    t.align_step = {1};
    t.angle_deg = {{12.0}};
    TrainingView v;
    v.resize(900, 700);
    v.set_runs({t});
    v.show();
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    auto* angle = qobject_cast<QLineSeries*>(v.chart(2)->series().at(0));
    QVERIFY(angle);
    QCOMPARE(angle->count(), 1);
    QVERIFY(angle->pointsVisible());
    // The mark is drawn: more pixels of the series' colour than with the marks turned off.
    const auto painted = [&] {
      const QImage img = v.grab().toImage();
      const QRgb colour = angle->pen().color().rgb();
      int n = 0;
      for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x)
          n += (img.pixel(x, y) & 0xffffff) == (colour & 0xffffff);
      }
      return n;
    };
    const int with_marks = painted();
    angle->setPointsVisible(false);
    QTest::qWait(50);
    const int without = painted();
    QVERIFY2(with_marks > without + 4,
             qPrintable(QString("%1 vs %2").arg(with_marks).arg(without)));
  }

  // Opening a file while another loads does not wait for it on the GUI thread: the load in
  // progress is dropped and only the newest file is shown.
  void openingWhileLoadingShowsOnlyTheNewestFile() {
    MainWindow w;
    QSignalSpy spy(&w, &MainWindow::loaded);
    w.open_file(run_);  // a run file's load runs the engine: still loading below
    w.open_file(responses_);
    QVERIFY(spy.wait(60000));
    QCOMPARE(w.document().kind, FileKind::Responses);
    QTest::qWait(200);
    QCOMPARE(spy.count(), 1);  // the run file's load was never applied
    QCOMPARE(w.document().kind, FileKind::Responses);
  }

  void responsesModelMatchesTheFile() {
    auto src = open_responses(responses_.toStdString());
    QCOMPARE(src->count(), 20LL);
    const StimulusData s = src->stimulus(3);
    const h5::File f = h5::File::open_read(responses_.toStdString());
    QCOMPARE(s.label, f.read_vector<int>("/labels")[3]);
    QCOMPARE(s.layers.size(), std::size_t{3});
    const Eigen::MatrixXd rates = f.read_matrix<double>("/layers/hidden1/rates");
    const Eigen::MatrixXd targets = f.read_matrix<double>("/layers/output/targets");
    for (int j = 0; j < 64; ++j) QCOMPARE(s.layers[0].rate[j], rates(3, j));
    for (int j = 0; j < 32; ++j) QCOMPARE(s.layers[2].target[j], targets(3, j));
    QCOMPARE(s.layers[2].auxiliary[9], char(0));
    QCOMPARE(s.layers[2].auxiliary[10], char(1));
    QCOMPARE(s.image_h, 28);
    QCOMPARE(s.input.size(), std::size_t{784});
    // a run file's network view computes the same forward rates with the simulator
    auto computed = compute_from_run(run_.toStdString(), 5);
    QCOMPARE(computed->count(), 5LL);
    const StimulusData c = computed->stimulus(3);
    for (int j = 0; j < 32; ++j)
      QVERIFY(std::abs(c.layers[2].rate[j] - s.layers[2].rate[j]) < 1e-5);
    QCOMPARE(c.prediction, s.prediction);
    // heat map folding
    QCOMPARE(fold(64).cols, 8);
    QCOMPARE(fold(48).cols, 7);
    QCOMPARE(fold(48).rows, 7);
    QCOMPARE(fold(784).rows, 28);
  }

  void steppingStimuliWithTheKeyboard() {
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, responses_));
    QCOMPARE(w.current_view(), static_cast<QWidget*>(w.network_view()));
    NetworkView* nv = w.network_view();
    QCOMPARE(nv->current(), 0LL);
    QTest::keyClick(nv, Qt::Key_Right);
    QCOMPARE(nv->current(), 1LL);
    QTest::keyClick(nv, Qt::Key_Right);
    QCOMPARE(nv->current(), 2LL);
    QTest::keyClick(nv, Qt::Key_Left);
    QCOMPARE(nv->current(), 1LL);
    QTest::keyClick(nv, Qt::Key_End);
    QCOMPARE(nv->current(), 19LL);
    QTest::keyClick(nv, Qt::Key_Right);  // stays at the last one
    QCOMPARE(nv->current(), 19LL);
    const h5::File f = h5::File::open_read(responses_.toStdString());
    QCOMPARE(nv->data().label, f.read_vector<int>("/labels")[19]);
  }

  void settleModelAndAMissingPhase() {
    const SettleSource s(settle_.toStdString());
    QCOMPARE(s.depth(), 3);
    QCOMPARE(s.stimuli(), 3LL);
    QVERIFY(s.has_phase(0) && s.has_phase(1));
    const h5::File f = h5::File::open_read(settle_.toStdString());
    QCOMPARE(s.time(0), f.read_vector<double>("/time_ms/free"));
    const std::string layer2 = "/layers/" + s.layer_names()[1].toStdString();
    const Eigen::MatrixXd fwd = f.read_matrix<double>(layer2 + "/rates");
    QCOMPARE(s.reference(2, 0, 1, 4), fwd(1, 4));
    const std::vector<double> tr = s.trace(2, 0, 1, 4);
    QCOMPARE(tr.size(), s.time(0).size());
    QVERIFY(std::abs(tr.back() - fwd(1, 4)) < 1e-3);  // the free phase settles on the forward rate
    const std::vector<double> res = s.residual(0, 1);
    QCOMPARE(res.size(), s.time(0).size() - 1);
    QVERIFY(res.back() < res.front());
    QCOMPARE(s.reads(), 1);  // trace, reference and residual of one stimulus: one read
    s.trace(2, 1, 2, 0);
    QCOMPARE(s.reads(), 2);

    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, settle_));
    QCOMPARE(w.current_view(), static_cast<QWidget*>(w.settling_view()));
    QVERIFY(w.settling_view()->rates_chart()->series().size() >= 6);
    QVERIFY(!w.settling_view()->residual_chart()->series().isEmpty());

    // one phase missing
    QFile::copy(settle_, path("onephase.h5"));
    {
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      const hid_t fid =
          H5Fopen(path("onephase.h5").toLocal8Bit().constData(), H5F_ACC_RDWR, H5P_DEFAULT);
      QVERIFY(fid >= 0);
      for (const QString& name : s.layer_names()) {
        const std::string ds = "/layers/" + name.toStdString() + "/trajectory_target";
        QVERIFY(H5Ldelete(fid, ds.c_str(), H5P_DEFAULT) >= 0);
      }
      QVERIFY(H5Ldelete(fid, "/time_ms/target", H5P_DEFAULT) >= 0);
      H5Fclose(fid);
    }
    QVERIFY(wait_loaded(w, path("onephase.h5")));
    QCOMPARE(w.document().kind, FileKind::Settle);
    QVERIFY(w.message().contains("target phase is missing"));
    QVERIFY(!w.settling_view()->rates_chart()->series().isEmpty());
    QVERIFY(!w.settling_view()->residual_chart()->series().isEmpty());
  }

  // The settling view shows the trajectories of `record --trajectories` (the layout `settle`
  // writes too); stepping through stimuli and redrawing reads each stimulus's slabs once.
  void settlingViewShowsRecordTrajectories() {
    const QString traj = path("record_traj.h5");
    const Cli r = run_gaitsim({"record", config_, "--checkpoint", run_, "--stimuli", "test:0-4",
                               "--trajectories", "--trajectory-ms", "60", "--quiet", "--out", traj,
                               "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, traj));
    QCOMPARE(w.document().kind, FileKind::Responses);
    QVERIFY(w.document().settle != nullptr);
    const SettleSource& s = *w.document().settle;
    QCOMPARE(s.depth(), 3);
    QCOMPARE(s.stimuli(), 5LL);
    const h5::File f = h5::File::open_read(traj.toStdString());
    QCOMPARE(s.time(1), f.read_vector<double>("/time_ms/target"));
    QCOMPARE(s.label(3), f.read_vector<int>("/labels")[3]);
    w.settling_view()->set_selection(3, 2, "0-3");
    QVERIFY(w.settling_view()->rates_chart()->series().size() >= 8);  // 4 units x 2 phases
    QVERIFY(!w.settling_view()->residual_chart()->series().isEmpty());
    // the free phase ends at the forward rate recorded beside it
    const Eigen::MatrixXd h =
        f.read_matrix<double>("/layers/" + s.layer_names()[1].toStdString() + "/rates");
    QVERIFY(std::abs(s.trace(2, 0, 3, 1).back() - h(3, 1)) < 1e-3);
    QVERIFY(std::isnan(s.reference(2, 1, 3, 1)));  // recorded without --targets
    const int reads = s.reads();
    w.settling_view()->set_selection(3, 1, "0-7");  // same stimulus, another layer: no read
    w.settling_view()->set_selection(3, 3, "0-2");
    QCOMPARE(s.reads(), reads);
    w.settling_view()->set_selection(4, 3, "0-2");
    QCOMPARE(s.reads(), reads + 1);
  }

  void badFilesGiveAMessageBoxNotACrash() {
    MainWindow w;
    w.show();
    for (const char* name : {"truncated.h5", "foreign.h5", "text.h5", "missing.h5"}) {
      QVERIFY(wait_loaded(w, path(name)));
      QVERIFY2(w.last_message_box() != nullptr, qPrintable(name));
      QVERIFY(w.last_message_box()->isVisible());
      QVERIFY(w.last_message_box()->text().contains(name));
      QVERIFY(!w.message().isEmpty());
    }
    // an incomplete responses file (still being written) is opened with a warning
    QFile::copy(responses_, path("partial.h5"));
    {
      auto f = h5::File::open_rw(path("partial.h5").toStdString());
      f.set_attr("/", "complete", static_cast<std::int8_t>(0));
    }
    QVERIFY(wait_loaded(w, path("partial.h5")));
    QCOMPARE(w.document().kind, FileKind::Responses);
    QVERIFY(w.message().contains("incomplete"));
    // and the window still opens good files
    QVERIFY(wait_loaded(w, run_));
    QCOMPARE(w.document().kind, FileKind::Run);
  }

  void followsAFileThatGrows() {
    QDir().mkpath(path("live"));
    const QString live = path("live/run.h5");
    QVERIFY(QFile::copy(run1_, live));
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, live));
    QCOMPARE(w.document().training->epoch.size(), std::size_t{1});
    w.set_following(true);
    QTest::qWait(500);
    // the trainer's way: write a temporary file, rename it over run.h5
    QVERIFY(QFile::copy(run_, live + ".123-1.tmp"));
    QVERIFY(std::rename((live + ".123-1.tmp").toLocal8Bit().constData(),
                        live.toLocal8Bit().constData()) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(w.document().training->epoch.size(), std::size_t{2}, 20000);
    auto* test_acc = qobject_cast<QLineSeries*>(w.training_view()->chart(0)->series().at(1));
    QCOMPARE(test_acc->count(), 2);
    // a half-written file under the final name is shown as a message; the last version stays
    truncate_copy(run_, live + ".tmp2", 0.3);
    QVERIFY(std::rename((live + ".tmp2").toLocal8Bit().constData(),
                        live.toLocal8Bit().constData()) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(w.message().contains("last complete version"), 20000);
    QCOMPARE(w.document().training->epoch.size(), std::size_t{2});
  }

  void runsAConfigAndCancels() {
    MainWindow w;
    w.show();
    QSignalSpy done(&w, &MainWindow::run_finished);
    w.start_run(config_, path("started"));
    QVERIFY(done.wait(180000));
    QCOMPARE(done.at(0).at(0).toInt(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(w.document().training && w.document().training->epoch.size() == 2,
                             20000);
    QCOMPARE(w.document().training->status, QString("complete"));
    // cancel: the process stops; whatever run.h5 exists is a complete checkpoint
    QSignalSpy done2(&w, &MainWindow::run_finished);
    std::ofstream(path("long.yaml").toStdString())
        << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
        << "/mnist\n  train_limit: 6000\n  test_limit: 100\n"
        << "network:\n  kind: tower\n  widths: [784, 64, 48, 32]\n"
        << "learning:\n  algorithm: gait\n  batch_size: 20\n  epochs: 50\n"
        << "output:\n  progress: false\n  checkpoint_every: 5\n";
    w.start_run(path("long.yaml"), path("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(path("cancelled/run.h5")), 120000);
    w.cancel_run();
    QVERIFY(done2.count() == 1 || done2.wait(10000));
    QCOMPARE(detect_file(path("cancelled/run.h5").toStdString()).kind, FileKind::Run);
    QVERIFY(read_training(path("cancelled/run.h5").toStdString()).status != "complete");
  }

  // Regression: the live run's progress bar looked for "NN%", which the trainer never prints.
  void trainerProgressLinesGivePercentages() {
    const Cli r = run_gaitsim({"train", config_, "--out", path("progress"), "--threads", "1",
                               "--set", "output.progress=true", "--set", "learning.epochs=1"});
    QCOMPARE(r.code, 0);
    std::vector<int> percents;
    for (const QString& line : r.output.split('\n')) {
      const int p = progress_percent(line.toStdString());
      if (p >= 0) percents.push_back(p);
    }
    QVERIFY2(!percents.empty(), qPrintable(r.output));
    QVERIFY(std::is_sorted(percents.begin(), percents.end()));
    QCOMPARE(percents.back(), 100);
    QCOMPARE(progress_percent("epoch 1/1 [=====>    ] 250/1000 ETA 0:12 loss 0.1 acc 0.9"), 25);
    QCOMPARE(progress_percent("epoch 1/1: train loss 0.2 acc 0.9 | test loss 0.1 acc 0.9"), -1);
  }

  void exportWritesPngSvgAndPdfOfTheViewSize() {
    MainWindow w;
    w.resize(1100, 750);
    w.show();
    QVERIFY(wait_loaded(w, responses_));
    for (View v : {View::Network, View::Training, View::Weights, View::Settling}) {
      w.show_view(v);
      QCoreApplication::processEvents();
      const QString out = path(QString("export%1.png").arg(int(v)));
      QString err;
      QVERIFY2(w.export_view(out, &err), qPrintable(err));
      QVERIFY(QFileInfo(out).size() > 1000);
      const QImage img(out);
      QCOMPARE(img.size(), w.current_view()->size() * w.current_view()->devicePixelRatio());
    }
    QString err;
    QVERIFY(w.export_view(path("view.pdf"), &err));
    QVERIFY(QFileInfo(path("view.pdf")).size() > 500);
    QVERIFY2(w.export_view(path("view.svg"), &err), qPrintable(err));
    QFile svg(path("view.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.contains("<svg"));
    const QSize size = w.current_view()->size();
    QVERIFY(text.contains(
        QString("viewBox=\"0 0 %1 %2\"").arg(size.width()).arg(size.height()).toUtf8()));
  }

  void sweepModelMatchesTheSummary() {
    QCOMPARE(detect_file(sweep_.toStdString()).kind, FileKind::Sweep);  // the folder
    QCOMPARE(detect_file((sweep_ + "/summary.h5").toStdString()).kind, FileKind::Sweep);
    QVERIFY(detect_file(path("run").toStdString()).message.contains("without summary.h5"));
    const SweepData s = read_sweep((sweep_ + "/summary.h5").toStdString());
    const h5::File f = h5::File::open_read((sweep_ + "/summary.h5").toStdString());
    QCOMPARE(s.points, 6LL);
    QCOMPARE(s.complete, 3LL);
    QCOMPARE(s.diverged, 2LL);
    QCOMPARE(s.missing, 1LL);
    QCOMPARE(s.counts(), QString("6 points: 3 complete, 2 diverged, 1 missing"));
    QCOMPARE(s.parameters.size(), std::size_t{1});
    const SweepParameter& lr = s.parameters[0];
    QCOMPARE(lr.key, QString("learning.learning_rate"));
    QVERIFY(lr.log_scale);  // 0.01 .. 1000
    QCOMPARE(lr.point, f.read_vector<double>("/points/learning__learning_rate"));
    QCOMPARE(lr.aggregate, (std::vector<double>{0.01, 0.1, 1000}));
    const auto same = [](const std::vector<double>& a, const std::vector<double>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
      }
      return true;
    };
    QVERIFY(same(s.final_accuracy, f.read_vector<double>("/points/final_test_accuracy")));
    QVERIFY(same(s.best_accuracy, f.read_vector<double>("/points/best_test_accuracy")));
    QVERIFY(same(s.final_mean, f.read_vector<double>("/aggregate/final_test_accuracy_mean")));
    QVERIFY(same(s.final_sd, f.read_vector<double>("/aggregate/final_test_accuracy_sd")));
    QCOMPARE(s.status.join(","), QString("complete,complete,complete,missing,diverged,diverged"));
    QCOMPARE(s.missing_names, QStringList{"learning.learning_rate=0.1__seed=2"});

    // the view: one chart, a title with the counts, the completed points at log10(lr)
    MainWindow w;
    w.show();
    QVERIFY(wait_loaded(w, sweep_));
    QCOMPARE(w.document().kind, FileKind::Sweep);
    QCOMPARE(w.current_view(), static_cast<QWidget*>(w.sweep_view()));
    QCOMPARE(w.sweep_view()->charts(), 1);
    QChart* c = w.sweep_view()->chart(0);
    QVERIFY2(c->title().contains("6 points: 3 complete, 2 diverged, 1 missing"),
             qPrintable(c->title()));
    QScatterSeries *finals = nullptr, *bests = nullptr, *diverged = nullptr;
    for (QAbstractSeries* a : c->series()) {
      if (a->name() == "final") finals = qobject_cast<QScatterSeries*>(a);
      if (a->name() == "best") bests = qobject_cast<QScatterSeries*>(a);
      if (a->name() == "diverged") diverged = qobject_cast<QScatterSeries*>(a);
    }
    QVERIFY(finals && bests && diverged);
    QCOMPARE(finals->count(), 3);
    QCOMPARE(diverged->count(), 2);
    for (int i = 0; i < 3; ++i) {
      QCOMPARE(finals->at(i).x(), std::log10(lr.point[i]));
      QCOMPARE(finals->at(i).y(), s.final_accuracy[i]);
      QCOMPARE(bests->at(i).y(), s.best_accuracy[i]);
    }
    QCOMPARE(diverged->at(0).x(), 3.0);  // log10(1000)
    auto* x_axis = qobject_cast<QValueAxis*>(c->axes(Qt::Horizontal).at(0));
    QVERIFY(x_axis && x_axis->titleText().startsWith("log10(learning.learning_rate)"));
    // the seed mean line of lr 0.01 (both seeds complete)
    bool mean_found = false;
    for (QAbstractSeries* a : c->series()) {
      auto* l = qobject_cast<QLineSeries*>(a);
      if (l && a->name() == "final mean") {
        mean_found = true;
        QCOMPARE(l->at(0).y(), s.final_mean[0]);
      }
    }
    QVERIFY(mean_found);

    // headless: gaitsim plot DIR renders the sweep view at exactly the requested size
    const Cli r = run_gaitsim({"plot", sweep_, "--out", path("sweep.png"), "--size", "900x600"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    QVERIFY(QFileInfo(path("sweep.png")).size() > 5000);
    QCOMPARE(QImage(path("sweep.png")).size(), QSize(900, 600));
  }

  void plotCommandRendersWithoutADisplay() {
    Cli r = run_gaitsim({"plot", run_, "--out", path("curves.png"), "--size", "900x600"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    QCOMPARE(QImage(path("curves.png")).size(), QSize(900, 600));
    r = run_gaitsim(
        {"plot", responses_, "--view", "network", "--stimulus", "4", "--out", path("layers.png")});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    QVERIFY(!QImage(path("layers.png")).isNull());
    r = run_gaitsim(
        {"plot", settle_, "--out", path("settle.png"), "--layer", "2", "--units", "0-3"});
    QVERIFY2(r.code == 0, qPrintable(r.output));
    r = run_gaitsim({"plot", path("foreign.h5"), "--out", path("no.png")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.output.contains("not one gaitsim wrote"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("GAITSIM_VIEWER", path("no-such-viewer"));
    r = run_program(GAITSIM_BINARY, {"plot", run_, "--out", path("x.png")}, env);
    QCOMPARE(r.code, 1);
    QVERIFY(r.output.contains("gaitsim-viewer was not found"));
  }
};

QTEST_MAIN(ViewerTest)
#include "test_viewer.moc"
