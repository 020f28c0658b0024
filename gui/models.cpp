#include "gui/models.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "datasets/dataset_registry.hpp"
#include "sim/batches.hpp"
#include "sim/config.hpp"
#include "sim/engine.hpp"
#include "sim/network_builder.hpp"
#include "sim/run_record.hpp"

namespace gaitsim::gui {

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

h5::Handle open_raw(const fs::path& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  h5::Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) fail(file, "cannot open the file (damaged, truncated or not HDF5)");
  return f;
}

// Reads the block [start, start + count) of a dataset of any rank as doubles.
std::vector<double> read_slab(const fs::path& file, hid_t f, const std::string& ds,
                              const std::vector<hsize_t>& start,
                              const std::vector<hsize_t>& count) {
  h5::Handle set(H5Dopen2(f, ds.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.valid()) fail(file, "missing dataset " + ds);
  h5::Handle space(H5Dget_space(set.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != static_cast<int>(start.size())) {
    fail(file, ds + ": expected rank " + std::to_string(start.size()) + ", found " +
                   std::to_string(rank));
  }
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  for (int d = 0; d < rank; ++d) {
    if (start[d] + count[d] > dims[d]) fail(file, ds + ": index out of range");
  }
  if (H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                          nullptr) < 0) {
    fail(file, ds + ": cannot select");
  }
  const hsize_t total =
      std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  std::vector<double> out(total);
  h5::Handle mem(H5Screate_simple(1, &total, nullptr), H5Sclose);
  if (total > 0 &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0) {
    fail(file, ds + ": cannot read (damaged file?)");
  }
  return out;
}

std::vector<std::vector<double>> columns(const Eigen::MatrixXd& m) {
  std::vector<std::vector<double>> out(m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    out[j].assign(m.col(j).data(), m.col(j).data() + m.rows());
  }
  return out;
}

void image_shape(int width, int& h, int& w, int& c) {
  c = 1;
  if (width == 3072) {
    h = w = 32;
    c = 3;
    return;
  }
  const int s = static_cast<int>(std::lround(std::sqrt(static_cast<double>(width))));
  if (s * s == width) {
    h = w = s;
  } else {
    h = w = 0;
  }
}

std::string attr_or(const h5::File& f, const std::string& obj, const std::string& name) {
  return f.has_attr(obj, name) ? f.attr_string(obj, name) : std::string();
}

// A list of names (a string-array attribute); empty when the attribute is absent.
std::vector<std::string> strings_or(const h5::File& f, const std::string& obj,
                                    const std::string& name) {
  return f.has_attr(obj, name) ? f.attr_strings(obj, name) : std::vector<std::string>();
}

QStringList to_qt(const std::vector<std::string>& v) {
  QStringList out;
  for (const auto& s : v) out.push_back(QString::fromStdString(s));
  return out;
}

}  // namespace

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::Run:
      return "run file";
    case FileKind::Responses:
      return "responses file";
    case FileKind::Settle:
      return "trajectories file";
    case FileKind::Sweep:
      return "sweep summary";
    default:
      return "unknown file";
  }
}

fs::path resolve_input(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec) && fs::exists(path / "summary.h5", ec)) return path / "summary.h5";
  return path;
}

