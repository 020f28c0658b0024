#include "analysis/sweep_summary_file.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_error.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

bool parse_number(const std::string& s, double& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// A dataset name for a swept key that MATLAB (struct field rules: a letter first, then letters,
// digits and _, at most 63 characters), Octave, Julia and h5py all accept: '.' becomes "__",
// any other character outside [A-Za-z0-9_] '_', a name not starting with a letter gets "p_",
// and a name already taken gets "_2", "_3", ... The key itself is the dataset's attribute `key`.
std::string dataset_name(const std::string& key, const std::vector<std::string>& taken) {
  std::string name;
  for (char ch : key) {
    if (ch == '.') {
      name += "__";
    } else {
      const bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      name += ok ? ch : '_';
    }
  }
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) name.insert(0, "p_");
  name.resize(std::min<std::size_t>(name.size(), 63));
  std::string unique = name;
  for (int k = 2; std::find(taken.begin(), taken.end(), unique) != taken.end(); ++k) {
    const std::string suffix = std::string(1, '_').append(std::to_string(k));
    unique = name.substr(0, 63 - suffix.size()).append(suffix);
  }
  return unique;
}

// summary.csv: one row per point.
std::string points_csv(const SweepSummaryTable& t) {
  const auto& metrics = sweep_summary_metrics();
  std::string csv = "name," + join(t.keys, ",") + ",seed,status,epochs,diverged," +
                    join(metrics, ",") + ",lost_on_rank\n";
  for (const SummaryPointRow& r : t.points) {
    csv += r.name;
    for (const auto& v : r.values) csv += "," + v;
    csv.append(",").append(std::to_string(r.seed)).append(",").append(r.status);
    csv.append(",").append(std::to_string(r.epochs)).append(r.status == "diverged" ? ",1" : ",0");
    for (double v : r.metrics) csv.append(",").append(csv_number(v));
    csv.append(",").append(r.lost_on_rank >= 0 ? std::to_string(r.lost_on_rank) : "").append("\n");
  }
  return csv;
}

// summary_aggregate.csv: one row per parameter combination.
std::string aggregate_csv(const SweepSummaryTable& t) {
  std::string csv = join(t.keys, ",") + ",seeds,complete,diverged,unfinished";
  for (const auto& m : sweep_summary_metrics()) csv += "," + m + "_mean," + m + "_sd";
  csv += "\n";
  for (const SummaryGroupRow& g : t.groups) {
    csv += join(g.values, ",");
    for (long long count : {g.seeds, g.complete, g.diverged, g.unfinished}) {
      csv.append(",").append(std::to_string(count));
    }
    for (std::size_t m = 0; m < g.mean.size(); ++m) {
      csv.append(",").append(csv_number(g.mean[m])).append(",").append(csv_number(g.sd[m]));
    }
    csv += "\n";
  }
  return csv;
}

// The columns of /points and /aggregate other than the swept keys'.
std::vector<std::string> fixed_columns() {
  std::vector<std::string> taken = {"seed",  "epochs",   "diverged",  "lost_on_rank",
                                    "seeds", "complete", "unfinished"};
  for (const auto& m : sweep_summary_metrics()) {
    for (const auto& suffix : {"", "_mean", "_sd"}) taken.push_back(m + suffix);
  }
  return taken;
}

// The dataset names of the swept keys, clear of the fixed columns.
std::vector<std::string> parameter_datasets(const std::vector<std::string>& keys) {
  std::vector<std::string> taken = fixed_columns();
  std::vector<std::string> names;
  for (const auto& k : keys) taken.push_back(names.emplace_back(dataset_name(k, taken)));
  return names;
}

// One swept key's text values at GROUP/NAME: numbers as they are, text values as the index of
// each into the attribute `categories`; the key itself in the attribute `key`.
void write_parameter_column(h5::File& f, const std::string& dataset, const std::string& key,
                            const std::vector<std::string>& text) {
  std::vector<double> num;
  bool numeric = true;
  for (const std::string& value : text) {
    double v = 0;
    numeric = numeric && parse_number(value, v);
    num.push_back(v);
  }
  if (!numeric) {
    std::vector<std::string> categories;
    for (std::size_t j = 0; j < text.size(); ++j) {
      auto it = std::find(categories.begin(), categories.end(), text[j]);
      num[j] = double(it - categories.begin());
      if (it == categories.end()) categories.push_back(text[j]);
    }
    f.write_vector(dataset, num);
    f.set_attr(dataset, "categories", categories);
  } else {
    f.write_vector(dataset, num);
  }
  f.set_attr(dataset, "key", key);
}

