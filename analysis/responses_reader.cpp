#include "analysis/responses_reader.hpp"

#include <hdf5.h>

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

// Checks a dataset's presence, shape and HDF5 type class.
class Validator {
 public:
  Validator(const std::filesystem::path& file, const h5::File& f) : file_(file), f_(f) {}

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw ResponsesFormatError(file_.string() + ": " + object + ": " + what);
  }

  void dataset(const std::string& path, const std::vector<hsize_t>& shape, H5T_class_t cls,
               const char* type_name) const {
    if (!f_.exists(path))
      fail(path, "missing (expected a dataset of shape " + dims_text(shape) + ")");
    const std::vector<hsize_t> found = f_.shape(path);
    if (found != shape) {
      fail(path, "expected shape " + dims_text(shape) + ", found " + dims_text(found));
    }
    h5::Handle set(H5Dopen2(f_id(), path.c_str(), H5P_DEFAULT), H5Dclose);
    h5::Handle type(set.valid() ? H5Dget_type(set.get()) : H5I_INVALID_HID, H5Tclose);
    if (!type.valid() || H5Tget_class(type.get()) != cls) {
      fail(path, std::string("expected ") + type_name + " values");
    }
  }

  hid_t f_id() const {
    if (!raw_.valid()) {
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      raw_ = h5::Handle(H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
      if (!raw_.valid()) fail("/", "cannot open the file");
    }
    return raw_.get();
  }

 private:
  const std::filesystem::path& file_;
  const h5::File& f_;
  mutable h5::Handle raw_;
};

}  // namespace

ResponsesReader::ResponsesReader(std::filesystem::path file) : file_(std::move(file)) {
  const h5::File f = h5::File::open_read(file_);
  const Validator v(file_, f);
  const auto attr_or = [&](const char* name) {
    return f.has_attr("/", name) ? f.attr_string("/", name) : std::string();
  };
  if (f.has_attr("/", "nwb_version")) {
    v.fail("/",
           "an NWB responses file: the reader reads gaitsim's layout (record with --format "
           "gaitsim)");
  }
  if (attr_or(rl::kFormatAttr) != rl::kFormat) {
    v.fail("/", std::string("expected the root attribute format = ") + rl::kFormat + ", found '" +
                    attr_or(rl::kFormatAttr) + "'");
  }
  const long long version = f.attr_int("/", rl::kFormatVersionAttr);
  if (version < 1 || version > rl::kFormatVersion) {
    v.fail("/", "format_version " + std::to_string(version) + ": expected 1.." +
                    std::to_string(rl::kFormatVersion) + " (written by a newer gaitsim?)");
  }
  if (!f.has_attr("/", rl::kComplete) || f.attr_int("/", rl::kComplete) != 1) {
    v.fail("/", "complete = 0: the export is still being written or was killed");
  }
  targets_ = f.attr_int("/", rl::kTargetsRecorded) == 1;
  trajectories_ = f.attr_int("/", rl::kTrajectoriesRecorded) == 1;
  precision_ = attr_or("precision");

  if (!f.exists(rl::kStimulusId)) v.fail(rl::kStimulusId, "missing");
  const std::vector<hsize_t> id_shape = f.shape(rl::kStimulusId);
  if (id_shape.size() != 1) v.fail(rl::kStimulusId, "expected 1 dimension (stimulus)");
  const hsize_t N = id_shape[0];
  v.dataset(rl::kStimulusId, {N}, H5T_INTEGER, "integer");
  v.dataset(rl::kLabels, {N}, H5T_INTEGER, "integer");
  ids_ = f.read_vector<long long>(rl::kStimulusId);
  labels_ = f.read_vector<int>(rl::kLabels);

  if (!f.exists(rl::kLayerNames)) v.fail(rl::kLayerNames, "missing");
  const std::vector<std::string> names = f.read_strings(rl::kLayerNames);
  if (names.size() < 2) v.fail(rl::kLayerNames, "expected the input and at least one layer");
  if (f.attr_strings("/", rl::kLayerNamesAttr) != names) {
    v.fail("/", std::string("the attribute layer_names differs from ") + rl::kLayerNames);
  }
  v.dataset(rl::kLayerWidths, {names.size()}, H5T_INTEGER, "integer");
  const std::vector<long long> widths = f.read_vector<long long>(rl::kLayerWidths);
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
    v.dataset(g + "/" + rl::kRates, {N, n}, H5T_FLOAT, "floating-point");
    v.dataset(g + "/" + rl::kAuxiliary, {n}, H5T_INTEGER, "integer");
    l.auxiliary = f.read_vector<std::int8_t>(g + "/" + rl::kAuxiliary);
    if (targets_ && i > 0) {
      v.dataset(g + "/" + rl::kTargets, {N, n}, H5T_FLOAT, "floating-point");
      v.dataset(g + "/" + rl::kTargetDelta, {N, n}, H5T_FLOAT, "floating-point");
      v.dataset(g + "/" + rl::kTargetScale, {N}, H5T_FLOAT, "floating-point");
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
  return h5::File::open_read(file_).read_matrix<double>(rl::layer_dataset(name, dataset));
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
