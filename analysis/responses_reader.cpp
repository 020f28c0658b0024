#include "analysis/responses_reader.hpp"

#include <hdf5.h>

#include <regex>
#include <utility>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/responses_layout.hpp"

namespace gaitsim {

namespace rl = responses_layout;

namespace {

std::string dims_text(const std::vector<hsize_t>& d) {
  std::string s = "(";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + (d.size() == 1 ? ",)" : ")");
}

// What the first axis of a dataset counts, for the messages.
enum class Rows { kStimulus, kUnit, kLayer, kTrial };

// Checks a dataset's presence, shape and HDF5 type class; a mismatch is said in words (which
// axis is off and what it counts), then as expected vs found.
class Validator {
 public:
  Validator(const std::filesystem::path& file, const h5::File& f) : file_(file), f_(f) {}

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw ResponsesFormatError(file_.string() + ": " + object + ": " + what);
  }
  [[noreturn]] void fail_file(const std::string& what) const {
    throw ResponsesFormatError(file_.string() + ": " + what);
  }

  // `meaning`: what the dataset holds, e.g. "stimulus x unit".
  void dataset(const std::string& path, const std::vector<hsize_t>& shape, H5T_class_t cls,
               const std::string& meaning, Rows rows = Rows::kStimulus) const {
    if (!f_.exists(path)) fail_file("no " + path + " (" + meaning + ")");
    const std::vector<hsize_t> found = f_.shape(path);
    const bool right_class = type_class(path) == cls;
    if (found == shape && right_class) return;
    const std::string expected =
        found != shape ? "expected shape " + dims_text(shape) + ", found " + dims_text(found)
                       : std::string("expected ") + type_name(cls) + " values";
    fail_file(explain(path, found, shape, right_class, cls, meaning, rows) + " [" + path + ": " +
              expected + "]");
  }

 private:
  static const char* type_name(H5T_class_t cls) {
    return cls == H5T_FLOAT ? "floating-point" : "integer";
  }

  static std::string explain(const std::string& path, const std::vector<hsize_t>& found,
                             const std::vector<hsize_t>& shape, bool right_class, H5T_class_t cls,
                             const std::string& meaning, Rows rows) {
    if (found.size() != shape.size() || !right_class || rows != Rows::kStimulus) {
      const char* per = rows == Rows::kUnit    ? "unit"
                        : rows == Rows::kLayer ? "layer"
                        : rows == Rows::kTrial ? "trial"
                                               : nullptr;
      return path + " has shape " + dims_text(found) +
             (right_class        ? ""
              : cls == H5T_FLOAT ? " and is not floating point"
                                 : " and is not of an integer type") +
             "; expected a " + std::to_string(shape.size()) + "-D " + type_name(cls) + " dataset" +
             (per ? " of " + std::to_string(shape[0]) + " entries, one per " + per
                  : ", " + meaning);
    }
    if (found[0] != shape[0]) {
      return path + " has " + std::to_string(found[0]) +
             (shape.size() == 1 ? " entries" : " rows") + "; expected " + std::to_string(shape[0]) +
             ", one per stimulus of /stimulus_id";
    }
    return path + " has " + std::to_string(found[1]) + " columns; expected " +
           std::to_string(shape[1]) + " (the layer's width)";
  }

  H5T_class_t type_class(const std::string& path) const {
    h5::Handle set(H5Dopen2(f_id(), path.c_str(), H5P_DEFAULT), H5Dclose);
    h5::Handle type(set.valid() ? H5Dget_type(set.get()) : H5I_INVALID_HID, H5Tclose);
    return type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  }

