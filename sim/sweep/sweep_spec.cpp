#include "sim/sweep/sweep_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "sim/config.hpp"

namespace gaitsim {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw ConfigError(file.string() + ": " + what);
}

// Seeds belong under `seeds` (each point's network.seed), not in an axis or a case.
void refuse_seed_key(const std::string& key, const fs::path& file, const std::string& where) {
  if (key == "network.seed") fail(file, where + ".network.seed: list seeds under 'seeds' instead");
}

double number(const YAML::Node& n, const fs::path& file, const std::string& where) {
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    fail(file, where + ": expected a number, got '" + (n.IsScalar() ? n.Scalar() : "?") + "'");
  }
}

// A scalar as a --set value: numbers normalised, everything else as written.
std::string scalar_value(const YAML::Node& n, const fs::path& file, const std::string& where) {
  if (!n.IsScalar()) fail(file, where + ": expected a single value");
  const std::string s = n.Scalar();
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return format_value(v);
  return s;
}

std::vector<std::string> range_values(const YAML::Node& r, const fs::path& file,
                                      const std::string& where) {
  if (!r.IsSequence() || r.size() != 3) fail(file, where + ": range needs [start, stop, step]");
  const double a = number(r[0], file, where), b = number(r[1], file, where),
               step = number(r[2], file, where);
  if (step == 0 || (b - a) / step < 0) {
    fail(file, where + ": range [start, stop, step] is empty (step 0 or pointing away from stop)");
  }
  std::vector<std::string> out;
  const long long n = static_cast<long long>(std::floor((b - a) / step * (1 + 1e-12) + 1e-9)) + 1;
  for (long long i = 0; i < n; ++i) out.push_back(format_value(a + double(i) * step));
  return out;
}

std::vector<std::string> log_values(const YAML::Node& r, const fs::path& file,
                                    const std::string& where) {
  if (!r.IsSequence() || r.size() != 3) fail(file, where + ": log needs [first, last, count]");
  const double a = number(r[0], file, where), b = number(r[1], file, where);
  const double count = number(r[2], file, where);
  if (a <= 0 || b <= 0) fail(file, where + ": log range bounds must be positive");
  if (count < 1 || count != std::floor(count)) fail(file, where + ": log count must be >= 1");
  const long long n = static_cast<long long>(count);
  std::vector<std::string> out;
  for (long long i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.0 : double(i) / double(n - 1);
    out.push_back(
        format_value(std::pow(10.0, std::log10(a) + t * (std::log10(b) - std::log10(a)))));
  }
  return out;
}

// Every map of sweep syntax names each key once: the file, `set`, `axes` and each axis's
// {range: ...}, three levels. Deeper maps and lists hold no keys of a sweep (and aliases could make
// them cyclic or exponentially large), so the walk stops there.
void check_sweep_keys_unique(const YAML::Node& node, const std::string& source,
                             const std::string& prefix, int levels = 3) {
  if (!node.IsMap() || levels == 0) return;
  check_unique_keys(node, source, prefix);
  for (const auto& kv : node) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : YAML::Dump(kv.first);
    check_sweep_keys_unique(kv.second, source, (prefix.empty() ? "" : prefix + ".") + key,
                            levels - 1);
  }
}

// {cases: {NAME: {key: value, ...}, ...}}: one grid value per case, named for folders and the
// summary, each setting its keys together (a method that is more than one key).
void parse_cases(const YAML::Node& arg, const fs::path& file, const std::string& where,
                 SweepAxis& axis) {
  if (!arg.IsMap() || arg.size() == 0)
    fail(file, where + ": cases needs a map of name: {key: value}");
  check_unique_keys(arg, file.string(), where + ".cases");
  for (const auto& kv : arg) {
    const std::string name = kv.first.as<std::string>();
    const std::string at = where + ".cases." + name;
    if (!kv.second.IsMap()) fail(file, at + ": expected a map of key: value ({} sets nothing)");
    check_unique_keys(kv.second, file.string(), at);
    SweepKeyValues sets;
    for (const auto& item : kv.second) {
      const std::string k = item.first.as<std::string>();
      refuse_seed_key(k, file, at);
      sets.emplace_back(k, scalar_value(item.second, file, at + "." + k));
    }
    axis.values.push_back(name);
    axis.cases.push_back(std::move(sets));
  }
}

