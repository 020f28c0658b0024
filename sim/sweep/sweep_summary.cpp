#include "sim/sweep/sweep_summary.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>

#include "analysis/atomic_file.hpp"
#include "analysis/h5_file.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kSweepLine = "gaitsim sweep: ";  // how the sweep's lines in a log start

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

}  // namespace

PointResult read_point(const fs::path& run_file) {
  PointResult r;
  r.final_test_accuracy = r.best_test_accuracy = r.final_test_loss = r.final_train_accuracy =
      r.wall_seconds = kNaN;
  if (!fs::exists(run_file)) return r;
  try {
    const h5::File f = h5::File::open_read(run_file);
    r.status = f.attr_string("/", "status");
    const auto acc = f.read_vector<double>("/metrics/test_accuracy");
    r.epochs = static_cast<int>(acc.size());
    if (!acc.empty()) {
      r.final_test_accuracy = acc.back();
      r.best_test_accuracy = *std::max_element(acc.begin(), acc.end());
      r.final_test_loss = f.read_vector<double>("/metrics/test_loss").back();
      r.final_train_accuracy = f.read_vector<double>("/metrics/train_accuracy").back();
      const auto secs = f.read_vector<double>("/metrics/epoch_seconds");
      r.wall_seconds = 0;
      for (double s : secs) r.wall_seconds += s;
    }
  } catch (const std::exception&) {
    r.status = "unreadable";
  }
  return r;
}

std::string lost_note(int rank, double silence) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%srank %d sent nothing for %.3g s; the point is recorded as lost (run the sweep "
                "again to resume it)\n",
                kSweepLine, rank, silence);
  return buf;
}

int lost_rank_in_log(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.rfind(kSweepLine, 0) == 0) last = line;
  }
  int rank = -1;
  const std::string pattern = std::string(kSweepLine) + "rank %d sent nothing";
  if (std::sscanf(last.c_str(), pattern.c_str(), &rank) == 1 &&
      last.find("recorded as lost") != std::string::npos) {
    return rank;
  }
  return -1;
}

namespace {

// The per-point metrics of the summary, in column order.
const std::vector<std::string> kMetrics = {"final_test_accuracy", "best_test_accuracy",
                                           "final_test_loss", "final_train_accuracy",
                                           "wall_seconds"};

double metric(const PointResult& r, std::size_t m) {
  const double v[] = {r.final_test_accuracy, r.best_test_accuracy, r.final_test_loss,
                      r.final_train_accuracy, r.wall_seconds};
  return v[m];
}

// The seeds of one parameter combination: their statuses counted and, over the completed ones,
// the mean and sample sd of each metric (NaN without completed seeds; sd NaN with one).
struct SeedGroup {
  std::size_t first = 0;             // the row of its first point
  std::vector<std::size_t> members;  // its points' rows
  int complete = 0, diverged = 0, unfinished = 0;
  std::vector<double> mean, sd;  // per metric
};

SweepSummary read_points(const std::vector<SweepPoint>& points, const fs::path& dir) {
  SweepSummary s;
  for (const auto& p : points) {
    PointResult& r = s.points.emplace_back(read_point(dir / "points" / p.name / "run.h5"));
    if (r.status != "complete" && r.status != "diverged") {
      r.lost_on_rank = lost_rank_in_log(dir / "logs" / (p.name + ".log"));
      if (r.lost_on_rank >= 0) {
        r.status = "lost";
        ++s.lost;
      }
    }
    r.status == "complete" ? ++s.complete : r.status == "diverged" ? ++s.diverged : ++s.unfinished;
  }
  return s;
}

void summarise(SeedGroup& g, const SweepSummary& s) {
  for (std::size_t i : g.members) {
    const auto& st = s.points[i].status;
    st == "complete" ? ++g.complete : st == "diverged" ? ++g.diverged : ++g.unfinished;
  }
  for (std::size_t m = 0; m < kMetrics.size(); ++m) {
    std::vector<double> v;  // over the completed seeds
    for (std::size_t i : g.members) {
      if (s.points[i].status == "complete") v.push_back(metric(s.points[i], m));
    }
    double mean = kNaN, sd = kNaN;
    if (!v.empty()) {
      mean = 0;
      for (double x : v) mean += x;
      mean /= double(v.size());
      if (v.size() > 1) {  // one seed has no sd (n - 1 = 0): left empty / NaN
        sd = 0;
        for (double x : v) sd += (x - mean) * (x - mean);
        sd = std::sqrt(sd / double(v.size() - 1));
      }
    }
    g.mean.push_back(mean);
    g.sd.push_back(sd);
  }
}

// Groups of equal parameters, in first-appearance order.
std::vector<SeedGroup> seed_groups(const std::vector<SweepPoint>& points, const SweepSummary& s) {
  std::vector<SeedGroup> groups;
  std::map<std::vector<std::pair<std::string, std::string>>, std::size_t> group_of;
  for (std::size_t i = 0; i < points.size(); ++i) {
    auto [it, added] = group_of.emplace(points[i].params, groups.size());
    if (added) groups.emplace_back().first = i;
    groups[it->second].members.push_back(i);
  }
  for (auto& g : groups) summarise(g, s);
  return groups;
}

// summary.csv: one row per point.
std::string points_csv(const std::vector<std::string>& keys, const std::vector<SweepPoint>& points,
                       const SweepSummary& s) {
  std::string csv = "name," + join(keys, ",") + ",seed,status,epochs,diverged," +
                    join(kMetrics, ",") + ",lost_on_rank\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const auto& r = s.points[i];
    csv += p.name;
    for (const auto& kv : p.params) csv += "," + kv.second;
    csv += "," + std::to_string(p.seed) + "," + r.status + "," + std::to_string(r.epochs) + "," +
           (r.status == "diverged" ? "1" : "0");
    for (std::size_t m = 0; m < kMetrics.size(); ++m)
      csv.append(",").append(csv_number(metric(r, m)));
    csv += "," + (r.lost_on_rank >= 0 ? std::to_string(r.lost_on_rank) : std::string()) + "\n";
  }
  return csv;
}