Detection detect_file(const fs::path& given) {
  Detection d;
  std::error_code ec;
  const fs::path path = resolve_input(given);
  if (fs::is_directory(path, ec)) {
    d.message = QString::fromStdString(
        path.string() +
        ": a folder without summary.h5 (the viewer opens a sweep folder written "
        "by gaitsim sweep, or a file)");
    return d;
  }
  if (!fs::exists(path, ec)) {
    d.message = QString::fromStdString(path.string() + ": no such file");
    return d;
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    d.message =
        QString::fromStdString(path.string() + ": not an HDF5 file, or a truncated or damaged one");
    return d;
  }
  try {
    const h5::File f = h5::File::open_read(path);
    const std::string format = attr_or(f, "/", "format");
    if (format == "gaitsim-run") {
      d.kind = FileKind::Run;
      if (!f.exists("/metrics") || !f.exists("/weights")) {
        d.kind = FileKind::Unknown;
        d.message = QString::fromStdString(path.string() +
                                           ": a run file without /metrics or /weights (damaged?)");
      }
    } else if (format == "gaitsim-responses") {
      d.kind = FileKind::Responses;
      if (f.has_attr("/", "complete") && f.attr_int("/", "complete") != 1) {
        d.message = QString::fromStdString(
            path.string() +
            ": incomplete responses file (complete = 0): still being written, or "
            "its export was killed");
      }
    } else if (format == "gaitsim-settle") {
      d.kind = FileKind::Settle;
    } else if (format.empty() && f.has_attr("/", "parameters") && f.has_attr("/", "sweep_digest")) {
      d.kind = FileKind::Sweep;  // summary.h5 of gaitsim sweep (it has no format attribute)
      if (!f.exists("/points") || !f.exists("/aggregate")) {
        d.kind = FileKind::Unknown;
        d.message = QString::fromStdString(
            path.string() + ": a sweep summary without /points or /aggregate (damaged?)");
      }
    } else if (format == "gaitsim-comparison") {
      d.message = QString::fromStdString(
          path.string() +
          ": a comparison table (gaitsim compare); the viewer opens run files, "
          "responses files and settle trajectory files");
    } else if (f.has_attr("/", "nwb_version")) {
      d.message = QString::fromStdString(
          path.string() + ": an NWB file; record with `--format gaitsim` to view the responses");
    } else if (f.has_attr("/", "convention") && f.exists("/layers") && f.exists("/x")) {
      d.message = QString::fromStdString(
          path.string() +
          ": an align dump (gaitsim align --dump); the viewer opens run files, "
          "responses files and settle trajectory files");
    } else {
      d.message = QString::fromStdString(
          path.string() +
          ": an HDF5 file, but not one gaitsim wrote (no root attribute format = "
          "gaitsim-run, gaitsim-responses or gaitsim-settle, nor a sweep summary)");
    }
  } catch (const std::exception& e) {
    d.kind = FileKind::Unknown;
    d.message = QString::fromStdString(std::string("damaged or truncated HDF5 file: ") + e.what());
  }
  return d;
}

// ---------------------------------------------------------------- training
TrainingCurves read_training(const fs::path& run_file) {
  const h5::File f = h5::File::open_read(run_file);
  TrainingCurves t;
  t.name = QString::fromStdString(run_file.parent_path().filename().string());
  if (t.name.isEmpty()) t.name = QString::fromStdString(run_file.stem().string());
  t.status = QString::fromStdString(attr_or(f, "/", "status"));
  if (f.exists("/metrics/epoch")) {
    t.epoch = f.read_vector<double>("/metrics/epoch");
    t.train_loss = f.read_vector<double>("/metrics/train_loss");
    t.train_accuracy = f.read_vector<double>("/metrics/train_accuracy");
    t.test_loss = f.read_vector<double>("/metrics/test_loss");
    t.test_accuracy = f.read_vector<double>("/metrics/test_accuracy");
  }
  if (f.exists("/alignment/step") && f.shape("/alignment/step").at(0) > 0) {
    t.align_step = f.read_vector<double>("/alignment/step");
    t.angle_deg = columns(f.read_matrix<double>("/alignment/angle_deg"));
  }
  if (f.exists("/orthogonality/layers") && f.shape("/orthogonality/layers").at(0) > 0) {
    t.ortho_layers = f.read_vector<int>("/orthogonality/layers");
    if (!t.epoch.empty()) t.ortho_error = columns(f.read_matrix<double>("/orthogonality/error"));
  }
  if (f.exists("/state/optimizer_steps")) {
    t.steps = f.read_vector<long long>("/state/optimizer_steps").at(0);
  }
  return t;
}

// ---------------------------------------------------------------- weights
WeightsData read_weights(const fs::path& run_file) {
  const h5::File f = h5::File::open_read(run_file);
  WeightsData w;
  const int depth = static_cast<int>(f.attr_int("/weights", "depth"));
  for (int l = 1; l <= depth; ++l) {
    const std::string g = "/weights/" + std::to_string(l);
    const Eigen::MatrixXd m = f.read_matrix<double>(g + "/W");
    std::vector<double> flat(m.size());
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      for (Eigen::Index j = 0; j < m.cols(); ++j) flat[i * m.cols() + j] = m(i, j);
    }
    w.W.push_back(std::move(flat));
    w.rows.push_back(static_cast<int>(m.rows()));
    w.cols.push_back(static_cast<int>(m.cols()));
    w.layer_names.push_back(QString::fromStdString(attr_or(f, g, "name")));
  }
  image_shape(static_cast<int>(f.attr_int("/weights", "input_width")), w.image_h, w.image_w,
              w.image_c);
  return w;
}

