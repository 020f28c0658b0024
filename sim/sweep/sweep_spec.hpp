#pragma once
// A parameter sweep: a base config, axes of values for config keys, and seeds. Every
// combination (grid axes x random samples x seeds) is one point, a `gaitsim train` run.
//
//   base: ../quickstart.yaml          # relative to the sweep file
//   set: {learning.epochs: 2}         # fixed overrides for every point (optional)
//   axes:
//     learning.gamma: [1e-3, 1e-4]                # a list
//     learning.batch_size: {range: [20, 60, 20]}  # start, stop (inclusive), step
//     learning.learning_rate: {log: [1e-5, 1e-3, 3]}  # n values, evenly spaced in log
//     learning.ortho_reg: {uniform: [0, 1]}       # random axis: `samples` draws
//     learning.beta1: {log_uniform: [0.5, 0.99]}
//     method:                                     # named cases: each sets several keys
//       cases:
//         gait: {learning.algorithm: gait}
//         gait_learned: {learning.algorithm: gait, feedback.mode: learned}
//   samples: 4                        # random draws (of all random axes together)
//   sample_seed: 7                    # seed of those draws
//   seeds: [1, 2, 3]                  # network.seed of each point (or {range: [1, 3, 1]})
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim {

using SweepKeyValues = std::vector<std::pair<std::string, std::string>>;

struct SweepAxis {
  std::string key;                    // dotted config key (a cases axis: the axis's name)
  std::vector<std::string> values;    // grid axes: the values (cases: their names); random: drawn
  std::string random;                 // "" (grid) | uniform | log_uniform
  double low = 0, high = 0;           // random range
  std::vector<SweepKeyValues> cases;  // a cases axis: the keys each case sets, beside `values`
};

struct SweepPoint {
  std::string name;       // folder name, unique
  SweepKeyValues params;  // swept key (a cases axis: its name) -> value (case name), axis order
  long long seed = 1;
  // --set arguments of the point: fixed overrides, its parameters, network.seed.
  std::vector<std::string> sets;
};

struct SweepSpec {
  std::filesystem::path file;      // the sweep file
  std::string text;                // its content (identity of the sweep)
  std::filesystem::path base;      // the base config, resolved
  std::vector<std::string> fixed;  // `set:` overrides, as key=value
  std::vector<SweepAxis> axes;
  long long samples = 0;
  std::uint64_t sample_seed = 1;
  std::vector<long long> seeds;

  std::vector<std::string> keys() const;  // swept keys, axis order
};

// Parses a sweep file (throws ConfigError naming the file and entry).
SweepSpec load_sweep(const std::filesystem::path& file);
SweepSpec parse_sweep(const std::string& yaml, const std::filesystem::path& file);

// Every point, in a fixed order: grid (first axis slowest) x samples x seeds.
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);

// Loads the base config with every point's overrides; the first bad key or value throws a
// ConfigError naming the point. Nothing runs before every point is known to be valid.
void validate_sweep(const SweepSpec& spec, const std::vector<SweepPoint>& points);

// A number in its shortest exact form after rounding to 12 significant digits ("0.001").
std::string format_value(double v);
// Characters other than [A-Za-z0-9._=+-] become '_'.
std::string sanitise(const std::string& name);
// A short hex digest of a text (FNV-1a 64), for identifying a sweep.
std::string digest(const std::string& text);

}  // namespace gaitsim