SweepAxis parse_axis(const std::string& key, const YAML::Node& v, const fs::path& file) {
  const std::string where = "axes." + key;
  SweepAxis axis{key, {}, "", 0, 0, {}};
  if (v.IsSequence()) {
    for (const auto& item : v) axis.values.push_back(scalar_value(item, file, where));
  } else if (v.IsMap()) {
    if (v.size() != 1)
      fail(file, where + ": give one of list, range, log, uniform, log_uniform, cases");
    const std::string kind = v.begin()->first.as<std::string>();
    const YAML::Node arg = v.begin()->second;
    if (kind == "range") {
      axis.values = range_values(arg, file, where);
    } else if (kind == "log") {
      axis.values = log_values(arg, file, where);
    } else if (kind == "cases") {
      parse_cases(arg, file, where, axis);
    } else if (kind == "uniform" || kind == "log_uniform") {
      if (!arg.IsSequence() || arg.size() != 2)
        fail(file, where + ": " + kind + " needs [low, high]");
      axis.random = kind;
      axis.low = number(arg[0], file, where);
      axis.high = number(arg[1], file, where);
      if (!(axis.low < axis.high)) fail(file, where + ": " + kind + " needs low < high");
      if (kind == "log_uniform" && axis.low <= 0) fail(file, where + ": log_uniform needs low > 0");
    } else {
      fail(file, where + ": unknown axis kind '" + kind +
                     "' (expected a list, range, log, uniform, log_uniform or cases)");
    }
  } else {
    axis.values.push_back(scalar_value(v, file, where));
  }
  if (axis.random.empty() && axis.values.empty()) fail(file, where + ": the axis is empty");
  return axis;
}

// Two axes that set the same key would leave a point's value to the order of its --set
// arguments; `set:` may be overridden by an axis (a case's own epochs, say), axes not by each
// other.
void check_axes_disjoint(const std::vector<SweepAxis>& axes, const fs::path& file) {
  std::map<std::string, std::string> setter;  // key -> the axis that sets it
  for (const auto& a : axes) {
    std::set<std::string> keys;
    if (a.cases.empty()) keys.insert(a.key);
    for (const auto& c : a.cases)
      for (const auto& kv : c) keys.insert(kv.first);
    for (const auto& k : keys) {
      const auto [it, added] = setter.emplace(k, a.key);
      if (!added) fail(file, "axes." + it->second + " and axes." + a.key + " both set " + k);
    }
  }
}

}  // namespace