Histogram histogram(const std::vector<double>& values, int bins) {
  Histogram h;
  h.counts.assign(std::max(bins, 1), 0.0);
  if (values.empty()) return h;
  const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
  h.lo = *mn;
  h.hi = *mx > *mn ? *mx : *mn + 1e-12;
  const double width = (h.hi - h.lo) / static_cast<double>(h.counts.size());
  for (double v : values) {
    auto b = static_cast<std::size_t>((v - h.lo) / width);
    h.counts[std::min(b, h.counts.size() - 1)] += 1;
  }
  return h;
}

std::vector<double> receptive_field(const WeightsData& w, int unit) {
  std::vector<double> out;
  if (w.W.empty() || unit < 0 || unit >= w.cols[0]) return out;
  out.resize(w.rows[0]);
  for (int i = 0; i < w.rows[0]; ++i)
    out[i] = w.W[0][static_cast<std::size_t>(i) * w.cols[0] + unit];
  return out;
}

// ---------------------------------------------------------------- network
namespace {

int argmax(const std::vector<double>& v, int n) {
  n = std::min<int>(n, static_cast<int>(v.size()));
  if (n <= 0) return -1;
  return static_cast<int>(std::max_element(v.begin(), v.begin() + n) - v.begin());
}

class ResponsesSource : public NetworkSource {
 public:
  explicit ResponsesSource(const fs::path& file) : file_(file) {
    const h5::File f = h5::File::open_read(file);
    classes_ = static_cast<int>(f.attr_int("/", "classes"));
    count_ = static_cast<long long>(f.shape("/labels").at(0));
    targets_ = f.has_attr("/", "targets_recorded") && f.attr_int("/", "targets_recorded") == 1;
    for (const std::string& name : f.list("/layers")) {
      const std::string g = "/layers/" + name;
      Layer l;
      l.name = name;
      l.index = static_cast<int>(f.attr_int(g, "index"));
      l.width = static_cast<int>(f.attr_int(g, "width"));
      const std::vector<int> aux = f.read_vector<int>(g + "/auxiliary");
      l.aux.assign(aux.begin(), aux.end());
      layers_.push_back(std::move(l));
    }
    std::sort(layers_.begin(), layers_.end(),
              [](const Layer& a, const Layer& b) { return a.index < b.index; });
    if (layers_.size() < 2 || layers_[0].index != 0) fail(file, "no input and driven layers");
    description_ = QString::fromStdString(attr_or(f, "/", "stimulus_source"));
  }
  long long count() const override { return count_; }
  QString description() const override { return description_; }
  StimulusData stimulus(long long i) const override {
    if (i < 0 || i >= count_) fail(file_, "stimulus " + std::to_string(i) + " out of range");
    const h5::Handle f = open_raw(file_);
    const auto row = [&](const std::string& ds, int width) {
      return read_slab(file_, f.get(), ds, {static_cast<hsize_t>(i), 0},
                       {1, static_cast<hsize_t>(width)});
    };
    StimulusData s;
    s.index = i;
    s.id = static_cast<long long>(
        read_slab(file_, f.get(), "/stimulus_id", {static_cast<hsize_t>(i)}, {1})[0]);
    s.label =
        static_cast<int>(read_slab(file_, f.get(), "/labels", {static_cast<hsize_t>(i)}, {1})[0]);
    s.input = row("/layers/" + layers_[0].name + "/rates", layers_[0].width);
    image_shape(layers_[0].width, s.image_h, s.image_w, s.image_c);
    for (std::size_t l = 1; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      LayerSlice sl;
      sl.name = QString::fromStdString(L.name);
      sl.width = L.width;
      sl.auxiliary = L.aux;
      sl.rate = row("/layers/" + L.name + "/rates", L.width);
      if (targets_) sl.target = row("/layers/" + L.name + "/targets", L.width);
      s.layers.push_back(std::move(sl));
    }
    s.prediction = argmax(s.layers.back().rate, classes_);
    return s;
  }