// Key k's values over `rows` (points or groups).
template <class Row>
std::vector<std::string> key_values(const std::vector<Row>& rows, std::size_t k) {
  std::vector<std::string> v;
  for (const Row& r : rows) v.push_back(r.values[k]);
  return v;
}

void write_root_attributes(h5::File& f, const SweepSummaryTable& t,
                           const std::vector<std::string>& names) {
  f.set_attr("/", "sweep_digest", t.sweep_digest);
  f.set_attr("/", "base", t.base);
  f.set_attr("/", "parameters", t.keys);
  f.set_attr("/", "parameter_datasets", names);
  f.set_attr("/", "points", static_cast<long long>(t.points.size()));
  f.set_attr("/", "complete", t.complete);
  f.set_attr("/", "diverged", t.diverged);
  f.set_attr("/", "unfinished", t.unfinished);
  f.set_attr("/", "lost", t.lost);
}

// /points/<column>: one entry per point.
void write_points(h5::File& f, const SweepSummaryTable& t, const std::vector<std::string>& names) {
  std::vector<std::string> statuses, missing, point_names;
  std::vector<long long> seed, epochs, diverged, lost_on_rank;
  for (const SummaryPointRow& r : t.points) {
    point_names.push_back(r.name);
    statuses.push_back(r.status);
    if (r.status != "complete" && r.status != "diverged") missing.push_back(r.name);
    seed.push_back(r.seed);
    epochs.push_back(r.epochs);
    diverged.push_back(r.status == "diverged");
    lost_on_rank.push_back(r.lost_on_rank);
  }
  f.write_vector("/points/seed", seed);
  for (std::size_t k = 0; k < t.keys.size(); ++k) {
    write_parameter_column(f, "/points/" + names[k], t.keys[k], key_values(t.points, k));
  }
  f.write_vector("/points/epochs", epochs);
  f.write_vector("/points/diverged", diverged);
  f.write_vector("/points/lost_on_rank", lost_on_rank);
  const auto& metrics = sweep_summary_metrics();
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    std::vector<double> v;
    for (const auto& r : t.points) v.push_back(r.metrics[m]);
    f.write_vector("/points/" + metrics[m], v);
  }
  f.set_attr("/points", "name", point_names);
  f.set_attr("/points", "status", statuses);
  f.set_attr("/", "missing", missing);
}

// /aggregate/<column>: one entry per parameter combination.
void write_aggregate(h5::File& f, const SweepSummaryTable& t,
                     const std::vector<std::string>& names) {
  std::vector<long long> n, complete, diverged, unfinished;
  for (const auto& g : t.groups) {
    n.push_back(g.seeds);
    complete.push_back(g.complete);
    diverged.push_back(g.diverged);
    unfinished.push_back(g.unfinished);
  }
  for (std::size_t k = 0; k < t.keys.size(); ++k) {
    write_parameter_column(f, "/aggregate/" + names[k], t.keys[k], key_values(t.groups, k));
  }
  f.write_vector("/aggregate/seeds", n);
  f.write_vector("/aggregate/complete", complete);
  f.write_vector("/aggregate/diverged", diverged);
  f.write_vector("/aggregate/unfinished", unfinished);
  const auto& metrics = sweep_summary_metrics();
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    std::vector<double> mean, sd;
    for (const auto& g : t.groups) {
      mean.push_back(g.mean[m]);
      sd.push_back(g.sd[m]);
    }
    f.write_vector("/aggregate/" + metrics[m] + "_mean", mean);
    f.write_vector("/aggregate/" + metrics[m] + "_sd", sd);
  }
}

