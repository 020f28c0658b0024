#include "sim/sweep/sweep_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>

#include "analysis/h5_file.hpp"
#include "analysis/h5_seal.hpp"
#include "analysis/sweep_summary_file.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kSweepLine = "gaitsim sweep: ";  // how the sweep's lines in a log start

}  // namespace

PointResult read_point(const fs::path& run_file) {
  PointResult r;
  r.final_test_accuracy = r.best_test_accuracy = r.final_test_loss = r.final_train_accuracy =
      r.wall_seconds = kNaN;
  if (!fs::exists(run_file)) return r;
  try {
    h5::verify_seal(run_file);
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

// The seeds of one parameter combination, as rows of the points.
struct SeedGroup {
  std::size_t first = 0;             // the row of its first point
  std::vector<std::size_t> members;  // its points' rows
};

std::vector<double> metrics(const PointResult& r) {
  return {r.final_test_accuracy, r.best_test_accuracy, r.final_test_loss, r.final_train_accuracy,
          r.wall_seconds};
}

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

// The group's statuses counted and, over the completed seeds, the mean and sample sd of each
// metric (NaN without completed seeds; sd NaN with one).
SummaryGroupRow summarise(const SeedGroup& g, const std::vector<SweepPoint>& points,
                          const SweepSummary& s) {
  SummaryGroupRow row;
  for (const auto& kv : points[g.first].params) row.values.push_back(kv.second);
  row.seeds = static_cast<long long>(g.members.size());
  for (std::size_t i : g.members) {
    const auto& st = s.points[i].status;
    st == "complete" ? ++row.complete : st == "diverged" ? ++row.diverged : ++row.unfinished;
  }
  for (std::size_t m = 0; m < sweep_summary_metrics().size(); ++m) {
    std::vector<double> v;  // over the completed seeds
    for (std::size_t i : g.members) {
      if (s.points[i].status == "complete") v.push_back(metrics(s.points[i])[m]);
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
    row.mean.push_back(mean);
    row.sd.push_back(sd);
  }
  return row;
}

// Groups of equal parameters, in first-appearance order.
std::vector<SummaryGroupRow> seed_groups(const std::vector<SweepPoint>& points,
                                         const SweepSummary& s) {
  std::vector<SeedGroup> groups;
  std::map<std::vector<std::pair<std::string, std::string>>, std::size_t> group_of;
  for (std::size_t i = 0; i < points.size(); ++i) {
    auto [it, added] = group_of.emplace(points[i].params, groups.size());
    if (added) groups.emplace_back().first = i;
    groups[it->second].members.push_back(i);
  }
  std::vector<SummaryGroupRow> rows;
  for (const auto& g : groups) rows.push_back(summarise(g, points, s));
  return rows;
}

// The summary's rows: one per point, one per parameter combination.
SweepSummaryTable table(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                        const SweepSummary& s) {
  SweepSummaryTable t;
  t.sweep_digest = digest(spec.text);
  t.base = spec.base.string();
  t.keys = spec.keys();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const PointResult& r = s.points[i];
    SummaryPointRow& row = t.points.emplace_back();
    row.name = points[i].name;
    for (const auto& kv : points[i].params) row.values.push_back(kv.second);
    row.seed = points[i].seed;
    row.status = r.status;
    row.epochs = r.epochs;
    row.lost_on_rank = r.lost_on_rank;
    row.metrics = metrics(r);
  }
  t.groups = seed_groups(points, s);
  t.complete = s.complete;
  t.diverged = s.diverged;
  t.unfinished = s.unfinished;
  t.lost = s.lost;
  return t;
}

}  // namespace

SweepSummary write_sweep_summary(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                 const fs::path& dir) {
  const SweepSummary s = read_points(points, dir);
  write_sweep_summary_files(dir, table(spec, points, s));
  return s;
}

}  // namespace gaitsim