 private:
  struct Layer {
    std::string name;
    int index = 0, width = 0;
    std::vector<char> aux;
  };
  fs::path file_;
  std::vector<Layer> layers_;
  int classes_ = 0;
  long long count_ = 0;
  bool targets_ = false;
  QString description_;
};

class ComputedSource : public NetworkSource {
 public:
  std::vector<StimulusData> data;
  QString text;
  long long count() const override { return static_cast<long long>(data.size()); }
  StimulusData stimulus(long long i) const override {
    if (i < 0 || i >= count()) throw std::runtime_error("stimulus out of range");
    return data[static_cast<std::size_t>(i)];
  }
  QString description() const override { return text; }
};

std::vector<double> row_of(const Mat<double>& m, Eigen::Index i) {
  std::vector<double> v(m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) v[j] = m(i, j);
  return v;
}

}  // namespace

std::unique_ptr<NetworkSource> open_responses(const fs::path& file) {
  return std::make_unique<ResponsesSource>(file);
}

std::unique_ptr<NetworkSource> compute_from_run(const fs::path& run_file, long long stimuli) {
  std::string yaml;
  {
    const h5::File f = h5::File::open_read(run_file);
    yaml = f.attr_string("/", "config");
  }
  const Config c = parse_config(yaml, run_file.string(), {});
  const fs::path dir = c.data.folder();
  const auto data =
      datasets::load_dataset(c.data.dataset, dir, 1, static_cast<std::size_t>(stimuli));
  Network<double> net = build_network(c, static_cast<int>(data.train.x.cols()), data.train.classes);
  load_weights(run_file, net);
  Engine<double> engine(net, c.learning, feedback_seed(c.network));
  Mat<double> x;
  Eigen::VectorXi y;
  first_rows(data.test, std::min<Eigen::Index>(stimuli, data.test.size()), x, y);
  Gradients<double> g;
  engine.updates(engine.rule(), x, y, g);
  const Activity<double>& act = engine.activity();
  const ErrorSignals<double>& sig = engine.signals();
  const int L = engine.network().depth();
  auto src = std::make_unique<ComputedSource>();
  src->text = QString("first %1 test examples of %2, computed from the run's weights")
                  .arg(x.rows())
                  .arg(QString::fromStdString(c.data.dataset));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    StimulusData s;
    s.index = s.id = i;
    s.label = y(i);
    s.input = row_of(act.h[0], i);
    s.image_c = data.test.shape[0];
    s.image_h = data.test.shape[1];
    s.image_w = data.test.shape[2];
    for (int l = 1; l <= L; ++l) {
      const auto& pop = engine.network().layer(l).pop;
      LayerSlice sl;
      sl.name = QString::fromStdString(pop.name);
      sl.width = pop.width;
      sl.rate = row_of(act.h[l], i);
      sl.target = row_of(
          target_from_delta<double>(act.h[l].row(i), sig.D[l].row(i), sig.mult[l].segment(i, 1)),
          0);
      const int kept = l == L ? engine.network().classes : pop.passed_on;
      sl.auxiliary.assign(pop.width, 0);
      for (int j = kept; j < pop.width; ++j) sl.auxiliary[j] = 1;
      s.layers.push_back(std::move(sl));
    }
    s.prediction = argmax(s.layers.back().rate, engine.network().classes);
    src->data.push_back(std::move(s));
  }
  return src;
}

// ---------------------------------------------------------------- settling
SettleSource::SettleSource(const fs::path& file) : reader_(file) {
  for (const auto& l : reader_.layers()) {
    names_.push_back(QString::fromStdString(l.name));
    widths_.push_back(l.width);
  }
  if (!has_phase(0) && !has_phase(1)) {
    problem_ = "this trajectories file has neither a free nor a target phase";
  } else if (!has_phase(0)) {
    problem_ =
        "the free phase is missing from this trajectories file: showing the target phase only";
  } else if (!has_phase(1)) {
    problem_ =
        "the target phase is missing from this trajectories file: showing the free phase only";
  }
}

