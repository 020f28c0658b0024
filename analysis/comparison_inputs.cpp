#include "analysis/comparison_inputs.hpp"

#include <hdf5.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "analysis/h5_error.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"

namespace gaitsim::analysis {

namespace fs = std::filesystem;
using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// What a dataset is, without reading it: its type class and shape.
struct DatasetInfo {
  H5T_class_t type_class = H5T_NO_CLASS;
  std::vector<hsize_t> dims;
};

// The raw HDF5 view of a file, for the type classes h5::File does not expose.
class RawFile {
 public:
  explicit RawFile(const fs::path& path) : path_(path) {
    h5::silence_hdf5_errors();
    file_ = h5::Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file_.valid()) throw std::runtime_error(path.string() + ": cannot open as HDF5");
  }

  // The dataset's type class and shape; `expected` says in the error what should be there.
  DatasetInfo inspect(const std::string& name, const std::string& expected) const {
    const h5::Handle d(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid())
      throw std::runtime_error(path_.string() + ": no " + name + " (" + expected + ")");
    const h5::Handle type(H5Dget_type(d.get()), H5Tclose);
    const h5::Handle space(H5Dget_space(d.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    DatasetInfo info;
    info.type_class = H5Tget_class(type.get());
    info.dims.resize(static_cast<std::size_t>(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space.get(), info.dims.data(), nullptr);
    return info;
  }

  // All of a dataset's values as float64, in C order.
  std::vector<double> read_doubles(const std::string& name,
                                   const std::vector<hsize_t>& dims) const {
    std::vector<double> v(h5::checked_read_size(path_, name, dims, sizeof(double)));
    const h5::Handle d(H5Dopen2(file_.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    if (H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
      throw std::runtime_error(path_.string() + ": cannot read " + name + " as numbers");
    return v;
  }

 private:
  fs::path path_;
  h5::Handle file_;
};

std::string shape_text(const std::vector<hsize_t>& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

bool is_integer(const DatasetInfo& d) { return d.type_class == H5T_INTEGER; }
bool is_number(const DatasetInfo& d) {
  return d.type_class == H5T_INTEGER || d.type_class == H5T_FLOAT;
}

[[noreturn]] void bad(const fs::path& file, const std::string& role, const std::string& what) {
  throw std::runtime_error(file.string() + " (" + role + "): " + what);
}

// A 1-D integer dataset of `rows` entries (any length when rows < 0); returns its length.
hsize_t check_id_vector(const RawFile& raw, const fs::path& file, const std::string& role,
                        const std::string& name, const std::string& meaning, long long rows) {
  const DatasetInfo d = raw.inspect(name, meaning);
  if (d.dims.size() != 1 || !is_integer(d)) {
    bad(file, role,
        name + " has shape " + shape_text(d.dims) +
            (is_integer(d) ? "" : " and is not of an integer type") +
            "; expected a 1-D integer dataset (" + meaning + ")");
  }
  if (rows >= 0 && d.dims[0] != static_cast<hsize_t>(rows)) {
    bad(file, role,
        name + " has " + std::to_string(d.dims[0]) + " entries; expected " + std::to_string(rows) +
            ", one per stimulus of /stimulus_id");
  }
  return d.dims[0];
}

// /stimulus_id read after check_id_vector; duplicate ids are an error.
std::vector<long long> read_ids(const h5::File& f, const std::string& role) {
  std::vector<long long> ids = f.read_vector<long long>("/stimulus_id");
  std::unordered_set<long long> seen;
  for (const long long id : ids) {
    if (!seen.insert(id).second) {
      bad(f.path(), role, "stimulus id " + std::to_string(id) + " appears more than once");
    }
  }
  return ids;
}

hsize_t check_ids(const RawFile& raw, const fs::path& file, const std::string& role) {
  return check_id_vector(raw, file, role, "/stimulus_id", "to match stimuli by", -1);
}

// The layers in the recorded order (input first), not the alphabetical one of the listing.
std::vector<std::string> layer_names(const h5::File& f) {
  std::vector<std::string> names = f.list("/layers");
  if (!f.has_attr("/", "format") || !f.exists("/layer_names")) return names;
  std::vector<std::pair<long long, std::string>> ordered;
  for (const auto& n : names) ordered.emplace_back(f.attr_int("/layers/" + n, "index"), n);
  std::sort(ordered.begin(), ordered.end());
  names.clear();
  for (const auto& [i, n] : ordered) names.push_back(n);
  return names;
}

// /layers/<name>/rates: floating point, stimulus x unit, `width` units where recorded.
void check_rates(const RawFile& raw, const h5::File& f, const std::string& role,
                 const std::string& layer, hsize_t stimuli) {
  const std::string g = "/layers/" + layer, name = g + "/rates";
  const DatasetInfo d = raw.inspect(name, "the layer's rates, stimulus x unit");
  if (d.dims.size() != 2 || d.type_class != H5T_FLOAT) {
    bad(f.path(), role,
        name + " has shape " + shape_text(d.dims) +
            (d.type_class == H5T_FLOAT ? "" : " and is not floating point") +
            "; expected a 2-D floating-point dataset, stimulus x unit");
  }
  if (d.dims[0] != stimuli) {
    bad(f.path(), role,
        name + " has " + std::to_string(d.dims[0]) + " rows; expected " + std::to_string(stimuli) +
            ", one per stimulus of /stimulus_id");
  }
  if (f.has_attr(g, "width") && static_cast<hsize_t>(f.attr_int(g, "width")) != d.dims[1]) {
    bad(f.path(), role,
        name + " has " + std::to_string(d.dims[1]) + " columns; expected " +
            std::to_string(f.attr_int(g, "width")) + " (the layer's width)");
  }
  if (f.exists(g + "/auxiliary")) {
    const DatasetInfo a = raw.inspect(g + "/auxiliary", "1 for auxiliary units");
    if (a.dims.size() != 1 || a.dims[0] != d.dims[1] || !is_integer(a)) {
      bad(f.path(), role,
          g + "/auxiliary has shape " + shape_text(a.dims) +
              "; expected a 1-D integer dataset of " + std::to_string(d.dims[1]) +
              " entries, one per unit");
    }
  }
}

// n x m or n x m x R values, C order, as R matrices of n x m.
Repetitions to_repetitions(const std::vector<double>& v, const std::vector<hsize_t>& dims) {
  const auto n = static_cast<Index>(dims[0]), m = static_cast<Index>(dims[1]);
  const Index R = dims.size() == 3 ? static_cast<Index>(dims[2]) : 1;
  Repetitions reps(static_cast<std::size_t>(R), MatrixXd(n, m));
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < m; ++j) {
      for (Index r = 0; r < R; ++r)
        reps[static_cast<std::size_t>(r)](i, j) = v[static_cast<std::size_t>((i * m + j) * R + r)];
    }
  }
  return reps;
}

// /responses: numeric, stimulus x neuron [x repetition], at least one neuron and repetition.
std::vector<hsize_t> check_responses(const RawFile& raw, const fs::path& file, hsize_t ids) {
  const std::string role = "recordings";
  const DatasetInfo d = raw.inspect("/responses", "stimulus x neuron [x repetition]");
  if ((d.dims.size() != 2 && d.dims.size() != 3) || !is_number(d)) {
    bad(file, role,
        "/responses has shape " + shape_text(d.dims) + (is_number(d) ? "" : " and is not numeric") +
            "; expected numbers, stimulus x neuron or stimulus x neuron x repetition");
  }
  if (d.dims[1] == 0 || (d.dims.size() == 3 && d.dims[2] == 0)) {
    bad(file, role,
        "/responses has shape " + shape_text(d.dims) +
            "; expected at least one neuron and one repetition");
  }
  if (d.dims[0] != ids) {
    bad(file, role,
        "/responses has " + std::to_string(d.dims[0]) + " stimuli (rows), /stimulus_id " +
            std::to_string(ids) + "; expected one id per row");
  }
  return d.dims;
}

}  // namespace

ModelResponses read_model_responses(const fs::path& file, const std::string& role) {
  const h5::File f = h5::File::open_read(file);
  if (!f.exists("/layers")) {
    throw std::runtime_error(file.string() +
                             ": no /layers; expected a responses file of `gaitsim record`");
  }
  const RawFile raw(file);
  const hsize_t n = check_ids(raw, file, role);
  check_id_vector(raw, file, role, "/labels", "the true class of each stimulus",
                  static_cast<long long>(n));
  ModelResponses m;
  m.path = file;
  m.layer_names = layer_names(f);
  for (const auto& name : m.layer_names) check_rates(raw, f, role, name, n);
  m.stimulus_id = read_ids(f, role);
  for (const auto& name : m.layer_names) {
    m.rates[name] = f.read_matrix<double>("/layers/" + name + "/rates");
    if (f.exists("/layers/" + name + "/auxiliary"))
      m.auxiliary[name] = f.read_vector<int>("/layers/" + name + "/auxiliary");
  }
  return m;
}

Recordings read_recordings(const fs::path& file) {
  const RawFile raw(file);
  const hsize_t n = check_ids(raw, file, "recordings");
  const std::vector<hsize_t> dims = check_responses(raw, file, n);
  Recordings r;
  r.path = file;
  r.stimulus_id = read_ids(h5::File::open_read(file), "recordings");
  r.reps = to_repetitions(raw.read_doubles("/responses", dims), dims);
  return r;
}

}  // namespace gaitsim::analysis
