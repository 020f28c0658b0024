// `gaitsim compare`: model layers (a `gaitsim record` responses file) against recordings
// (/responses, stimulus x neuron [x repetition], and /stimulus_id) or against the layers of
// another responses file, by RSA, linear CKA and cross-validated ridge predictivity, with
// split-half noise ceilings when the recordings have repetitions.
#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "analysis/atomic_file.hpp"
#include "analysis/cka.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_stream.hpp"
#include "analysis/noise_ceiling.hpp"
#include "analysis/rdm.hpp"
#include "analysis/ridge_predictivity.hpp"
#include "sim/cli/command.hpp"
#include "sim/cli/exit_codes.hpp"

namespace gaitsim {

namespace fs = std::filesystem;
namespace an = gaitsim::analysis;
using Eigen::Index;
using Eigen::MatrixXd;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct CompareOptions {
  std::string responses, recordings;
  std::string layer = "all", other_layer;
  std::vector<std::string> metrics{"rsa", "cka", "ridge"};
  std::string rsa_rank = "spearman";
  int folds = 10, inner_folds = 5, splits = 10;
  std::uint64_t seed = 0;
  bool allow_partial = false, exclude_auxiliary = false, force = false;
  std::string nan = "skip";  // skip | error
  std::string out;
};

struct Row {
  std::string layer, metric;
  double score = kNaN, ceiling = kNaN, normalised = kNaN;
  double ceiling_lower = kNaN, ceiling_upper = kNaN;  // bounds, where the metric has them (RSA)
  Index stimuli = 0, units = 0, neurons = 0;
};

// The target side: recordings (with repetitions) or another model's layer.
struct Target {
  std::string label;           // for messages and the table
  an::Repetitions reps;        // one stimulus x neuron matrix per repetition (recordings)
  MatrixXd mean;               // stimulus x neuron, NaN-skipping mean over repetitions
  std::vector<Index> neurons;  // original neuron index of each column kept
};

std::string join_ids(const std::vector<long long>& v, std::size_t most = 5) {
  std::string s;
  for (std::size_t i = 0; i < std::min(v.size(), most); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() > most) s += ", ...";
  return s;
}

std::vector<std::string> layer_names(const h5::File& f) {
  if (!f.exists("/layers")) return {};
  // The recorded order (input first), not the alphabetical one of the group listing.
  if (f.has_attr("/", "format") && f.exists("/layer_names")) {
    std::vector<std::string> names;
    for (const auto& n : f.list("/layers")) names.push_back(n);
    std::vector<std::pair<long long, std::string>> ordered;
    for (const auto& n : names) ordered.emplace_back(f.attr_int("/layers/" + n, "index"), n);
    std::sort(ordered.begin(), ordered.end());
    names.clear();
    for (const auto& [i, n] : ordered) names.push_back(n);
    return names;
  }
  return f.list("/layers");
}

// n x m or n x m x R doubles.
an::Repetitions read_responses(const fs::path& file) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw std::runtime_error(file.string() + ": cannot open as HDF5");
  const hid_t d = H5Dopen2(f, "/responses", H5P_DEFAULT);
  if (d < 0) {
    H5Fclose(f);
    throw std::runtime_error(file.string() + ": no /responses (stimulus x neuron [x repetition])");
  }
  const hid_t space = H5Dget_space(d);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  std::vector<double> v;
  herr_t status = -1;
  if (rank == 2 || rank == 3) {
    v.resize(std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<>()));
    status = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  }
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  if (rank != 2 && rank != 3) {
    throw std::runtime_error(
        file.string() + ": /responses has " + std::to_string(rank) +
        " dimensions; expected stimulus x neuron or stimulus x neuron x repetition");
  }
  if (status < 0) throw std::runtime_error(file.string() + ": cannot read /responses as numbers");
  const auto n = static_cast<Index>(dims[0]), m = static_cast<Index>(dims[1]);
  const Index R = rank == 3 ? static_cast<Index>(dims[2]) : 1;
  an::Repetitions reps(static_cast<std::size_t>(R), MatrixXd(n, m));
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < m; ++j) {
      for (Index r = 0; r < R; ++r)
        reps[static_cast<std::size_t>(r)](i, j) = v[static_cast<std::size_t>((i * m + j) * R + r)];
    }
  }
  return reps;
}