int SettleSource::label(long long stimulus) const {
  const auto& labels = reader_.labels();
  return stimulus >= 0 && stimulus < static_cast<long long>(labels.size()) ? labels[stimulus]
                                                                            : -1;
}

const TrajectoryReader::Slab& SettleSource::slab(int phase, long long stimulus) const {
  if (cached_stimulus_ != stimulus) {
    cached_stimulus_ = -1;  // stays invalid if a read throws
    cached_[0] = reader_.read(0, stimulus);
    cached_[1] = reader_.read(1, stimulus);
    cached_stimulus_ = stimulus;
    ++reads_;
  }
  return cached_[phase];
}

int SettleSource::reads() const {
  const std::lock_guard lock(mutex_);
  return reads_;
}

std::vector<double> SettleSource::trace(int layer, int phase, long long stimulus, int unit) const {
  if (!has_phase(phase)) return {};
  const std::lock_guard lock(mutex_);
  const Eigen::MatrixXd& r = slab(phase, stimulus).rate.at(static_cast<std::size_t>(layer - 1));
  if (unit < 0 || unit >= r.cols()) return {};
  std::vector<double> y(static_cast<std::size_t>(r.rows()));
  for (Eigen::Index k = 0; k < r.rows(); ++k) y[static_cast<std::size_t>(k)] = r(k, unit);
  return y;
}

double SettleSource::reference(int layer, int phase, long long stimulus, int unit) const {
  const std::lock_guard lock(mutex_);
  const Eigen::RowVectorXd& v =
      slab(phase, stimulus).fixed_point.at(static_cast<std::size_t>(layer - 1));
  return unit >= 0 && unit < v.size() ? v(unit) : std::nan("");
}

std::vector<double> SettleSource::residual(int phase, long long stimulus) const {
  if (!has_phase(phase)) return {};
  const std::vector<double>& t = time(phase);
  if (t.size() < 2) return {};
  std::vector<double> r(t.size() - 1, 0.0);
  const std::lock_guard lock(mutex_);
  for (const Eigen::MatrixXd& v : slab(phase, stimulus).rate) {
    for (std::size_t k = 1; k < t.size(); ++k) {
      const double dt = t[k] - t[k - 1];
      if (dt <= 0) continue;
      const auto i = static_cast<Eigen::Index>(k);
      r[k - 1] = std::max(r[k - 1], (v.row(i) - v.row(i - 1)).cwiseAbs().maxCoeff() / dt);
    }
  }
  return r;
}

// ---------------------------------------------------------------- sweep
QString SweepParameter::value_text(double v) const {
  if (!categories.isEmpty()) {
    const auto i = static_cast<qsizetype>(std::llround(v));
    return i >= 0 && i < categories.size() ? categories[i] : QString::number(v);
  }
  return QString::number(v, 'g', 6);
}

QString SweepData::counts() const {
  return QString("%1 points: %2 complete, %3 diverged, %4 missing")
      .arg(points)
      .arg(complete)
      .arg(diverged)
      .arg(missing);
}

