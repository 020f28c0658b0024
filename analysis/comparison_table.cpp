#include "analysis/comparison_table.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_stream.hpp"

namespace gaitsim::analysis {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "gaitsim-comparison";
constexpr const char* kCsvHeader =
    "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper";

// %.6g, empty for NaN (a metric or ceiling that was not computed).
std::string fmt(double v) {
  if (std::isnan(v)) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::vector<double> to_vector(const Eigen::VectorXd& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

Eigen::VectorXd to_eigen(const std::vector<double>& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// printf into a string of any length (layer names are not cut to the column width).
std::string printf_string(const char* format, ...) {
  va_list args, again;
  va_start(args, format);
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string s(static_cast<std::size_t>(n) + 1, '\0');
  std::vsnprintf(s.data(), s.size(), format, again);
  va_end(again);
  s.resize(static_cast<std::size_t>(n));
  return s;
}

// The per-row columns, in the order they are written.
void write_columns(const std::vector<ComparisonRow>& rows, h5::StreamFile& f) {
  std::vector<std::string> layer, metric;
  std::vector<double> score, ceiling, normalised, lower, upper;
  std::vector<long long> stimuli, units, neurons;
  for (const auto& r : rows) {
    layer.push_back(r.layer);
    metric.push_back(r.metric);
    score.push_back(r.score);
    ceiling.push_back(r.ceiling);
    normalised.push_back(r.normalised);
    lower.push_back(r.ceiling_lower);
    upper.push_back(r.ceiling_upper);
    stimuli.push_back(r.stimuli);
    units.push_back(r.units);
    neurons.push_back(r.neurons);
  }
  f.write_strings("/layer", layer);
  f.write_strings("/metric", metric);
  f.write_vector("/score", score);
  f.write_vector("/ceiling", ceiling);
  f.write_vector("/normalised", normalised);
  f.write_vector("/ceiling_lower", lower);
  f.write_vector("/ceiling_upper", upper);
  f.write_vector("/stimuli", stimuli);
  f.write_vector("/units", units);
  f.write_vector("/neurons", neurons);
}

// Per stimulus and per neuron: the matched ids, ridge's r, the reliabilities and the ceilings
// sqrt(max(reliability, 0)) derived from them.
void write_per_neuron(const ComparisonTable& t, h5::StreamFile& f) {
  f.write_vector("/stimulus_id", t.stimulus_id);
  for (const auto& [name, r] : t.ridge_r) f.write_vector("/ridge_r/" + name, to_vector(r));
  if (t.neuron_reliability.size() > 0) {
    f.write_vector("/neuron_reliability", to_vector(t.neuron_reliability));
    f.write_vector("/neuron_ceiling",
                   to_vector(t.neuron_reliability.array().max(0.0).sqrt().matrix()));
  }
  if (!t.neurons_used.empty()) f.write_vector("/neurons_used", t.neurons_used);
}

void write_attributes(const ComparisonTable& t, h5::StreamFile& f) {
  f.set_attr("/", "format", kFormat);
  f.set_attr("/", "responses", t.responses);
  f.set_attr("/", "recordings", t.recordings);
  f.set_attr("/", "seed", static_cast<long long>(t.seed));
  f.set_attr("/", "folds", t.folds);
  f.set_attr("/", "inner_folds", t.inner_folds);
  f.set_attr("/", "splits", t.splits);
  f.set_attr("/", "created", t.created);
  f.set_attr("/", "description",
             "one entry per row of the table (/layer, /metric, /score, /ceiling, /normalised, "
             "/ceiling_lower, /ceiling_upper); NaN where not computed");
}

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

void require(const h5::File& f, const std::string& name) {
  if (!f.exists(name)) bad(f.path(), "no " + name + "; expected a column of the comparison table");
}

template <class V>
V one_per_row(const h5::File& f, const std::string& name, V v, std::size_t rows) {
  if (v.size() != rows) {
    bad(f.path(), name + " has " + std::to_string(v.size()) + " entries; expected " +
                      std::to_string(rows) + " (one per row, as /layer)");
  }
  return v;
}

// A per-row column of numbers: one entry per row, or an error naming the dataset.
template <class T>
std::vector<T> column(const h5::File& f, const std::string& name, std::size_t rows) {
  require(f, name);
  return one_per_row(f, name, f.read_vector<T>(name), rows);
}

std::vector<ComparisonRow> read_rows(const h5::File& f) {
  require(f, "/layer");
  const auto layer = f.read_strings("/layer");
  const std::size_t n = layer.size();
  require(f, "/metric");
  const auto metric = one_per_row(f, "/metric", f.read_strings("/metric"), n);
  const auto score = column<double>(f, "/score", n), ceiling = column<double>(f, "/ceiling", n);
  const auto normalised = column<double>(f, "/normalised", n);
  const auto lower = column<double>(f, "/ceiling_lower", n);
  const auto upper = column<double>(f, "/ceiling_upper", n);
  const auto stimuli = column<long long>(f, "/stimuli", n),
             units = column<long long>(f, "/units", n);
  const auto neurons = column<long long>(f, "/neurons", n);
  std::vector<ComparisonRow> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    rows[i] = {layer[i], metric[i], score[i],   ceiling[i], normalised[i],
               lower[i], upper[i],  stimuli[i], units[i],   neurons[i]};
  }
  return rows;
}

void read_per_neuron(const h5::File& f, ComparisonTable& t) {
  t.stimulus_id = f.read_vector<long long>("/stimulus_id");
  if (f.exists("/ridge_r")) {
    for (const auto& name : f.list("/ridge_r"))
      t.ridge_r[name] = to_eigen(f.read_vector<double>("/ridge_r/" + name));
  }
  if (f.exists("/neuron_reliability"))
    t.neuron_reliability = to_eigen(f.read_vector<double>("/neuron_reliability"));
  if (f.exists("/neurons_used")) t.neurons_used = f.read_vector<long long>("/neurons_used");
  const auto ceiling = f.exists("/neuron_ceiling") ? f.read_vector<double>("/neuron_ceiling")
                                                   : std::vector<double>{};
  if (ceiling.size() != static_cast<std::size_t>(t.neuron_reliability.size())) {
    bad(f.path(), "/neuron_ceiling has " + std::to_string(ceiling.size()) +
                      " entries; expected one per entry of /neuron_reliability (" +
                      std::to_string(t.neuron_reliability.size()) + ")");
  }
}

void read_attributes(const h5::File& f, ComparisonTable& t) {
  t.responses = f.attr_string("/", "responses");
  t.recordings = f.attr_string("/", "recordings");
  t.seed = static_cast<std::uint64_t>(f.attr_int("/", "seed"));
  t.folds = f.attr_int("/", "folds");
  t.inner_folds = f.attr_int("/", "inner_folds");
  t.splits = f.attr_int("/", "splits");
  t.created = f.attr_string("/", "created");
}

// One CSV field as a number: empty is NaN.
double csv_number(const fs::path& file, std::size_t line, const std::string& field) {
  if (field.empty()) return ComparisonRow::kNaN;
  std::size_t used = 0;
  double v = ComparisonRow::kNaN;
  try {
    v = std::stod(field, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != field.size()) {
    bad(file, "line " + std::to_string(line) + ": '" + field +
                  "' is not a number; expected a number or an empty field");
  }
  return v;
}

ComparisonRow csv_row(const fs::path& file, std::size_t line, const std::string& text) {
  std::vector<std::string> fields;
  std::stringstream ss(text);
  std::string field;
  while (std::getline(ss, field, ',')) fields.push_back(field);
  if (!text.empty() && text.back() == ',') fields.emplace_back();
  if (fields.size() != 7) {
    bad(file, "line " + std::to_string(line) + " has " + std::to_string(fields.size()) +
                  " fields; expected 7 (" + kCsvHeader + ")");
  }
  ComparisonRow r;
  r.layer = fields[0];
  r.metric = fields[1];
  r.score = csv_number(file, line, fields[2]);
  r.ceiling = csv_number(file, line, fields[3]);
  r.normalised = csv_number(file, line, fields[4]);
  r.ceiling_lower = csv_number(file, line, fields[5]);
  r.ceiling_upper = csv_number(file, line, fields[6]);
  return r;
}

}  // namespace

std::pair<fs::path, fs::path> comparison_table_paths(const fs::path& out) {
  fs::path h5 = out;
  h5.replace_extension(".h5");
  if (h5 == out) h5 += ".h5";
  return {out, h5};
}

std::string comparison_table_text(const std::vector<ComparisonRow>& rows) {
  std::string text = printf_string("%-12s %-22s %10s %10s %11s %8s %7s %8s %10s %10s\n", "layer",
                                   "metric", "score", "ceiling", "normalised", "stimuli", "units",
                                   "neurons", "ceil_lower", "ceil_upper");
  for (const auto& r : rows) {
    text += printf_string("%-12s %-22s %10s %10s %11s %8lld %7lld %8lld %10s %10s\n",
                          r.layer.c_str(), r.metric.c_str(), fmt(r.score).c_str(),
                          fmt(r.ceiling).c_str(), fmt(r.normalised).c_str(), r.stimuli, r.units,
                          r.neurons, fmt(r.ceiling_lower).c_str(), fmt(r.ceiling_upper).c_str());
  }
  return text;
}

std::string comparison_table_csv(const std::vector<ComparisonRow>& rows) {
  std::ostringstream out;
  out << kCsvHeader << '\n';
  for (const auto& r : rows) {
    out << r.layer << ',' << r.metric << ',' << fmt(r.score) << ',' << fmt(r.ceiling) << ','
        << fmt(r.normalised) << ',' << fmt(r.ceiling_lower) << ',' << fmt(r.ceiling_upper) << '\n';
  }
  return out.str();
}

void write_comparison_table(const ComparisonTable& table, const fs::path& csv, const fs::path& h5) {
  const fs::path dir = csv.has_parent_path() ? csv.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) {
    throw std::runtime_error("cannot write " + csv.string() + ": the folder " + dir.string() +
                             " does not exist");
  }
  // Both files are complete under temporary names before either is renamed into place.
  h5::AtomicStreamWriter h5w(h5);
  write_columns(table.rows, h5w.file());
  write_per_neuron(table, h5w.file());
  write_attributes(table, h5w.file());
  AtomicTextWriter csv_writer(csv, comparison_table_csv(table.rows));
  h5w.commit();
  csv_writer.commit();
}

ComparisonTable read_comparison_table(const fs::path& h5) {
  const h5::File f = h5::File::open_read(h5);
  if (!f.has_attr("/", "format") || f.attr_string("/", "format") != kFormat)
    bad(h5, "not a comparison table (expected the root attribute format = gaitsim-comparison)");
  ComparisonTable t;
  t.rows = read_rows(f);
  read_per_neuron(f, t);
  read_attributes(f, t);
  return t;
}

std::vector<ComparisonRow> read_comparison_csv(const fs::path& csv) {
  std::ifstream in(csv);
  if (!in) bad(csv, "cannot open for reading");
  std::string line;
  if (!std::getline(in, line) || line != kCsvHeader)
    bad(csv, "line 1 is '" + line + "'; expected the header " + kCsvHeader);
  std::vector<ComparisonRow> rows;
  for (std::size_t n = 2; std::getline(in, line); ++n) rows.push_back(csv_row(csv, n, line));
  return rows;
}

}  // namespace gaitsim::analysis
