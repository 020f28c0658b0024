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

SweepSummary write_sweep_summary(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                 const fs::path& dir) {
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
  const auto keys = spec.keys();
  const std::vector<std::string> metrics = {"final_test_accuracy", "best_test_accuracy",
                                            "final_test_loss", "final_train_accuracy",
                                            "wall_seconds"};
  auto metric = [](const PointResult& r, std::size_t m) {
    const double v[] = {r.final_test_accuracy, r.best_test_accuracy, r.final_test_loss,
                        r.final_train_accuracy, r.wall_seconds};
    return v[m];
  };

  // One row per point.
  std::string csv = "name," + join(keys, ",") + ",seed,status,epochs,diverged," +
                    join(metrics, ",") + ",lost_on_rank\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const auto& r = s.points[i];
    csv += p.name;
    for (const auto& kv : p.params) csv += "," + kv.second;
    csv += "," + std::to_string(p.seed) + "," + r.status + "," + std::to_string(r.epochs) + "," +
           (r.status == "diverged" ? "1" : "0");
    for (std::size_t m = 0; m < metrics.size(); ++m) csv += "," + csv_number(metric(r, m));
    csv += "," + (r.lost_on_rank >= 0 ? std::to_string(r.lost_on_rank) : std::string()) + "\n";
  }
  write_text_atomic(dir / "summary.csv", csv);

  // Aggregate over seeds: groups of equal parameters, in first-appearance order.
  std::vector<std::size_t> group_first;
  std::map<std::vector<std::pair<std::string, std::string>>, std::size_t> group_of;
  std::vector<std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < points.size(); ++i) {
    auto [it, added] = group_of.emplace(points[i].params, members.size());
    if (added) {
      members.emplace_back();
      group_first.push_back(i);
    }
    members[it->second].push_back(i);
  }
  struct Agg {
    int n = 0, complete = 0, diverged = 0, unfinished = 0;
    std::vector<double> mean, sd;
  };
  std::vector<Agg> aggs;
  for (const auto& g : members) {
    Agg a;
    a.n = static_cast<int>(g.size());
    for (std::size_t i : g) {
      const auto& st = s.points[i].status;
      st == "complete" ? ++a.complete : st == "diverged" ? ++a.diverged : ++a.unfinished;
    }
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> v;  // over the completed seeds
      for (std::size_t i : g) {
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
      a.mean.push_back(mean);
      a.sd.push_back(sd);
    }
    aggs.push_back(a);
  }
  std::string agg_csv = join(keys, ",") + ",seeds,complete,diverged,unfinished";
  for (const auto& m : metrics) agg_csv += "," + m + "_mean," + m + "_sd";
  agg_csv += "\n";
  for (std::size_t g = 0; g < aggs.size(); ++g) {
    for (std::size_t k = 0; k < keys.size(); ++k) {
      agg_csv += (k ? "," : "") + points[group_first[g]].params[k].second;
    }
    const auto& a = aggs[g];
    agg_csv += "," + std::to_string(a.n) + "," + std::to_string(a.complete) + "," +
               std::to_string(a.diverged) + "," + std::to_string(a.unfinished);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      agg_csv += "," + csv_number(a.mean[m]) + "," + csv_number(a.sd[m]);
    }
    agg_csv += "\n";
  }
  write_text_atomic(dir / "summary_aggregate.csv", agg_csv);

  // The same in HDF5: /points/<column> and /aggregate/<column>.
  {
    h5::AtomicWriter writer(dir / "summary.h5");
    h5::File& f = writer.file();
    f.set_attr("/", "sweep_digest", digest(spec.text));
    f.set_attr("/", "base", spec.base.string());
    f.set_attr("/", "parameters", keys);
    std::vector<std::string> taken = {"seed",  "epochs",   "diverged",  "lost_on_rank",
                                      "seeds", "complete", "unfinished"};
    for (const auto& m : metrics) {
      for (const auto& suffix : {"", "_mean", "_sd"}) taken.push_back(m + suffix);
    }
    std::vector<std::string> column_names;
    for (const auto& k : keys) taken.push_back(column_names.emplace_back(dataset_name(k, taken)));
    f.set_attr("/", "parameter_datasets", column_names);
    f.set_attr("/", "points", static_cast<long long>(points.size()));
    f.set_attr("/", "complete", static_cast<long long>(s.complete));
    f.set_attr("/", "diverged", static_cast<long long>(s.diverged));
    f.set_attr("/", "unfinished", static_cast<long long>(s.unfinished));
    f.set_attr("/", "lost", static_cast<long long>(s.lost));
    std::vector<std::string> names, statuses, missing;
    for (std::size_t i = 0; i < points.size(); ++i) {
      names.push_back(points[i].name);
      statuses.push_back(s.points[i].status);
      if (s.points[i].status != "complete" && s.points[i].status != "diverged") {
        missing.push_back(points[i].name);
      }
    }
    auto param_column = [&](const std::string& group, const std::vector<std::size_t>& rows,
                            std::size_t k) {
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
      if (!numeric) {  // text values: the index of each into the attribute `categories`
        std::vector<std::string> categories;
        for (std::size_t j = 0; j < text.size(); ++j) {
          auto it = std::find(categories.begin(), categories.end(), text[j]);
          num[j] = double(it - categories.begin());
          if (it == categories.end()) categories.push_back(text[j]);
        }
        f.write_vector(group + "/" + column_names[k], num);
        f.set_attr(group + "/" + column_names[k], "categories", categories);
      } else {
        f.write_vector(group + "/" + column_names[k], num);
      }
      f.set_attr(group + "/" + column_names[k], "key", keys[k]);
    };
    std::vector<std::size_t> all(points.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    std::vector<long long> seed, epochs, diverged, lost_on_rank;
    for (std::size_t i = 0; i < points.size(); ++i) {
      seed.push_back(points[i].seed);
      epochs.push_back(s.points[i].epochs);
      diverged.push_back(s.points[i].status == "diverged");
      lost_on_rank.push_back(s.points[i].lost_on_rank);
    }
    f.write_vector("/points/seed", seed);
    for (std::size_t k = 0; k < keys.size(); ++k) param_column("/points", all, k);
    f.write_vector("/points/epochs", epochs);
    f.write_vector("/points/diverged", diverged);
    f.write_vector("/points/lost_on_rank", lost_on_rank);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> v;
      for (const auto& r : s.points) v.push_back(metric(r, m));
      f.write_vector("/points/" + metrics[m], v);
    }
    f.set_attr("/points", "name", names);
    f.set_attr("/points", "status", statuses);
    f.set_attr("/", "missing", missing);
    for (std::size_t k = 0; k < keys.size(); ++k) param_column("/aggregate", group_first, k);
    std::vector<long long> n, complete, div, unfinished;
    for (const auto& a : aggs) {
      n.push_back(a.n);
      complete.push_back(a.complete);
      div.push_back(a.diverged);
      unfinished.push_back(a.unfinished);
    }
    f.write_vector("/aggregate/seeds", n);
    f.write_vector("/aggregate/complete", complete);
    f.write_vector("/aggregate/diverged", div);
    f.write_vector("/aggregate/unfinished", unfinished);
    for (std::size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> mean, sd;
      for (const auto& a : aggs) {
        mean.push_back(a.mean[m]);
        sd.push_back(a.sd[m]);
      }
      f.write_vector("/aggregate/" + metrics[m] + "_mean", mean);
      f.write_vector("/aggregate/" + metrics[m] + "_sd", sd);
    }
    writer.commit();
  }
  return s;
}

}  // namespace gaitsim