SweepData read_sweep(const fs::path& summary_h5) {
  const h5::File f = h5::File::open_read(summary_h5);
  SweepData s;
  s.dir = QString::fromStdString(summary_h5.parent_path().string());
  s.base = QString::fromStdString(attr_or(f, "/", "base"));
  s.points = f.attr_int("/", "points");
  s.complete = f.attr_int("/", "complete");
  s.diverged = f.attr_int("/", "diverged");
  s.unfinished = f.attr_int("/", "unfinished");
  s.missing_names = to_qt(strings_or(f, "/", "missing"));
  s.missing = s.missing_names.size();
  s.name = to_qt(strings_or(f, "/points", "name"));
  s.status = to_qt(strings_or(f, "/points", "status"));
  const auto column = [&](const std::string& ds, std::size_t n) {
    std::vector<double> v = f.read_vector<double>(ds);
    if (v.size() != n) {
      fail(summary_h5,
           ds + ": " + std::to_string(v.size()) + " values, expected " + std::to_string(n));
    }
    return v;
  };
  const auto n = static_cast<std::size_t>(s.points);
  s.seed = column("/points/seed", n);
  s.epochs = column("/points/epochs", n);
  s.diverged_flag = column("/points/diverged", n);
  s.final_accuracy = column("/points/final_test_accuracy", n);
  s.best_accuracy = column("/points/best_test_accuracy", n);
  if (s.status.size() != static_cast<qsizetype>(n)) {
    fail(summary_h5, "/points attribute status: " + std::to_string(s.status.size()) +
                         " entries, expected " + std::to_string(n));
  }
  const std::size_t groups = f.shape("/aggregate/seeds").at(0);
  s.agg_seeds = column("/aggregate/seeds", groups);
  s.agg_complete = column("/aggregate/complete", groups);
  s.agg_diverged = column("/aggregate/diverged", groups);
  s.agg_unfinished = column("/aggregate/unfinished", groups);
  s.final_mean = column("/aggregate/final_test_accuracy_mean", groups);
  s.final_sd = column("/aggregate/final_test_accuracy_sd", groups);
  s.best_mean = column("/aggregate/best_test_accuracy_mean", groups);
  s.best_sd = column("/aggregate/best_test_accuracy_sd", groups);
  // Each swept key (attribute `parameters`) has its column under a MATLAB-safe name
  // (`parameter_datasets`, in the same order).
  const std::vector<std::string> keys = strings_or(f, "/", "parameters");
  const std::vector<std::string> columns = strings_or(f, "/", "parameter_datasets");
  if (columns.size() != keys.size()) {
    fail(summary_h5, "attributes parameters and parameter_datasets differ in length");
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    SweepParameter p;
    p.key = QString::fromStdString(keys[i]);
    const std::string& k = columns[i];
    p.point = column("/points/" + k, n);
    p.aggregate = column("/aggregate/" + k, groups);
    p.categories = to_qt(strings_or(f, "/points/" + k, "categories"));
    if (p.categories.isEmpty() && !p.point.empty()) {
      const auto [mn, mx] = std::minmax_element(p.point.begin(), p.point.end());
      p.log_scale = *mn > 0 && *mx / *mn > 10.0;
    }
    s.parameters.push_back(std::move(p));
  }
  return s;
}

// ---------------------------------------------------------------- heatmaps
Grid fold(int n) {
  Grid g;
  if (n <= 0) return g;
  g.cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  g.rows = (n + g.cols - 1) / g.cols;
  return g;
}

namespace {
QRgb lerp_stops(const std::vector<std::array<double, 3>>& stops, double t) {
  t = std::clamp(t, 0.0, 1.0);
  const double pos = t * static_cast<double>(stops.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(pos), stops.size() - 2);
  const double u = pos - static_cast<double>(i);
  const auto c = [&](int k) {
    return static_cast<int>(std::lround(255.0 * (stops[i][k] * (1 - u) + stops[i + 1][k] * u)));
  };
  return qRgb(c(0), c(1), c(2));
}
}  // namespace

QRgb sequential_colour(double t) {
  static const std::vector<std::array<double, 3>> viridis = {
      {0.267, 0.005, 0.329}, {0.283, 0.141, 0.458}, {0.254, 0.265, 0.530}, {0.207, 0.372, 0.553},
      {0.164, 0.471, 0.558}, {0.128, 0.567, 0.551}, {0.135, 0.659, 0.518}, {0.267, 0.749, 0.441},
      {0.478, 0.821, 0.318}, {0.741, 0.873, 0.150}, {0.993, 0.906, 0.144}};
  return lerp_stops(viridis, std::isfinite(t) ? t : 0.0);
}

QRgb diverging_colour(double t) {
  static const std::vector<std::array<double, 3>> rdbu = {
      {0.020, 0.188, 0.380}, {0.129, 0.400, 0.675}, {0.573, 0.773, 0.871}, {0.969, 0.969, 0.969},
      {0.957, 0.647, 0.510}, {0.698, 0.094, 0.169}, {0.404, 0.000, 0.122}};
  return lerp_stops(rdbu, std::isfinite(t) ? (t + 1.0) / 2.0 : 0.5);
}