  hid_t f_id() const {
    if (!raw_.valid()) {
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      raw_ = h5::Handle(H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
      if (!raw_.valid()) fail("/", "cannot open the file");
    }
    return raw_.get();
  }

  const std::filesystem::path& file_;
  const h5::File& f_;
  mutable h5::Handle raw_;
};

std::string attr_or(const h5::File& f, const std::string& obj, const char* name) {
  return f.has_attr(obj, name) ? f.attr_string(obj, name) : std::string();
}

// format (or gaitsim_format in NWB) and format_version name this layout in a version we read.
void check_version(const Validator& v, const h5::File& f, const char* format_attr,
                   const char* version_attr) {
  if (attr_or(f, "/", format_attr) != rl::kFormat) {
    v.fail("/", std::string("expected the root attribute ") + format_attr + " = " + rl::kFormat +
                    ", found '" + attr_or(f, "/", format_attr) + "'");
  }
  if (!f.has_attr("/", version_attr)) v.fail("/", std::string("no attribute ") + version_attr);
  const long long version = f.attr_int("/", version_attr);
  if (version < 1 || version > rl::kFormatVersion) {
    v.fail("/", std::string(version_attr) + " " + std::to_string(version) + ": expected 1.." +
                    std::to_string(rl::kFormatVersion) + " (written by a newer gaitsim?)");
  }
  if (!f.has_attr("/", rl::kComplete) || f.attr_int("/", rl::kComplete) != 1) {
    v.fail("/", "complete = 0: the export is still being written or was killed");
  }
}

// The number of auxiliary units an NWB TimeSeries names in its comments ("auxiliary units: K").
int nwb_auxiliary_count(const Validator& v, const h5::File& f, const std::string& g) {
  static const std::regex count(R"(auxiliary units: ([0-9]+))");
  const std::string comments = attr_or(f, g, "comments");
  std::smatch m;
  if (!std::regex_search(comments, m, count)) {
    v.fail(g, "attribute comments '" + comments + "': expected 'auxiliary units: K'");
  }
  return std::stoi(m[1]);
}

}  // namespace

ResponsesReader::ResponsesReader(std::filesystem::path file) : file_(std::move(file)) {
  const h5::File f = h5::File::open_read(file_);
  nwb_ = f.has_attr("/", "nwb_version");
  precision_ = attr_or(f, "/", "precision");
  if (nwb_) {
    read_nwb(f);
  } else {
    read_gaitsim(f);
  }
}

void ResponsesReader::read_gaitsim(const h5::File& f) {
  const Validator v(file_, f);
  check_version(v, f, rl::kFormatAttr, rl::kFormatVersionAttr);
  targets_ = f.attr_int("/", rl::kTargetsRecorded) == 1;
  trajectories_ = f.attr_int("/", rl::kTrajectoriesRecorded) == 1;

  if (!f.exists(rl::kStimulusId))
    v.fail_file(std::string("no ") + rl::kStimulusId + " (to match stimuli by)");
  const std::vector<hsize_t> id_shape = f.shape(rl::kStimulusId);
  const hsize_t N = id_shape.size() == 1 ? id_shape[0] : 0;
  v.dataset(rl::kStimulusId, {N}, H5T_INTEGER, "to match stimuli by");
  v.dataset(rl::kLabels, {N}, H5T_INTEGER, "the true class of each stimulus");
  ids_ = f.read_vector<long long>(rl::kStimulusId);
  labels_ = f.read_vector<int>(rl::kLabels);

  if (!f.exists(rl::kLayerNames)) v.fail(rl::kLayerNames, "missing");
  const std::vector<std::string> names = f.read_strings(rl::kLayerNames);
  if (names.size() < 2) v.fail(rl::kLayerNames, "expected the input and at least one layer");
  if (f.attr_strings("/", rl::kLayerNamesAttr) != names) {
    v.fail("/", std::string("the attribute layer_names differs from ") + rl::kLayerNames);
  }
  v.dataset(rl::kLayerWidths, {names.size()}, H5T_INTEGER, "the width of each layer", Rows::kLayer);
  const std::vector<long long> widths = f.read_vector<long long>(rl::kLayerWidths);
  if (!f.exists(rl::kLayers))
    v.fail_file("no /layers; expected a responses file of `gaitsim record`");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string g = rl::layer_group(names[i]);
    if (!f.exists(g)) v.fail(g, "missing (named in /layer_names)");
    ResponseLayer l;
    l.name = names[i];
    l.index = static_cast<int>(f.attr_int(g, "index"));
    l.width = static_cast<int>(f.attr_int(g, "width"));
    l.passed_on = static_cast<int>(f.attr_int(g, "passed_on"));
    l.activation = f.attr_string(g, "activation");
    l.slope = f.attr_double(g, "slope");
    l.description = f.attr_string(g, "description");
    if (l.index != static_cast<int>(i)) {
      v.fail(g, "attribute index " + std::to_string(l.index) + ": expected " + std::to_string(i) +
                    " (its place in /layer_names)");
    }
    if (l.width != widths[i]) {
      v.fail(g, "attribute width " + std::to_string(l.width) + ": expected " +
                    std::to_string(widths[i]) + " (as in /layer_widths)");
    }
    const auto n = static_cast<hsize_t>(l.width);
    v.dataset(g + "/" + rl::kRates, {N, n}, H5T_FLOAT, "stimulus x unit");
    v.dataset(g + "/" + rl::kAuxiliary, {n}, H5T_INTEGER, "1 for auxiliary units", Rows::kUnit);
    l.auxiliary = f.read_vector<std::int8_t>(g + "/" + rl::kAuxiliary);
    if (targets_ && i > 0) {
      v.dataset(g + "/" + rl::kTargets, {N, n}, H5T_FLOAT, "stimulus x unit");
      v.dataset(g + "/" + rl::kTargetDelta, {N, n}, H5T_FLOAT, "stimulus x unit");
      v.dataset(g + "/" + rl::kTargetScale, {N}, H5T_FLOAT, "one per stimulus");
    }
    layers_.push_back(std::move(l));
  }
}

