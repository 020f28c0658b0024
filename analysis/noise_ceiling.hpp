#pragma once
// Noise ceilings of recordings with repetitions: the score that the true model (the noise-free
// signal S of which every repetition Y_r = S + E_r is a noisy copy) is expected to reach against
// the mean of all R repetitions, in the units of each metric. Derivations: docs/comparisons.md.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "analysis/rdm.hpp"

namespace gaitsim::analysis {

// Repetitions of a recording: reps[r] is stimulus x neuron for repetition r. NaN = missing.
using Repetitions = std::vector<Eigen::MatrixXd>;

// Predicted reliability of a measure twice as long (factor 2) from that of one half:
// factor r / (1 + (factor - 1) r).
double spearman_brown(double r, double factor = 2.0);

// Reliability (r^2 scale) of the mean of all R repetitions from the correlation r between the
// means of two disjoint halves of a and b repetitions, when the error variance of a mean of k
// repetitions falls as k^-p (p = exponent; 1 for independent additive noise):
//   r^2 = 1 / ((1 + q a^-p)(1 + q b^-p)) solved for the noise-to-signal ratio q >= 0, then
//   reliability = 1 / (1 + q R^-p).
// With p = 1 and a = b = R/2 this is spearman_brown(r); unequal halves (odd R) are exact too.
// 0 when r <= 0 (no reliable signal), 1 when r >= 1.
double reliability_of_mean(double r, int a, int b, int R, double exponent = 1.0);

// Mean over the given repetitions, skipping NaN; NaN where every one is NaN.
Eigen::MatrixXd nan_mean(const Repetitions& reps, const std::vector<int>& which);
Eigen::MatrixXd nan_mean(const Repetitions& reps);  // over all repetitions

// Random halves of the repetitions: split s puts a permutation's first floor(R/2) repetitions in
// half A and the rest in half B, the permutation drawn from (seed, s). Needs R >= 2.
std::vector<std::pair<std::vector<int>, std::vector<int>>> split_halves(int repetitions, int splits,
                                                                        std::uint64_t seed);

// The metric between the means of the two halves, averaged over `splits` random splits.
// Entries missing from a half mean (all its repetitions NaN) are filled from the mean over all
// repetitions so that the metric sees finite values.
double split_half_mean(
    const Repetitions& reps,
    const std::function<double(const Eigen::MatrixXd&, const Eigen::MatrixXd&)>& metric, int splits,
    std::uint64_t seed);

struct Ceiling {
  double split_half = 0;  // the metric between the two half means, averaged over splits
  double ceiling = 0;     // the expected score of the true model (what `normalised` divides by)
  double lower = std::numeric_limits<double>::quiet_NaN();  // bounds, where the metric has them
  double upper = std::numeric_limits<double>::quiet_NaN();
};

// RSA (correlation-distance RDMs compared by `how`): the RDM of a k-repetition mean has errors
// whose variance falls at least as 1/k (first order in the noise) and at most as 1/k^2 (second
// order), so reliability_of_mean with p = 1 and p = 2 bound the reliability of the full mean;
// lower = sqrt(p = 1), upper = sqrt(p = 2), ceiling = upper (a model at normalised 1 has
// reached the ceiling whichever bound holds).
Ceiling rsa_ceiling(const Repetitions& reps, RdmComparison how, int splits, std::uint64_t seed);

// Linear CKA: <K_S, K_Y> / (||K_S|| ||K_Y||) with centred Gram matrices, evaluated with
// unbiased estimates of ||K_S||^2 and of the noise's contribution to <K_S, K_Y> (see the
// derivation in docs/comparisons.md). Clamped to [0, 1].
Ceiling cka_ceiling(const Repetitions& reps, int splits, std::uint64_t seed);

// Debiased CKA: HSIC_u(A, B) of two half means with independent noise is an unbiased estimate
// of HSIC_u(S, S), and so is HSIC_u(S, Y); the true model's score is then
// sqrt(HSIC_u(S, S) / HSIC_u(Y, Y)). Clamped to [0, 1].
Ceiling cka_debiased_ceiling(const Repetitions& reps, int splits, std::uint64_t seed);

// Per neuron: Pearson r over stimuli between the two half means (stimuli where both are finite),
// averaged over splits, then reliability_of_mean (p = 1): the reliability of the neuron's mean
// over all repetitions (r^2 scale). NaN for neurons constant in a half.
Eigen::VectorXd neuron_reliability(const Repetitions& reps, int splits, std::uint64_t seed);

// Ridge (a Pearson r per neuron): the true signal's expected r with the neuron's mean response is
// sqrt(reliability) (clamped at 0); the layer's ceiling is the median over neurons with a defined
// reliability, as the score is the median r.
double median_neuron_ceiling(const Eigen::VectorXd& reliability);

}  // namespace gaitsim::analysis
