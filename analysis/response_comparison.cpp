#include "analysis/response_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "analysis/cka.hpp"
#include "analysis/comparison_inputs.hpp"
#include "analysis/h5_file.hpp"
#include "analysis/h5_stream.hpp"
#include "analysis/noise_ceiling.hpp"
#include "analysis/rdm.hpp"
#include "analysis/ridge_predictivity.hpp"

namespace gaitsim::analysis {

namespace fs = std::filesystem;
using Eigen::Index;
using Eigen::MatrixXd;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The target side: recordings (with repetitions) or another model's layer.
struct Target {
  std::string label;           // for messages
  Repetitions reps;            // one stimulus x neuron matrix per repetition (recordings)
  MatrixXd mean;               // stimulus x neuron, NaN-skipping mean over repetitions
  std::vector<Index> neurons;  // original neuron index of each column kept
};

// The rows of each file for the stimuli both have, in the order of the target file.
struct Matching {
  std::vector<Index> model_rows, target_rows;
  std::vector<long long> ids;
};

template <class T>
std::string join_ids(const std::vector<T>& v, std::size_t most = 5) {
  std::string s;
  for (std::size_t i = 0; i < std::min(v.size(), most); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  if (v.size() > most) s += ", ...";
  return s;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
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

bool varies(const Eigen::VectorXd& column) {
  return (column.array() - column.mean()).matrix().squaredNorm() > 0;
}

// RECORDINGS is recordings (/responses) or a responses file (/layers, or an NWB file of `gaitsim
// record`: the root attribute nwb_version); anything else is refused.
bool holds_recordings(const ComparisonOptions& o) {
  const h5::File other = h5::File::open_read(o.recordings);
  if (other.exists("/responses")) return true;
  if (other.exists("/layers") || other.has_attr("/", "nwb_version")) return false;
  throw std::runtime_error(o.recordings +
                           ": neither /responses (recordings) nor /layers "
                           "(a responses file of `gaitsim record`)");
}

std::vector<std::string> chosen_layers(const ComparisonOptions& o,
                                       const std::vector<std::string>& names) {
  if (o.layer == "all") return names;
  if (std::find(names.begin(), names.end(), o.layer) == names.end()) {
    throw ComparisonOptionError("--layer " + o.layer + ": " + o.responses +
                                " has no such layer; it has " + join_names(names) + " (or all)");
  }
  return {o.layer};
}

Matching match_stimuli(const ComparisonOptions& o, const std::vector<long long>& mids,
                       const std::vector<long long>& oids, const ComparisonNotes& note) {
  std::unordered_map<long long, Index> where;
  for (std::size_t i = 0; i < mids.size(); ++i) where[mids[i]] = static_cast<Index>(i);
  Matching m;
  std::vector<long long> missing;
  for (std::size_t i = 0; i < oids.size(); ++i) {
    const auto it = where.find(oids[i]);
    if (it == where.end()) {
      missing.push_back(oids[i]);
      continue;
    }
    m.model_rows.push_back(it->second);
    m.target_rows.push_back(static_cast<Index>(i));
    m.ids.push_back(oids[i]);
  }
  if (m.model_rows.empty()) {
    throw std::runtime_error("no stimulus id in common: " + o.recordings + " has ids " +
                             join_ids(oids) + "; " + o.responses + " has " + join_ids(mids));
  }
  if (!missing.empty()) {
    const std::string what = std::to_string(missing.size()) + " of the " +
                             std::to_string(oids.size()) + " stimulus ids of " + o.recordings +
                             " are not in " + o.responses + " (" + join_ids(missing) + ")";
    const std::string common = std::to_string(m.model_rows.size());
    if (!o.allow_partial) {
      throw std::runtime_error(what +
                               "; record those stimuli, or pass --allow-partial to use the " +
                               common + " in common");
    }
    note("warning: " + what + "; comparing the " + common + " in common");
  }
  note("matched " + std::to_string(m.model_rows.size()) + " stimuli by id (" +
       std::to_string(mids.size()) + " in " + o.responses + ", " + std::to_string(oids.size()) +
       " in " + o.recordings + ")");
  return m;
}

// Where the recordings are NaN: how many values, in which neurons, and the first one.
struct NanReport {
  long long count = 0;
  std::vector<Index> neurons;
  std::string first;
};

NanReport find_nans(const Repetitions& all, const std::vector<long long>& ids) {
  NanReport n;
  for (Index j = 0; j < all[0].cols(); ++j) {
    long long in_neuron = 0;
    for (std::size_t r = 0; r < all.size(); ++r) {
      for (Index i = 0; i < all[r].rows(); ++i) {
        if (!std::isnan(all[r](i, j))) continue;
        if (n.first.empty()) {
          n.first = "stimulus id " + std::to_string(ids[static_cast<std::size_t>(i)]) +
                    ", neuron " + std::to_string(j) + ", repetition " + std::to_string(r);
        }
        ++in_neuron;
      }
    }
    if (in_neuron) n.neurons.push_back(j);
    n.count += in_neuron;
  }
  return n;
}

void report_nans(const ComparisonOptions& o, const NanReport& nans,
                 const std::vector<Index>& dropped, const ComparisonNotes& note) {
  if (nans.count == 0) return;
  const std::string what = o.recordings + ": " + std::to_string(nans.count) + " NaN values in " +
                           std::to_string(nans.neurons.size()) + " neurons (" +
                           join_ids(nans.neurons) + "), the first at " + nans.first;
  if (o.nan == "error") throw std::runtime_error(what + " (--nan error)");
  note("warning: " + what + "; repetitions are averaged skipping NaN" +
       (dropped.empty() ? ""
                        : ", and neurons NaN in every repetition of some stimulus are left out: " +
                              join_ids(dropped)));
}

// The recordings of the matched stimuli, without the neurons that cannot be compared (a NaN
// mean for some stimulus, or zero variance).
Target recordings_target(const ComparisonOptions& o, const Recordings& rec, const Matching& m,
                         const ComparisonNotes& note) {
  Target t;
  t.label = "recordings";
  Repetitions all = rec.reps;
  for (auto& r : all) r = take_rows(r, m.target_rows);
  const NanReport nans = find_nans(all, m.ids);
  t.mean = nan_mean(all);
  std::vector<Index> dropped_nan, dropped_const;
  for (Index j = 0; j < t.mean.cols(); ++j) {
    if (!t.mean.col(j).allFinite()) {
      dropped_nan.push_back(j);
    } else if (!varies(t.mean.col(j))) {
      dropped_const.push_back(j);
    } else {
      t.neurons.push_back(j);
    }
  }
  report_nans(o, nans, dropped_nan, note);
  if (!dropped_const.empty()) {
    note("warning: " + std::to_string(dropped_const.size()) +
         " neurons have zero variance over the matched stimuli and are left out (" +
         join_ids(dropped_const) + ")");
  }
  if (t.neurons.empty())
    throw std::runtime_error(o.recordings + ": no neuron left to compare with");
  t.mean = take_cols(t.mean, t.neurons);
  if (all.size() >= 2) {
    for (auto& r : all) t.reps.push_back(take_cols(r, t.neurons));
  }
  return t;
}

// Another model's layer (`--other-layer`, or the same name) on the matched stimuli, without its
// constant units.
Target model_target(const ComparisonOptions& o, const ModelResponses& other,
                    const std::string& layer, const Matching& m) {
  const std::string name = o.other_layer.empty() ? layer : o.other_layer;
  const auto& theirs = other.layer_names;
  if (std::find(theirs.begin(), theirs.end(), name) == theirs.end()) {
    throw ComparisonOptionError(o.recordings + " has no layer " + name + " (it has " +
                                join_names(theirs) + ")" +
                                (o.other_layer.empty() ? "; name one with --other-layer" : ""));
  }
  Target t;
  t.label = o.recordings + ":" + name;
  const MatrixXd all = take_rows(other.rates.at(name), m.target_rows);
  for (Index j = 0; j < all.cols(); ++j)
    if (varies(all.col(j))) t.neurons.push_back(j);
  if (t.neurons.empty())
    throw std::runtime_error(t.label + ": every unit is constant over the stimuli");
  t.mean = take_cols(all, t.neurons);
  return t;
}

// The layer's rates of the matched stimuli (without auxiliary units if asked); finite.
MatrixXd layer_rates(const ComparisonOptions& o, const ModelResponses& model,
                     const std::string& name, const Matching& m) {
  MatrixXd X = take_rows(model.rates.at(name), m.model_rows);
  const auto aux = model.auxiliary.find(name);
  if (o.exclude_auxiliary && aux != model.auxiliary.end()) {
    std::vector<Index> keep;
    for (std::size_t u = 0; u < aux->second.size(); ++u)
      if (!aux->second[u]) keep.push_back(static_cast<Index>(u));
    X = take_cols(X, keep);
  }
  if (!X.allFinite())
    throw std::runtime_error(o.responses + ": layer " + name + " has non-finite rates");
  return X;
}

// Scores layers against targets, one row per metric, into the table. Ceilings depend on the
// recordings only: computed once per metric.
class LayerScorer {
 public:
  LayerScorer(const ComparisonOptions& o, const ComparisonNotes& note, ComparisonTable& table)
      : o_(o), note_(note), how_(parse_rdm_comparison(o.rsa_rank)), table_(table) {}

  void score(const std::string& layer, const MatrixXd& X, const Target& t) {
    for (const auto& metric : o_.metrics) {
      if (metric == "rsa") {
        rsa_row(layer, X, t);
      } else if (metric == "cka") {
        cka_rows(layer, X, t);
      } else {
        ridge_row(layer, X, t);
      }
    }
  }

 private:
  void add(const std::string& layer, const MatrixXd& X, const Target& t, const std::string& metric,
           double score, const Ceiling* c) {
    ComparisonRow r{layer, metric, score,    kNaN,     kNaN,
                    kNaN,  kNaN,   X.rows(), X.cols(), t.mean.cols()};
    if (c) {
      r.ceiling = c->ceiling;
      r.ceiling_lower = c->lower;
      r.ceiling_upper = c->upper;
    }
    if (std::isfinite(r.ceiling) && r.ceiling > 0) r.normalised = score / r.ceiling;
    table_.rows.push_back(r);
  }

  // The metric's ceiling, or none when the target has no repetitions.
  const Ceiling* ceiling(const Target& t, const std::string& key,
                         const std::function<Ceiling()>& make) {
    if (t.reps.size() < 2) return nullptr;
    auto it = ceilings_.find(key);
    if (it == ceilings_.end()) it = ceilings_.emplace(key, make()).first;
    return &it->second;
  }

  void rsa_row(const std::string& layer, const MatrixXd& X, const Target& t) {
    const auto score = rsa(X, t.mean, how_);
    if (score.pairs_skipped > 0) {
      note_("note: " + layer + ": " + std::to_string(score.pairs_skipped) +
            " stimulus pairs involve a constant pattern and are left out of RSA");
    }
    const std::string name = "rsa_" + to_string(how_);
    add(layer, X, t, name, score.score,
        ceiling(t, name, [&] { return rsa_ceiling(t.reps, how_, o_.splits, o_.seed); }));
  }

  void cka_rows(const std::string& layer, const MatrixXd& X, const Target& t) {
    add(layer, X, t, "cka", linear_cka(X, t.mean),
        ceiling(t, "cka", [&] { return cka_ceiling(t.reps, o_.splits, o_.seed); }));
    add(layer, X, t, "cka_debiased", linear_cka_debiased(X, t.mean),
        ceiling(t, "cka_debiased",
                [&] { return cka_debiased_ceiling(t.reps, o_.splits, o_.seed); }));
  }

  void ridge_row(const std::string& layer, const MatrixXd& X, const Target& t) {
    RidgeOptions ro;
    ro.folds = o_.folds;
    ro.inner_folds = o_.inner_folds;
    ro.seed = o_.seed;
    const auto r = ridge_predictivity(X, t.mean, ro);
    table_.ridge_r[layer] = r.r;
    add(layer, X, t, "ridge", r.median_r, ceiling(t, "ridge", [&] {
          table_.neuron_reliability = neuron_reliability(t.reps, o_.splits, o_.seed);
          Ceiling c;
          c.ceiling = median_neuron_ceiling(table_.neuron_reliability);
          return c;
        }));
  }

  const ComparisonOptions& o_;
  const ComparisonNotes& note_;
  RdmComparison how_;
  ComparisonTable& table_;
  std::map<std::string, Ceiling> ceilings_;
};

ComparisonTable empty_table(const ComparisonOptions& o) {
  ComparisonTable table;
  table.responses = o.responses;
  table.recordings = o.recordings;
  table.seed = o.seed;
  table.folds = o.folds;
  table.inner_folds = o.inner_folds;
  table.splits = o.splits;
  return table;
}

void against_recordings(const ComparisonOptions& o, const ModelResponses& model,
                        const std::vector<std::string>& layers, const ComparisonNotes& note,
                        ComparisonTable& table) {
  const Recordings rec = read_recordings(o.recordings);
  const Matching m = match_stimuli(o, model.stimulus_id, rec.stimulus_id, note);
  const Target t = recordings_target(o, rec, m, note);
  table.stimulus_id = m.ids;
  table.neurons_used.assign(t.neurons.begin(), t.neurons.end());
  LayerScorer scorer(o, note, table);
  for (const auto& name : layers) scorer.score(name, layer_rates(o, model, name, m), t);
}

void against_model(const ComparisonOptions& o, const ModelResponses& model,
                   const std::vector<std::string>& layers, const ComparisonNotes& note,
                   ComparisonTable& table) {
  const ModelResponses other = read_model_responses(o.recordings, "recordings");
  const Matching m = match_stimuli(o, model.stimulus_id, other.stimulus_id, note);
  table.stimulus_id = m.ids;
  LayerScorer scorer(o, note, table);
  for (const auto& name : layers) {
    const MatrixXd X = layer_rates(o, model, name, m);
    scorer.score(name, X, model_target(o, other, name, m));
  }
}

}  // namespace

void validate_comparison_options(const ComparisonOptions& o) {
  for (const auto& m : o.metrics) {
    if (m != "rsa" && m != "cka" && m != "ridge")
      throw ComparisonOptionError("--metric " + m + ": expected rsa, cka or ridge");
  }
  try {
    parse_rdm_comparison(o.rsa_rank);
  } catch (const std::invalid_argument& e) {
    throw ComparisonOptionError(std::string("--rsa-rank: ") + e.what());
  }
}

void check_comparison_outputs(const ComparisonOptions& o, const fs::path& csv, const fs::path& h5,
                              bool force) {
  for (const auto& out : {csv, h5}) {
    for (const auto& in : {o.responses, o.recordings}) {
      std::error_code ec;
      if (fs::equivalent(out, in, ec) ||
          fs::weakly_canonical(out, ec) == fs::weakly_canonical(in, ec)) {
        throw ComparisonOptionError("--out " + csv.string() + " would write " + out.string() +
                                    ", which is an input of the comparison; choose another name");
      }
    }
    if (fs::exists(out) && !force) {
      throw ComparisonOptionError(out.string() + " exists; pass --force to replace it (--out " +
                                  csv.string() + " writes " + csv.string() + " and " + h5.string() +
                                  ")");
    }
  }
}

ComparisonTable compare_responses(const ComparisonOptions& o, const ComparisonNotes& note) {
  validate_comparison_options(o);
  const ModelResponses model = read_model_responses(o.responses, "responses");
  const bool recordings = holds_recordings(o);
  const auto layers = chosen_layers(o, model.layer_names);
  ComparisonTable table = empty_table(o);
  if (recordings) {
    against_recordings(o, model, layers, note, table);
  } else {
    against_model(o, model, layers, note, table);
  }
  table.created = h5::iso8601_now();
  return table;
}

}  // namespace gaitsim::analysis
