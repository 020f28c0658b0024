#include "analysis/comparison_inputs.hpp"

#include <hdf5.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

#include "analysis/h5_error.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"
#include "analysis/responses_reader.hpp"

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

// The recordings' /stimulus_id: a 1-D integer dataset; returns its length.
hsize_t check_ids(const RawFile& raw, const fs::path& file) {
  const std::string meaning = "to match stimuli by";
  const DatasetInfo d = raw.inspect("/stimulus_id", meaning);
  if (d.dims.size() != 1 || !is_integer(d)) {
    bad(file, "recordings",
        "/stimulus_id has shape " + shape_text(d.dims) +
            (is_integer(d) ? "" : " and is not of an integer type") +
            "; expected a 1-D integer dataset (" + meaning + ")");
  }
  return d.dims[0];
}

// Ids are how stimuli are matched: an id twice is an error.
void check_unique(const std::vector<long long>& ids, const fs::path& file,
                  const std::string& role) {
  std::unordered_set<long long> seen;
  for (const long long id : ids) {
    if (!seen.insert(id).second) {
      bad(file, role, "stimulus id " + std::to_string(id) + " appears more than once");
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

namespace {

// The reader's error with the file's role in the comparison: "FILE (role): what".
[[noreturn]] void rethrow_with_role(const ResponsesFormatError& e, const fs::path& file,
                                    const std::string& role) {
  const std::string what = e.what(), prefix = file.string() + ": ";
  if (what.rfind(prefix, 0) != 0) throw e;
  bad(file, role, what.substr(prefix.size()));
}

// The schema (ids, labels, layers, shapes and dtypes) as ResponsesReader checks it.
ResponsesReader read_checked(const fs::path& file, const std::string& role) {
  try {
    return ResponsesReader(file);
  } catch (const ResponsesFormatError& e) {
    rethrow_with_role(e, file, role);
  }
}

}  // namespace

ModelResponses read_model_responses(const fs::path& file, const std::string& role) {
  const ResponsesReader reader = read_checked(file, role);
  ModelResponses m;
  m.path = file;
  m.stimulus_id = reader.ids();
  check_unique(m.stimulus_id, file, role);
  for (const ResponseLayer& l : reader.layers()) {
    m.layer_names.push_back(l.name);
    m.rates[l.name] = reader.rates(l.name);
    m.auxiliary[l.name] = std::vector<int>(l.auxiliary.begin(), l.auxiliary.end());
  }
  return m;
}

Recordings read_recordings(const fs::path& file) {
  const RawFile raw(file);
  const hsize_t n = check_ids(raw, file);
  const std::vector<hsize_t> dims = check_responses(raw, file, n);
  Recordings r;
  r.path = file;
  r.stimulus_id = h5::File::open_read(file).read_vector<long long>("/stimulus_id");
  check_unique(r.stimulus_id, file, "recordings");
  r.reps = to_repetitions(raw.read_doubles("/responses", dims), dims);
  return r;
}

}  // namespace gaitsim::analysis
