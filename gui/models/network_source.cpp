#include "gui/models/network_source.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "datasets/dataset_registry.hpp"
#include "gui/models/file_helpers.hpp"
#include "sim/config.hpp"
#include "sim/record.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

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
      if (f.exists(g + "/interneuron_rates")) {
        l.interneurons = static_cast<int>(f.shape(g + "/interneuron_rates").at(1));
      }
      layers_.push_back(std::move(l));
    }
    read_cell_types(f);
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
      sl.inhibitory = L.inhibitory;
      sl.rate = row("/layers/" + L.name + "/rates", L.width);
      if (targets_) sl.target = row("/layers/" + L.name + "/targets", L.width);
      if (L.interneurons > 0) {
        sl.interneurons = row("/layers/" + L.name + "/interneuron_rates", L.interneurons);
      }
      s.layers.push_back(std::move(sl));
    }
    s.prediction = argmax(s.layers.back().rate, classes_);
    return s;
  }

 private:
  struct Layer {
    std::string name;
    int index = 0, width = 0;
    int interneurons = 0;  // network.dale dann: columns of interneuron_rates
    std::vector<char> aux;
    std::vector<char> inhibitory;  // from the unit table (network.dale); empty without one
  };

  // The per-unit table of a Dale network (/units, docs/file-formats.md).
  void read_cell_types(const h5::File& f) {
    if (!f.exists("/units/cell_type")) return;
    const auto layer = f.read_vector<int>("/units/layer_index");
    const auto unit = f.read_vector<long long>("/units/unit");
    const auto type = f.read_strings("/units/cell_type");
    if (layer.size() != type.size() || unit.size() != type.size()) fail(file_, "bad /units table");
    for (Layer& l : layers_) l.inhibitory.assign(static_cast<std::size_t>(l.width), 0);
    for (std::size_t r = 0; r < type.size(); ++r) {
      for (Layer& l : layers_) {
        if (l.index != layer[r] || unit[r] < 0 || unit[r] >= l.width) continue;
        l.inhibitory[static_cast<std::size_t>(unit[r])] = type[r] == "inhibitory";
      }
    }
  }
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

// A folder of its own under the system's temporary folder, removed with everything in it.
class ScratchFolder {
 public:
  ScratchFolder() {
    static std::atomic<int> made{0};
    path_ = fs::temp_directory_path() /
            ("gaitsim-viewer-" + std::to_string(::getpid()) + "-" + std::to_string(made++));
    fs::create_directories(path_);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

std::unique_ptr<NetworkSource> open_responses(const fs::path& file) {
  return std::make_unique<ResponsesSource>(file);
}

// What `gaitsim record --targets` would record (sim/record.hpp), written to a scratch file and
// read back into memory: the viewer shows the engine's own rates and targets, in the run's
// precision, without driving the engine itself.
std::unique_ptr<NetworkSource> compute_from_run(const fs::path& run_file, long long stimuli) {
  std::string yaml;
  {
    const h5::File f = h5::File::open_read(run_file);
    yaml = f.attr_string("/", "config");
  }
  const Config c = parse_config(yaml, run_file.string(), {});
  // The test split may hold fewer than `stimuli` examples (data.test_limit, a small dataset);
  // its image shape is the dataset's, not guessed from the input width.
  const datasets::Dataset test =
      datasets::load_dataset(c.data.dataset, c.data.folder(), 1, static_cast<std::size_t>(stimuli))
          .test;
  const long long n = std::min<long long>(stimuli, static_cast<long long>(test.size()));
  if (n <= 0) fail(run_file, "the test split of " + c.data.dataset + " has no examples to show");
  const ScratchFolder scratch;
  RecordOptions o;
  o.stimuli = "test:0-" + std::to_string(n - 1);
  o.checkpoint = run_file;
  o.out = scratch.path() / "computed.h5";
  o.targets = true;
  o.dtype = "float64";
  o.gzip = 0;
  record(c, o);
  const auto recorded = open_responses(o.out);
  auto src = std::make_unique<ComputedSource>();
  src->text = QString("first %1 test examples of %2, computed from the run's weights")
                  .arg(n)
                  .arg(QString::fromStdString(c.data.dataset));
  for (long long i = 0; i < recorded->count(); ++i) {
    StimulusData& d = src->data.emplace_back(recorded->stimulus(i));
    d.image_c = test.shape[0];
    d.image_h = test.shape[1];
    d.image_w = test.shape[2];
  }
  return src;
}

}  // namespace gaitsim::gui