std::pair<double, double> value_range(const std::vector<double>& v, bool diverging) {
  double lo = 0, hi = 0;
  bool any = false;
  for (double x : v) {
    if (!std::isfinite(x)) continue;
    lo = any ? std::min(lo, x) : x;
    hi = any ? std::max(hi, x) : x;
    any = true;
  }
  if (diverging) {
    const double m = std::max({std::abs(lo), std::abs(hi), 1e-12});
    return {-m, m};
  }
  if (hi <= lo) hi = lo + 1e-12;
  return {lo, hi};
}

QImage heatmap_image(const std::vector<double>& v, Grid g, double lo, double hi, bool diverging) {
  QImage img(std::max(g.cols, 1), std::max(g.rows, 1), QImage::Format_RGB32);
  img.fill(qRgb(200, 200, 200));
  const double span = hi > lo ? hi - lo : 1.0;
  for (std::size_t k = 0; k < v.size() && g.cols > 0; ++k) {
    const int r = static_cast<int>(k) / g.cols, c = static_cast<int>(k) % g.cols;
    if (r >= g.rows) break;
    const double t = (v[k] - lo) / span;
    img.setPixel(c, r, diverging ? diverging_colour(2.0 * t - 1.0) : sequential_colour(t));
  }
  return img;
}

QImage input_image(const std::vector<double>& v, int h, int w, int c) {
  if (h <= 0 || w <= 0 || static_cast<std::size_t>(h) * w * c > v.size()) return {};
  QImage img(w, h, QImage::Format_RGB32);
  const auto px = [&](int ch, int y, int x) {
    return std::clamp(static_cast<int>(std::lround(255.0 * v[(ch * h + y) * w + x])), 0, 255);
  };
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      img.setPixel(x, y,
                   c >= 3 ? qRgb(px(0, y, x), px(1, y, x), px(2, y, x))
                          : qRgb(px(0, y, x), px(0, y, x), px(0, y, x)));
    }
  }
  return img;
}

// ---------------------------------------------------------------- documents
Document load_document(const fs::path& given, long long network_stimuli) {
  Document d;
  const fs::path path = resolve_input(given);
  d.path = path;
  const Detection det = detect_file(path);
  d.kind = det.kind;
  if (det.kind == FileKind::Unknown) {
    d.error = det.message;
    return d;
  }
  d.warning = det.message;
  try {
    switch (det.kind) {
      case FileKind::Run: {
        d.training = read_training(path);
        d.weights = std::make_shared<const WeightsData>(read_weights(path));
        try {
          d.network = compute_from_run(path, network_stimuli);
        } catch (const std::exception& e) {
          d.warning = QString("network view unavailable: %1").arg(e.what());
        }
        break;
      }
      case FileKind::Responses: {
        d.network = open_responses(path);
        if (d.network->count() > 0) d.network->stimulus(0);  // fails early on a damaged file
        const h5::File f = h5::File::open_read(path);
        if (f.has_attr("/", "trajectories_recorded") &&
            f.attr_int("/", "trajectories_recorded") == 1) {
          d.settle = std::make_shared<const SettleSource>(path);  // record --trajectories
        }
        break;
      }
      case FileKind::Sweep:
        d.sweep = std::make_shared<const SweepData>(read_sweep(path));
        break;
      case FileKind::Settle: {
        auto s = std::make_shared<const SettleSource>(path);
        if (!s->problem().isEmpty()) d.warning = s->problem();
        d.settle = s;
        break;
      }
      default:
        break;
    }
  } catch (const std::exception& e) {
    d.kind = FileKind::Unknown;
    d.error = QString("cannot read %1 (%2): %3")
                  .arg(QString::fromStdString(path.string()), kind_name(det.kind), e.what());
    d.training.reset();
    d.weights.reset();
    d.network.reset();
    d.settle.reset();
    d.sweep.reset();
  }
  return d;
}

int progress_percent(const std::string& line) {
  static const std::regex done_of_total(R"((\d+)/(\d+) ETA)");
  std::smatch m;
  if (!std::regex_search(line, m, done_of_total)) return -1;
  const double total = std::stod(m[2]);
  return total > 0 ? static_cast<int>(100.0 * std::stod(m[1]) / total) : -1;
}

}  // namespace gaitsim::gui