std::string format_value(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  const double rounded = std::strtod(buf, nullptr);
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, rounded);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string sanitise(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                    c == '=' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

std::string digest(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> SweepSpec::keys() const {
  std::vector<std::string> k;
  for (const auto& a : axes) k.push_back(a.key);
  return k;
}

SweepSpec load_sweep(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot read the sweep file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_sweep(ss.str(), file);
}

SweepSpec parse_sweep(const std::string& yaml, const fs::path& file) {
  SweepSpec s;
  s.file = file;
  s.text = yaml;
  // The checks of config files: one document, not empty, no control characters, no key twice.
  const YAML::Node root =
      parse_yaml_document(yaml, file.string(), "sweep", "a map with base, axes and seeds");
  check_sweep_keys_unique(root, file.string(), "");
  if (!root.IsMap()) fail(file, "expected a map with base, axes and seeds");
  const std::set<std::string> known = {"base", "set", "axes", "samples", "sample_seed", "seeds"};
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    if (!known.count(k)) {
      fail(file, "unknown entry '" + k + "' (did you mean '" +
                     nearest(k, {known.begin(), known.end()}) + "'?)");
    }
  }
  if (!root["base"]) fail(file, "missing 'base' (the config every point starts from)");
  fs::path base = root["base"].as<std::string>();
  if (base.is_relative()) {
    const fs::path beside = file.parent_path() / base;
    base = fs::exists(beside) ? beside : base;
  }
  if (!fs::exists(base)) fail(file, "base config " + base.string() + " does not exist");
  s.base = fs::absolute(base).lexically_normal();
  if (const auto set = root["set"]) {
    if (!set.IsMap()) fail(file, "set: expected a map of key: value");
    for (const auto& kv : set) {
      const std::string k = kv.first.as<std::string>();
      s.fixed.push_back(k + "=" + scalar_value(kv.second, file, "set." + k));
    }
  }
  const auto axes = root["axes"];
  if (!axes || !axes.IsMap() || axes.size() == 0) fail(file, "axes: expected a map of key: values");
  std::set<std::string> seen;
  for (const auto& kv : axes) {
    const std::string k = kv.first.as<std::string>();
    refuse_seed_key(k, file, "axes");
    if (!seen.insert(k).second) fail(file, "axes." + k + " is given twice");
    s.axes.push_back(parse_axis(k, kv.second, file));
  }
  check_axes_disjoint(s.axes, file);
  bool any_random = false;
  for (const auto& a : s.axes) any_random = any_random || !a.random.empty();
  if (root["samples"]) {
    const double n = number(root["samples"], file, "samples");
    if (n < 1 || n != std::floor(n)) fail(file, "samples: expected a count >= 1");
    s.samples = static_cast<long long>(n);
  }
  if (any_random && s.samples == 0) fail(file, "random axes need 'samples: N'");
  if (!any_random && s.samples > 0) fail(file, "samples is given but no axis is random");
  if (root["sample_seed"])
    s.sample_seed = static_cast<std::uint64_t>(number(root["sample_seed"], file, "sample_seed"));
  if (const auto seeds = root["seeds"]) {
    const SweepAxis a = parse_axis("seeds", seeds, file);
    if (!a.random.empty()) fail(file, "seeds: expected a list or range");
    for (const auto& v : a.values) {
      const double d = std::strtod(v.c_str(), nullptr);
      if (d != std::floor(d)) fail(file, "seeds: '" + v + "' is not an integer");
      s.seeds.push_back(static_cast<long long>(d));
    }
  } else {
    s.seeds.push_back(load_config(s.base, s.fixed).network.seed);
  }
  return s;
}

namespace {

// The --set arguments of one axis's value: key=value, or every key of the named case.
void push_sets(const SweepAxis& axis, const std::pair<std::string, std::string>& param,
               std::vector<std::string>& sets) {
  if (axis.cases.empty()) {
    sets.push_back(param.first + "=" + param.second);
    return;
  }
  const auto it = std::find(axis.values.begin(), axis.values.end(), param.second);
  assert(it != axis.values.end());
  for (const auto& [k, v] : axis.cases[std::size_t(it - axis.values.begin())])
    sets.push_back(k + "=" + v);
}

}  // namespace

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  std::vector<const SweepAxis*> grid, random;
  for (const auto& a : spec.axes) (a.random.empty() ? grid : random).push_back(&a);
  // Random draws: sample i gives one value to every random axis (axis order), from sample_seed.
  std::vector<std::vector<std::string>> draws;
  std::mt19937_64 rng(spec.sample_seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (long long i = 0; i < std::max<long long>(spec.samples, random.empty() ? 1 : 0); ++i) {
    std::vector<std::string> d;
    for (const auto* a : random) {
      const double u = unit(rng);
      const double v =
          a->random == "uniform"
              ? a->low + u * (a->high - a->low)
              : std::exp(std::log(a->low) + u * (std::log(a->high) - std::log(a->low)));
      d.push_back(format_value(v));
    }
    draws.push_back(d);
  }
  std::vector<SweepPoint> points;
  std::set<std::string> names;
  std::vector<std::size_t> idx(grid.size(), 0);
  while (true) {
    for (const auto& d : draws) {
      for (long long seed : spec.seeds) {
        SweepPoint p;
        std::size_t g = 0, r = 0;
        for (const auto& a : spec.axes) {
          p.params.emplace_back(a.key, a.random.empty() ? grid[g]->values[idx[g]] : d[r]);
          a.random.empty() ? ++g : ++r;
        }
        p.seed = seed;
        std::string name;
        for (const auto& [k, v] : p.params) name += k + "=" + v + "__";
        name = sanitise(name + "seed=" + std::to_string(seed));
        std::string unique = name;
        for (int n = 2; names.count(unique); ++n) unique = name + "__" + std::to_string(n);
        names.insert(unique);
        p.name = unique;
        p.sets = spec.fixed;
        for (std::size_t i = 0; i < spec.axes.size(); ++i)
          push_sets(spec.axes[i], p.params[i], p.sets);
        p.sets.push_back("network.seed=" + std::to_string(seed));
        points.push_back(std::move(p));
      }
    }
    // Next grid combination, last axis fastest.
    int a = static_cast<int>(grid.size()) - 1;
    while (a >= 0 && ++idx[a] == grid[a]->values.size()) idx[a--] = 0;
    if (a < 0) break;
  }
  return points;
}

void validate_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& points) {
  for (const auto& p : points) {
    try {
      load_config(spec.base, p.sets);
    } catch (const ConfigError& e) {
      throw ConfigError(spec.file.string() + ": point " + p.name + ": " + e.what());
    }
  }
}

}  // namespace gaitsim
