#pragma once
// Cross-validated linear predictivity (Brain-Score style): per target neuron, ridge regression
// from the features of a representation, alpha chosen by inner cross-validation, scored by
// Pearson r between held-out predictions and responses.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace gaitsim::analysis {

// alpha grid 1e-2 .. 1e7, 10 values evenly spaced in log10.
std::vector<double> default_alpha_grid();

struct RidgeOptions {
  int folds = 10;       // outer folds, split by stimulus (each stimulus held out once)
  int inner_folds = 5;  // folds of the inner CV on each outer training set
  std::vector<double> alphas = default_alpha_grid();
  std::uint64_t seed = 0;  // of the fold assignment
};

struct RidgeResult {
  Eigen::VectorXd r;              // per neuron: Pearson r of held-out predictions; NaN if undefined
  double median_r = 0;            // over neurons with a defined r (NaN if none)
  Eigen::Index neurons_used = 0;  // neurons with a defined r
  Eigen::MatrixXd predictions;    // stimulus x neuron, each from the fold that held it out
  Eigen::MatrixXd alpha;          // fold x neuron: the alpha chosen by the inner CV
};

// Fold of each of n items: a permutation drawn from seed (mt19937_64, our own index draw, so
// identical on every platform), then position % folds. Fold sizes differ by at most 1.
std::vector<int> fold_assignment(Eigen::Index n, int folds, std::uint64_t seed);

// X: stimulus x feature (the model layer), Y: stimulus x neuron (the responses); finite values.
// Per outer fold: features standardised with the training fold's mean and standard deviation
// (constant features are left centred, i.e. zero), responses centred with the training mean;
// one eigen-decomposition of the training Gram matrix (X^T X or X X^T, the smaller) per fit
// makes the whole alpha grid cost one decomposition. Alpha is chosen per neuron by the summed
// squared error over the inner folds. r is computed once per neuron over all stimuli, each
// predicted by the model that did not see it. Neurons whose responses, or held-out
// predictions, are constant get r = NaN and are left out of the median.
// Throws std::invalid_argument for mismatched rows, folds < 2, inner_folds < 2, or too few
// stimuli (fewer than 2 per inner fold).
RidgeResult ridge_predictivity(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                               const RidgeOptions& options = {});

}  // namespace gaitsim::analysis