// summary_aggregate.csv: one row per parameter combination.
std::string aggregate_csv(const std::vector<std::string>& keys,
                          const std::vector<SweepPoint>& points,
                          const std::vector<SeedGroup>& groups) {
  std::string csv = join(keys, ",") + ",seeds,complete,diverged,unfinished";
  for (const auto& m : kMetrics) csv += "," + m + "_mean," + m + "_sd";
  csv += "\n";
  for (const auto& g : groups) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      csv += (k ? "," : "") + points[g.first].params[k].second;
    }
    csv += "," + std::to_string(g.members.size()) + "," + std::to_string(g.complete) + "," +
           std::to_string(g.diverged) + "," + std::to_string(g.unfinished);
    for (std::size_t m = 0; m < kMetrics.size(); ++m) {
      csv.append(",").append(csv_number(g.mean[m])).append(",").append(csv_number(g.sd[m]));
    }
    csv += "\n";
  }
  return csv;
}

// The dataset names of the swept keys, clear of the fixed columns.
std::vector<std::string> parameter_datasets(const std::vector<std::string>& keys) {
  std::vector<std::string> taken = {"seed",  "epochs",   "diverged",  "lost_on_rank",
                                    "seeds", "complete", "unfinished"};
  for (const auto& m : kMetrics) {
    for (const auto& suffix : {"", "_mean", "_sd"}) taken.push_back(m + suffix);
  }
  std::vector<std::string> names;
  for (const auto& k : keys) taken.push_back(names.emplace_back(dataset_name(k, taken)));
  return names;
}