// The reader's checks: every error names the file and the object.
class SummaryReader {
 public:
  explicit SummaryReader(const fs::path& file) : file_(file), f_(open(file)) {}

  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw SweepSummaryFileError(file_.string() + ": " + object + ": " + what);
  }

  long long count(const char* name) const {
    if (!f_.has_attr("/", name)) fail("/", std::string("no attribute ") + name + " (a count)");
    const long long n = f_.attr_int("/", name);
    if (n < 0) fail("/", std::string("attribute ") + name + " = " + std::to_string(n) + " < 0");
    return n;
  }

  std::string text(const std::string& obj, const char* name) const {
    if (!f_.has_attr(obj, name)) fail(obj, std::string("no attribute ") + name + " (text)");
    return f_.attr_string(obj, name);
  }

  // A list attribute of `n` entries (any length when n < 0).
  std::vector<std::string> strings(const std::string& obj, const char* name, long long n) const {
    if (!f_.has_attr(obj, name)) fail(obj, std::string("no attribute ") + name + " (a list)");
    std::vector<std::string> v = f_.attr_strings(obj, name);
    if (n >= 0 && static_cast<long long>(v.size()) != n) {
      fail(obj, std::string("attribute ") + name + " has " + std::to_string(v.size()) +
                    " entries, expected " + std::to_string(n));
    }
    return v;
  }

  // A 1-D dataset of `n` entries of type class `cls`, read as T.
  template <class T>
  std::vector<T> column(const std::string& ds, hsize_t n, H5T_class_t cls) const {
    const char* type = cls == H5T_INTEGER ? "integer" : "floating-point";
    if (!f_.exists(ds)) fail(ds, std::string("missing (expected ") + type + " values)");
    const std::vector<hsize_t> shape = f_.shape(ds);
    if (shape.size() != 1 || shape[0] != n) {
      fail(ds, "expected 1 dimension of " + std::to_string(n) + " entries, found shape " +
                   dims_text(shape));
    }
    if (type_class(ds) != cls) fail(ds, std::string("expected ") + type + " values");
    return f_.read_vector<T>(ds);
  }

  // The column's categories (text-valued key), each value an index into them.
  std::vector<std::string> categories(const std::string& ds, const std::vector<double>& v) const {
    if (!f_.has_attr(ds, "categories")) return {};
    std::vector<std::string> c = f_.attr_strings(ds, "categories");
    for (double x : v) {
      if (!(x >= 0 && x < double(c.size()) && x == std::floor(x))) {
        fail(ds, "value " + csv_number(x) + " is not an index into the attribute categories (" +
                     std::to_string(c.size()) + " entries)");
      }
    }
    return c;
  }

  const h5::File& file() const { return f_; }

 private:
  static h5::File open(const fs::path& file) {
    try {
      return h5::File::open_read(file);
    } catch (const std::exception& e) {
      throw SweepSummaryFileError(file.string() + ": cannot open as HDF5 (" + e.what() + ")");
    }
  }

  static std::string dims_text(const std::vector<hsize_t>& d) {
    std::string s = "(";
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + (d.size() == 1 ? ",)" : ")");
  }

  H5T_class_t type_class(const std::string& ds) const {
    h5::silence_hdf5_errors();
    const h5::Handle raw(H5Fopen(file_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    const h5::Handle set(
        raw.valid() ? H5Dopen2(raw.get(), ds.c_str(), H5P_DEFAULT) : H5I_INVALID_HID, H5Dclose);
    const h5::Handle type(set.valid() ? H5Dget_type(set.get()) : H5I_INVALID_HID, H5Tclose);
    return type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  }

  fs::path file_;
  h5::File f_;
};

void read_root(const SummaryReader& r, SweepSummaryFile& s) {
  s.sweep_digest = r.text("/", "sweep_digest");
  s.base = r.text("/", "base");
  s.points = r.count("points");
  s.complete = r.count("complete");
  s.diverged = r.count("diverged");
  s.unfinished = r.count("unfinished");
  s.lost = r.count("lost");
  if (s.complete + s.diverged + s.unfinished != s.points) {
    r.fail("/", "complete + diverged + unfinished = " +
                    std::to_string(s.complete + s.diverged + s.unfinished) +
                    ", expected points = " + std::to_string(s.points));
  }
  s.missing = r.strings("/", "missing", s.unfinished);
}

void read_points(const SummaryReader& r, SweepSummaryFile& s) {
  const auto n = static_cast<hsize_t>(s.points);
  s.name = r.strings("/points", "name", s.points);
  s.status = r.strings("/points", "status", s.points);
  s.seed = r.column<long long>("/points/seed", n, H5T_INTEGER);
  s.epochs = r.column<long long>("/points/epochs", n, H5T_INTEGER);
  s.diverged_flag = r.column<long long>("/points/diverged", n, H5T_INTEGER);
  s.lost_on_rank = r.column<long long>("/points/lost_on_rank", n, H5T_INTEGER);
  for (const auto& m : sweep_summary_metrics()) {
    s.metrics.push_back(r.column<double>("/points/" + m, n, H5T_FLOAT));
  }
}

void read_aggregate(const SummaryReader& r, SweepSummaryFile& s) {
  if (!r.file().exists("/aggregate/seeds")) r.fail("/aggregate/seeds", "missing");
  const std::vector<hsize_t> shape = r.file().shape("/aggregate/seeds");
  if (shape.size() != 1) r.fail("/aggregate/seeds", "expected 1 dimension (combination)");
  const hsize_t groups = shape[0];
  s.seeds = r.column<long long>("/aggregate/seeds", groups, H5T_INTEGER);
  s.group_complete = r.column<long long>("/aggregate/complete", groups, H5T_INTEGER);
  s.group_diverged = r.column<long long>("/aggregate/diverged", groups, H5T_INTEGER);
  s.group_unfinished = r.column<long long>("/aggregate/unfinished", groups, H5T_INTEGER);
  for (const auto& m : sweep_summary_metrics()) {
    s.mean.push_back(r.column<double>("/aggregate/" + m + "_mean", groups, H5T_FLOAT));
    s.sd.push_back(r.column<double>("/aggregate/" + m + "_sd", groups, H5T_FLOAT));
  }
}

// Each swept key (attribute `parameters`) has its columns under a MATLAB-safe name
// (`parameter_datasets`, in the same order).
void read_parameters(const SummaryReader& r, SweepSummaryFile& s) {
  const std::vector<std::string> keys = r.strings("/", "parameters", -1);
  const std::vector<std::string> columns =
      r.strings("/", "parameter_datasets", static_cast<long long>(keys.size()));
  const std::vector<std::string> fixed = fixed_columns();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    SummaryParameterColumns p;
    p.key = keys[i];
    p.dataset = columns[i];
    if (p.dataset.empty() || p.dataset.find('/') != std::string::npos ||
        std::find(fixed.begin(), fixed.end(), p.dataset) != fixed.end()) {
      r.fail("/", "attribute parameter_datasets names '" + p.dataset + "' for " + p.key +
                      ": expected a column name of its own");
    }
    const std::string point = "/points/" + p.dataset, aggregate = "/aggregate/" + p.dataset;
    p.point = r.column<double>(point, static_cast<hsize_t>(s.points), H5T_FLOAT);
    p.aggregate = r.column<double>(aggregate, s.seeds.size(), H5T_FLOAT);
    p.point_categories = r.categories(point, p.point);
    p.aggregate_categories = r.categories(aggregate, p.aggregate);
    s.parameters.push_back(std::move(p));
  }
}

}  // namespace

const std::vector<std::string>& sweep_summary_metrics() {
  static const std::vector<std::string> metrics = {"final_test_accuracy", "best_test_accuracy",
                                                   "final_test_loss", "final_train_accuracy",
                                                   "wall_seconds"};
  return metrics;
}

void write_sweep_summary_files(const fs::path& dir, const SweepSummaryTable& table) {
  write_text_atomic(dir / "summary.csv", points_csv(table));
  write_text_atomic(dir / "summary_aggregate.csv", aggregate_csv(table));
  h5::AtomicWriter writer(dir / "summary.h5");
  const std::vector<std::string> names = parameter_datasets(table.keys);
  write_root_attributes(writer.file(), table, names);
  write_points(writer.file(), table, names);
  write_aggregate(writer.file(), table, names);
  writer.commit();
}

SweepSummaryFile read_sweep_summary(const fs::path& summary_h5) {
  const SummaryReader r(summary_h5);
  SweepSummaryFile s;
  try {
    read_root(r, s);
    read_points(r, s);
    read_aggregate(r, s);
    read_parameters(r, s);
  } catch (const h5::H5Error& e) {  // an attribute or dataset of another type than written
    throw SweepSummaryFileError(e.what());
  }
  return s;
}

}  // namespace gaitsim