// NWB: the rows of each TimeSeries are the stimulus presentations in order; their ids and labels
// are the trials of phase "free" in /intervals/trials (a "target" trial follows each when targets
// were recorded).
void ResponsesReader::read_nwb(const h5::File& f) {
  const Validator v(file_, f);
  check_version(v, f, rl::kGaitsimFormatAttr, rl::kGaitsimFormatVersionAttr);
  const std::string trials = rl::kNwbTrials;
  if (!f.exists(trials + "/phase")) v.fail_file("no " + trials + "/phase (free or target)");
  const std::vector<std::string> phase = f.read_strings(trials + "/phase");
  const hsize_t T = phase.size();
  v.dataset(trials + "/stimulus_id", {T}, H5T_INTEGER, "one per trial", Rows::kTrial);
  v.dataset(trials + "/label", {T}, H5T_INTEGER, "one per trial", Rows::kTrial);
  const auto id = f.read_vector<long long>(trials + "/stimulus_id");
  const auto label = f.read_vector<int>(trials + "/label");
  for (hsize_t t = 0; t < T; ++t) {
    if (phase[t] != "free") continue;
    ids_.push_back(id[t]);
    labels_.push_back(label[t]);
  }
  const auto N = static_cast<hsize_t>(ids_.size());
  if (!f.has_attr("/", rl::kLayerNamesAttr)) v.fail("/", "no attribute layer_names");
  const std::vector<std::string> names = f.attr_strings("/", rl::kLayerNamesAttr);
  if (names.size() < 2)
    v.fail("/", "attribute layer_names: expected the input and at least one layer");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string g = std::string(rl::kNwbModule) + "/" + names[i];
    if (!f.exists(g + "/data"))
      v.fail_file("no " + g + "/data (named in the attribute layer_names)");
    const std::vector<hsize_t> shape = f.shape(g + "/data");
    ResponseLayer l;
    l.name = names[i];
    l.index = static_cast<int>(i);
    l.width = shape.size() == 2 ? static_cast<int>(shape[1]) : 0;
    v.dataset(g + "/data", {N, static_cast<hsize_t>(l.width)}, H5T_FLOAT, "stimulus x unit");
    const int aux = nwb_auxiliary_count(v, f, g);
    if (aux > l.width) {
      v.fail(g, std::to_string(aux) + " auxiliary units: expected at most the width " +
                    std::to_string(l.width));
    }
    l.passed_on = l.width - aux;
    l.auxiliary.assign(static_cast<std::size_t>(l.width), 0);
    for (int u = l.passed_on; u < l.width; ++u) l.auxiliary[static_cast<std::size_t>(u)] = 1;
    l.description = attr_or(f, g, "description");
    if (i == 1) targets_ = f.exists(g + rl::kNwbTargetSuffix + "/data");
    if (targets_ && i > 0) {
      v.dataset(g + rl::kNwbTargetSuffix + "/data", {N, static_cast<hsize_t>(l.width)}, H5T_FLOAT,
                "stimulus x unit");
    }
    layers_.push_back(std::move(l));
  }
}

const ResponseLayer& ResponsesReader::layer(const std::string& name) const {
  for (const auto& l : layers_) {
    if (l.name == name) return l;
  }
  std::string known;
  for (const auto& l : layers_) known += (known.empty() ? "" : ", ") + l.name;
  throw ResponsesFormatError(file_.string() + ": no layer " + name + " (expected one of " + known +
                             ")");
}

Eigen::MatrixXd ResponsesReader::matrix(const std::string& name, const char* dataset,
                                        bool target) const {
  const ResponseLayer& l = layer(name);
  if (target && (!targets_ || l.index == 0)) {
    throw ResponsesFormatError(file_.string() + ": " + rl::layer_dataset(name, dataset) +
                               ": not recorded (record with --targets; the input has none)");
  }
  std::string path = rl::layer_dataset(name, dataset);
  if (nwb_) {
    const std::string series = std::string(rl::kNwbModule) + "/" + name;
    if (dataset == std::string(rl::kRates)) {
      path = series + "/data";
    } else if (dataset == std::string(rl::kTargets)) {
      path = series + rl::kNwbTargetSuffix + "/data";
    } else {
      throw ResponsesFormatError(file_.string() + ": " + dataset + " of " + name +
                                 ": not in the NWB layout (record with --format gaitsim)");
    }
  }
  return h5::File::open_read(file_).read_matrix<double>(path);
}

Eigen::MatrixXd ResponsesReader::rates(const std::string& layer) const {
  return matrix(layer, rl::kRates, false);
}
Eigen::MatrixXd ResponsesReader::targets(const std::string& layer) const {
  return matrix(layer, rl::kTargets, true);
}
Eigen::MatrixXd ResponsesReader::target_delta(const std::string& layer) const {
  return matrix(layer, rl::kTargetDelta, true);
}
Eigen::VectorXd ResponsesReader::target_scale(const std::string& layer) const {
  return matrix(layer, rl::kTargetScale, true).col(0);
}

}  // namespace gaitsim