// One swept key's values over `rows` at GROUP/NAME: numbers as they are, text values as the
// index of each into the attribute `categories`; the key itself in the attribute `key`.
void write_parameter_column(h5::File& f, const std::string& dataset, const std::string& key,
                            const std::vector<SweepPoint>& points,
                            const std::vector<std::size_t>& rows, std::size_t k) {
  std::vector<double> num;
  std::vector<std::string> text;
  bool numeric = true;
  for (std::size_t i : rows) {
    double v = 0;
    const std::string& value = points[i].params[k].second;
    numeric = numeric && parse_number(value, v);
    num.push_back(v);
    text.push_back(value);
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

void write_root_attributes(h5::File& f, const SweepSpec& spec, const std::vector<std::string>& keys,
                           const std::vector<std::string>& names,
                           const std::vector<SweepPoint>& points, const SweepSummary& s) {
  f.set_attr("/", "sweep_digest", digest(spec.text));
  f.set_attr("/", "base", spec.base.string());
  f.set_attr("/", "parameters", keys);
  f.set_attr("/", "parameter_datasets", names);
  f.set_attr("/", "points", static_cast<long long>(points.size()));
  f.set_attr("/", "complete", static_cast<long long>(s.complete));
  f.set_attr("/", "diverged", static_cast<long long>(s.diverged));
  f.set_attr("/", "unfinished", static_cast<long long>(s.unfinished));
  f.set_attr("/", "lost", static_cast<long long>(s.lost));
}

// /points/<column>: one entry per point.
void write_points(h5::File& f, const std::vector<std::string>& keys,
                  const std::vector<std::string>& names, const std::vector<SweepPoint>& points,
                  const SweepSummary& s) {
  std::vector<std::size_t> all(points.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<std::string> statuses, missing, point_names;
  std::vector<long long> seed, epochs, diverged, lost_on_rank;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointResult& r = s.points[i];
    point_names.push_back(points[i].name);
    statuses.push_back(r.status);
    if (r.status != "complete" && r.status != "diverged") missing.push_back(points[i].name);
    seed.push_back(points[i].seed);
    epochs.push_back(r.epochs);
    diverged.push_back(r.status == "diverged");
    lost_on_rank.push_back(r.lost_on_rank);
  }
  f.write_vector("/points/seed", seed);
  for (std::size_t k = 0; k < keys.size(); ++k) {
    write_parameter_column(f, "/points/" + names[k], keys[k], points, all, k);
  }
  f.write_vector("/points/epochs", epochs);
  f.write_vector("/points/diverged", diverged);
  f.write_vector("/points/lost_on_rank", lost_on_rank);
  for (std::size_t m = 0; m < kMetrics.size(); ++m) {
    std::vector<double> v;
    for (const auto& r : s.points) v.push_back(metric(r, m));
    f.write_vector("/points/" + kMetrics[m], v);
  }
  f.set_attr("/points", "name", point_names);
  f.set_attr("/points", "status", statuses);
  f.set_attr("/", "missing", missing);
}

// /aggregate/<column>: one entry per parameter combination.
void write_aggregate(h5::File& f, const std::vector<std::string>& keys,
                     const std::vector<std::string>& names, const std::vector<SweepPoint>& points,
                     const std::vector<SeedGroup>& groups) {
  std::vector<std::size_t> first;
  std::vector<long long> n, complete, diverged, unfinished;
  for (const auto& g : groups) {
    first.push_back(g.first);
    n.push_back(static_cast<long long>(g.members.size()));
    complete.push_back(g.complete);
    diverged.push_back(g.diverged);
    unfinished.push_back(g.unfinished);
  }
  for (std::size_t k = 0; k < keys.size(); ++k) {
    write_parameter_column(f, "/aggregate/" + names[k], keys[k], points, first, k);
  }
  f.write_vector("/aggregate/seeds", n);
  f.write_vector("/aggregate/complete", complete);
  f.write_vector("/aggregate/diverged", diverged);
  f.write_vector("/aggregate/unfinished", unfinished);
  for (std::size_t m = 0; m < kMetrics.size(); ++m) {
    std::vector<double> mean, sd;
    for (const auto& g : groups) {
      mean.push_back(g.mean[m]);
      sd.push_back(g.sd[m]);
    }
    f.write_vector("/aggregate/" + kMetrics[m] + "_mean", mean);
    f.write_vector("/aggregate/" + kMetrics[m] + "_sd", sd);
  }
}

}  // namespace

SweepSummary write_sweep_summary(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                 const fs::path& dir) {
  const SweepSummary s = read_points(points, dir);
  const std::vector<SeedGroup> groups = seed_groups(points, s);
  const auto keys = spec.keys();
  write_text_atomic(dir / "summary.csv", points_csv(keys, points, s));
  write_text_atomic(dir / "summary_aggregate.csv", aggregate_csv(keys, points, groups));
  h5::AtomicWriter writer(dir / "summary.h5");
  const std::vector<std::string> names = parameter_datasets(keys);
  write_root_attributes(writer.file(), spec, keys, names, points, s);
  write_points(writer.file(), keys, names, points, s);
  write_aggregate(writer.file(), keys, names, points, groups);
  writer.commit();
  return s;
}

}  // namespace gaitsim
