#pragma once
// Split-half noise ceilings of recordings with repetitions, Spearman-Brown corrected.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <vector>

namespace gaitsim::analysis {

// Repetitions of a recording: reps[r] is stimulus x neuron for repetition r. NaN = missing.
using Repetitions = std::vector<Eigen::MatrixXd>;

// Predicted reliability of a measure twice as long (factor 2) from that of one half:
// factor r / (1 + (factor - 1) r).
double spearman_brown(double r, double factor = 2.0);

// Mean over the given repetitions, skipping NaN; NaN where every one is NaN.
Eigen::MatrixXd nan_mean(const Repetitions& reps, const std::vector<int>& which);
Eigen::MatrixXd nan_mean(const Repetitions& reps);  // over all repetitions

// Random halves of the repetitions: split s puts a permutation's first floor(R/2) repetitions in
// half A and the rest in half B, the permutation drawn from (seed, s). Needs R >= 2.
std::vector<std::pair<std::vector<int>, std::vector<int>>> split_halves(int repetitions, int splits,
                                                                        std::uint64_t seed);

struct Ceiling {
  double split_half = 0;  // the metric between the two halves, averaged over splits
  double corrected = 0;   // spearman_brown(split_half): the ceiling of the full-data score
};

// Ceiling of a metric that compares two stimulus x neuron matrices (RSA, CKA, ...): the metric
// between the means of the two halves, averaged over `splits` random splits, then corrected.
// Entries missing from a half mean (all its repetitions NaN) are filled from the mean over all
// repetitions so that the metric sees finite values.
Ceiling split_half_ceiling(
    const Repetitions& reps,
    const std::function<double(const Eigen::MatrixXd&, const Eigen::MatrixXd&)>& metric, int splits,
    std::uint64_t seed);

// Per neuron: Pearson r over stimuli between the two half means (stimuli where both are finite),
// averaged over splits, then Spearman-Brown corrected. NaN for neurons constant in a half.
// The reliability of the neuron's mean over all repetitions.
Eigen::VectorXd neuron_reliability(const Repetitions& reps, int splits, std::uint64_t seed);

}  // namespace gaitsim::analysis