std::vector<long long> read_ids(const h5::File& f, const std::string& role) {
  if (!f.exists("/stimulus_id")) {
    throw std::runtime_error(f.path().string() + " (" + role +
                             "): no /stimulus_id to match stimuli by");
  }
  std::vector<long long> ids = f.read_vector<long long>("/stimulus_id");
  std::unordered_map<long long, Index> seen;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!seen.emplace(ids[i], static_cast<Index>(i)).second) {
      throw std::runtime_error(f.path().string() + " (" + role + "): stimulus id " +
                               std::to_string(ids[i]) + " appears more than once");
    }
  }
  return ids;
}

MatrixXd take_rows(const MatrixXd& m, const std::vector<Index>& rows) {
  MatrixXd out(static_cast<Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Index>(i)) = m.row(rows[i]);
  return out;
}

MatrixXd take_cols(const MatrixXd& m, const std::vector<Index>& cols) {
  MatrixXd out(m.rows(), static_cast<Index>(cols.size()));
  for (std::size_t j = 0; j < cols.size(); ++j) out.col(static_cast<Index>(j)) = m.col(cols[j]);
  return out;
}

std::string fmt(double v) {
  if (std::isnan(v)) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

class Comparison {
 public:
  explicit Comparison(const CompareOptions& o) : o_(o) {}

  int run() {
    for (const auto& m : o_.metrics) {
      if (m != "rsa" && m != "cka" && m != "ridge") {
        throw ConfigError("--metric " + m + ": expected rsa, cka or ridge");
      }
    }
    const auto how = an::parse_rdm_comparison(o_.rsa_rank);
    check_outputs();
    const h5::File model = h5::File::open_read(o_.responses);
    if (!model.exists("/layers")) {
      throw std::runtime_error(o_.responses +
                               ": no /layers; expected a responses file of `gaitsim record`");
    }
    const h5::File other = h5::File::open_read(o_.recordings);
    const bool recordings = other.exists("/responses");
    if (!recordings && !other.exists("/layers")) {
      throw std::runtime_error(o_.recordings +
                               ": neither /responses (recordings) nor /layers "
                               "(a responses file of `gaitsim record`)");
    }
    const auto names = layer_names(model);
    std::vector<std::string> layers;
    if (o_.layer == "all") {
      layers = names;
    } else {
      if (std::find(names.begin(), names.end(), o_.layer) == names.end()) {
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw ConfigError("--layer " + o_.layer + ": " + o_.responses +
                          " has no such layer; it has " + list + " (or all)");
      }
      layers = {o_.layer};
    }
    match(model, other);
    std::vector<Row> rows;
    if (recordings) fixed_ = load_recordings();
    for (const auto& name : layers) {
      MatrixXd X = take_rows(model.read_matrix<double>("/layers/" + name + "/rates"), model_rows_);
      if (o_.exclude_auxiliary && model.exists("/layers/" + name + "/auxiliary")) {
        const auto aux = model.read_vector<int>("/layers/" + name + "/auxiliary");
        std::vector<Index> keep;
        for (std::size_t u = 0; u < aux.size(); ++u)
          if (!aux[u]) keep.push_back(static_cast<Index>(u));
        X = take_cols(X, keep);
      }
      if (!X.allFinite())
        throw std::runtime_error(o_.responses + ": layer " + name + " has non-finite rates");
      const Target t = recordings ? fixed_ : model_target(other, name, names);
      compare_layer(name, X, t, how, rows);
    }
    print(rows);
    if (!o_.out.empty()) write(rows);
    return kOk;
  }

 private:
  // Rows of each file for the stimuli both have, in the order of the target file.
  void match(const h5::File& model, const h5::File& other) {
    const auto mids = read_ids(model, "responses"), oids = read_ids(other, "recordings");
    std::unordered_map<long long, Index> where;
    for (std::size_t i = 0; i < mids.size(); ++i) where[mids[i]] = static_cast<Index>(i);
    std::vector<long long> missing;
    for (std::size_t i = 0; i < oids.size(); ++i) {
      const auto it = where.find(oids[i]);
      if (it == where.end()) {
        missing.push_back(oids[i]);
        continue;
      }
      model_rows_.push_back(it->second);
      target_rows_.push_back(static_cast<Index>(i));
      ids_.push_back(oids[i]);
    }
    const std::string counts = std::to_string(oids.size()) + " stimulus ids of " + o_.recordings;
    if (model_rows_.empty()) {
      throw std::runtime_error("no stimulus id in common: " + o_.recordings + " has ids " +
                               join_ids(oids) + "; " + o_.responses + " has " + join_ids(mids));
    }
    if (!missing.empty()) {
      const std::string what = std::to_string(missing.size()) + " of the " + counts +
                               " are not in " + o_.responses + " (" + join_ids(missing) + ")";
      if (!o_.allow_partial) {
        throw std::runtime_error(what +
                                 "; record those stimuli, or pass --allow-partial to use the " +
                                 std::to_string(model_rows_.size()) + " in common");
      }
      std::cerr << "warning: " << what << "; comparing the " << model_rows_.size()
                << " in common\n";
    }
    std::cerr << "matched " << model_rows_.size() << " stimuli by id (" << mids.size() << " in "
              << o_.responses << ", " << oids.size() << " in " << o_.recordings << ")\n";
  }

  Target load_recordings() {
    Target t;
    t.label = "recordings";
    an::Repetitions all = read_responses(o_.recordings);
    const Index n_file = all[0].rows(), m = all[0].cols();
    const h5::File f = h5::File::open_read(o_.recordings);
    const auto nids = f.read_vector<long long>("/stimulus_id").size();
    if (static_cast<Index>(nids) != n_file) {
      throw std::runtime_error(o_.recordings + ": /responses has " + std::to_string(n_file) +
                               " stimuli (rows), /stimulus_id " + std::to_string(nids));
    }
    for (auto& r : all) r = take_rows(r, target_rows_);
    // NaN: where, how many, and what happens to them.
    long long count = 0;
    std::vector<long long> nan_neurons;
    std::string first;
    for (Index j = 0; j < m; ++j) {
      long long in_neuron = 0;
      for (std::size_t r = 0; r < all.size(); ++r) {
        for (Index i = 0; i < all[r].rows(); ++i) {
          if (std::isnan(all[r](i, j))) {
            if (first.empty()) {
              first = "stimulus id " + std::to_string(ids_[static_cast<std::size_t>(i)]) +
                      ", neuron " + std::to_string(j) + ", repetition " + std::to_string(r);
            }
            ++in_neuron;
          }
        }
      }
      if (in_neuron) nan_neurons.push_back(j);
      count += in_neuron;
    }
    t.mean = an::nan_mean(all);
    std::vector<long long> dropped_nan, dropped_const;
    for (Index j = 0; j < m; ++j) {
      if (!t.mean.col(j).allFinite()) {
        dropped_nan.push_back(j);
      } else if (!((t.mean.col(j).array() - t.mean.col(j).mean()).matrix().squaredNorm() > 0)) {
        dropped_const.push_back(j);
      } else {
        t.neurons.push_back(j);
      }
    }
    if (count > 0) {
      const std::string what = o_.recordings + ": " + std::to_string(count) + " NaN values in " +
                               std::to_string(nan_neurons.size()) + " neurons (" +
                               join_ids(nan_neurons) + "), the first at " + first;
      if (o_.nan == "error") throw std::runtime_error(what + " (--nan error)");
      std::cerr << "warning: " << what << "; repetitions are averaged skipping NaN"
                << (dropped_nan.empty()
                        ? ""
                        : ", and neurons NaN in every repetition of some stimulus are left out: " +
                              join_ids(dropped_nan))
                << '\n';
    }
    if (!dropped_const.empty()) {
      std::cerr << "warning: " << dropped_const.size() << " neurons have zero variance over the "
                << "matched stimuli and are left out (" << join_ids(dropped_const) << ")\n";
    }
    if (t.neurons.empty())
      throw std::runtime_error(o_.recordings + ": no neuron left to compare with");
    t.mean = take_cols(t.mean, t.neurons);
    if (all.size() >= 2) {
      for (auto& r : all) t.reps.push_back(take_cols(r, t.neurons));
    }
    return t;
  }

  Target model_target(const h5::File& other, const std::string& layer,
                      const std::vector<std::string>& mine) {
    const std::string name = o_.other_layer.empty() ? layer : o_.other_layer;
    const auto theirs = layer_names(other);
    if (std::find(theirs.begin(), theirs.end(), name) == theirs.end()) {
      std::string list;
      for (const auto& n : theirs) list += (list.empty() ? "" : ", ") + n;
      throw ConfigError(o_.recordings + " has no layer " + name + " (it has " + list + ")" +
                        (o_.other_layer.empty() ? "; name one with --other-layer" : ""));
    }
    (void)mine;
    Target t;
    t.label = o_.recordings + ":" + name;
    const MatrixXd all =
        take_rows(other.read_matrix<double>("/layers/" + name + "/rates"), target_rows_);
    for (Index j = 0; j < all.cols(); ++j) {
      if ((all.col(j).array() - all.col(j).mean()).matrix().squaredNorm() > 0)
        t.neurons.push_back(j);
    }
    if (t.neurons.empty())
      throw std::runtime_error(t.label + ": every unit is constant over the stimuli");
    t.mean = take_cols(all, t.neurons);
    return t;
  }

  void compare_layer(const std::string& layer, const MatrixXd& X, const Target& t,
                     an::RdmComparison how, std::vector<Row>& rows) {
    const bool ceil = t.reps.size() >= 2;
    const auto add = [&](const std::string& metric, double score, const an::Ceiling* c) {
      Row r{layer, metric, score, kNaN, kNaN, kNaN, kNaN, X.rows(), X.cols(), t.mean.cols()};
      if (c) {
        r.ceiling = c->ceiling;
        r.ceiling_lower = c->lower;
        r.ceiling_upper = c->upper;
      }
      if (std::isfinite(r.ceiling) && r.ceiling > 0) r.normalised = score / r.ceiling;
      rows.push_back(r);
    };
    for (const auto& metric : o_.metrics) {
      if (metric == "rsa") {
        const auto score = an::rsa(X, t.mean, how);
        if (score.pairs_skipped > 0) {
          std::cerr << "note: " << layer << ": " << score.pairs_skipped
                    << " stimulus pairs involve a constant pattern and are left out of RSA\n";
        }
        const std::string name = "rsa_" + an::to_string(how);
        add(name, score.score,
            ceil ? &ceiling(name, [&] { return an::rsa_ceiling(t.reps, how, o_.splits, o_.seed); })
                 : nullptr);
      } else if (metric == "cka") {
        add("cka", an::linear_cka(X, t.mean),
            ceil ? &ceiling("cka", [&] { return an::cka_ceiling(t.reps, o_.splits, o_.seed); })
                 : nullptr);
        add("cka_debiased", an::linear_cka_debiased(X, t.mean),
            ceil ? &ceiling("cka_debiased",
                            [&] { return an::cka_debiased_ceiling(t.reps, o_.splits, o_.seed); })
                 : nullptr);
      } else {
        an::RidgeOptions ro;
        ro.folds = o_.folds;
        ro.inner_folds = o_.inner_folds;
        ro.seed = o_.seed;
        const auto r = an::ridge_predictivity(X, t.mean, ro);
        ridge_r_[layer] = r.r;
        add("ridge", r.median_r,
            ceil ? &ceiling("ridge",
                            [&] {
                              reliability_ = an::neuron_reliability(t.reps, o_.splits, o_.seed);
                              an::Ceiling c;
                              c.ceiling = an::median_neuron_ceiling(reliability_);
                              return c;
                            })
                 : nullptr);
      }
    }
  }

  // Ceilings depend on the recordings only: computed once per metric.
  const an::Ceiling& ceiling(const std::string& key, const std::function<an::Ceiling()>& make) {
    auto it = ceilings_.find(key);
    if (it == ceilings_.end()) it = ceilings_.emplace(key, make()).first;
    return it->second;
  }

  void print(const std::vector<Row>& rows) const {
    std::printf("%-12s %-22s %10s %10s %11s %8s %7s %8s %10s %10s\n", "layer", "metric", "score",
                "ceiling", "normalised", "stimuli", "units", "neurons", "ceil_lower", "ceil_upper");
    for (const auto& r : rows) {
      std::printf("%-12s %-22s %10s %10s %11s %8lld %7lld %8lld %10s %10s\n", r.layer.c_str(),
                  r.metric.c_str(), fmt(r.score).c_str(), fmt(r.ceiling).c_str(),
                  fmt(r.normalised).c_str(), static_cast<long long>(r.stimuli),
                  static_cast<long long>(r.units), static_cast<long long>(r.neurons),
                  fmt(r.ceiling_lower).c_str(), fmt(r.ceiling_upper).c_str());
    }
  }

  // FILE.csv and FILE.h5 beside it (FILE.csv.h5 when FILE has no extension).
  std::pair<fs::path, fs::path> outputs() const {
    const fs::path csv(o_.out);
    fs::path h5path = csv;
    h5path.replace_extension(".h5");
    if (h5path == csv) h5path += ".h5";
    return {csv, h5path};
  }

  // Before any work: an output that is one of the inputs is always refused (the comparison
  // would overwrite what it reads); an existing output only with --force. Exit 2 either way.
  void check_outputs() const {
    if (o_.out.empty()) return;
    const auto [csv, h5path] = outputs();
    for (const auto& out : {csv, h5path}) {
      for (const auto& in : {o_.responses, o_.recordings}) {
        std::error_code ec;
        if (fs::equivalent(out, in, ec) ||
            fs::weakly_canonical(out, ec) == fs::weakly_canonical(in, ec)) {
          throw ConfigError("--out " + o_.out + " would write " + out.string() +
                            ", which is an input of the comparison; choose another name");
        }
      }
      if (fs::exists(out) && !o_.force) {
        throw ConfigError(out.string() + " exists; pass --force to replace it (--out " + o_.out +
                          " writes " + csv.string() + " and " + h5path.string() + ")");
      }
    }
  }

  void write(const std::vector<Row>& rows) const {
    const auto [csv, h5path] = outputs();
    const fs::path dir = csv.has_parent_path() ? csv.parent_path() : fs::path(".");
    if (!fs::is_directory(dir)) {
      throw std::runtime_error("cannot write " + csv.string() + ": the folder " + dir.string() +
                               " does not exist");
    }
    // Both files are complete under temporary names before either is renamed into place.
    h5::AtomicStreamWriter h5w(h5path);
    write_h5(rows, h5w.file());
    std::ostringstream out;
    out << "layer,metric,score,ceiling,normalised,ceiling_lower,ceiling_upper\n";
    for (const auto& r : rows) {
      out << r.layer << ',' << r.metric << ',' << fmt(r.score) << ',' << fmt(r.ceiling) << ','
          << fmt(r.normalised) << ',' << fmt(r.ceiling_lower) << ',' << fmt(r.ceiling_upper)
          << '\n';
    }
    AtomicTextWriter csv_writer(csv, out.str());
    h5w.commit();
    csv_writer.commit();
    std::printf("table: %s and %s\n", csv.c_str(), h5path.c_str());
  }

  void write_h5(const std::vector<Row>& rows, h5::StreamFile& f) const {
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
    f.write_vector("/stimulus_id", ids_);
    const auto vec = [](const Eigen::VectorXd& v) {
      return std::vector<double>(v.data(), v.data() + v.size());
    };
    for (const auto& [name, r] : ridge_r_) f.write_vector("/ridge_r/" + name, vec(r));
    if (reliability_.size() > 0) {
      f.write_vector("/neuron_reliability", vec(reliability_));
      f.write_vector("/neuron_ceiling", vec(reliability_.array().max(0.0).sqrt().matrix()));
    }
    if (!fixed_.neurons.empty()) {
      std::vector<long long> kept(fixed_.neurons.begin(), fixed_.neurons.end());
      f.write_vector("/neurons_used", kept);
    }
    f.set_attr("/", "format", "gaitsim-comparison");
    f.set_attr("/", "responses", o_.responses);
    f.set_attr("/", "recordings", o_.recordings);
    f.set_attr("/", "seed", static_cast<long long>(o_.seed));
    f.set_attr("/", "folds", static_cast<long long>(o_.folds));
    f.set_attr("/", "inner_folds", static_cast<long long>(o_.inner_folds));
    f.set_attr("/", "splits", static_cast<long long>(o_.splits));
    f.set_attr("/", "created", h5::iso8601_now());
    f.set_attr("/", "description",
               "one entry per row of the table (/layer, /metric, /score, /ceiling, /normalised, "
               "/ceiling_lower, /ceiling_upper); NaN where not computed");
  }

  const CompareOptions& o_;
  std::vector<Index> model_rows_, target_rows_;
  std::vector<long long> ids_;
  std::map<std::string, an::Ceiling> ceilings_;
  Eigen::VectorXd reliability_;
  std::map<std::string, Eigen::VectorXd> ridge_r_;
  Target fixed_;
};

class CompareCommand : public Command {
 public:
  CLI::App* attach(CLI::App& app) override {
    auto* cmd = app.add_subcommand(
        "compare", "compare model layers with recordings (or another run) by RSA, CKA and ridge");
    cmd->add_option("RESPONSES", o_.responses, "responses file of `gaitsim record`")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("RECORDINGS", o_.recordings,
                    "HDF5 with /responses (stimulus x neuron [x repetition]) and /stimulus_id, or "
                    "another responses file of `gaitsim record`")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--layer", o_.layer,
                    "a layer name as gaitsim prints it (input, hidden1, ..., output) or all");
    cmd->add_option(
        "--other-layer", o_.other_layer,
        "when RECORDINGS is a responses file: its layer to compare with (default: the same name)");
    cmd->add_option("--metric", o_.metrics,
                    "rsa, cka, ridge (repeatable or comma-separated; default all three)")
        ->delimiter(',');
    cmd->add_option("--rsa-rank", o_.rsa_rank,
                    "how RDMs are compared: spearman (default) or kendall (tau-a)")
        ->check(CLI::IsMember({"spearman", "kendall"}));
    cmd->add_option("--folds", o_.folds, "outer cross-validation folds of ridge (default 10)")
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--inner-folds", o_.inner_folds,
                    "inner folds choosing ridge's alpha (default 5)")
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--splits", o_.splits,
                    "random split-halves averaged in noise ceilings (default 10)")
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--seed", o_.seed, "seed of the folds and split-halves (default 0)");
    cmd->add_flag("--allow-partial", o_.allow_partial,
                  "compare on the stimuli in common when some recorded ids are not in RESPONSES");
    cmd->add_flag("--exclude-auxiliary", o_.exclude_auxiliary,
                  "leave out the layers' auxiliary units");
    cmd->add_option("--nan", o_.nan,
                    "NaN in recordings: skip (default; averaged out, reported) or error")
        ->check(CLI::IsMember({"skip", "error"}));
    cmd->add_flag("--force", o_.force, "replace an existing --out table (csv and h5)");
    cmd->add_option("--out", o_.out,
                    "write the table as CSV (layer,metric,score,ceiling,normalised) and as HDF5 "
                    "beside it (.h5)");
    return cmd;
  }
  int run() override { return Comparison(o_).run(); }

 private:
  CompareOptions o_;
};

}  // namespace

std::unique_ptr<Command> make_compare_command() { return std::make_unique<CompareCommand>(); }

}  // namespace gaitsim
