#pragma once
// Centred kernel alignment with linear kernels (Kornblith et al., ICML 2019).
#include <Eigen/Core>

namespace gaitsim::analysis {

// X: stimulus x feature, Y: stimulus x feature (feature counts may differ).
// Linear CKA = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) with column-centred Xc, Yc.
// Computed in feature space (O(n p^2)), so any number of stimuli fits in memory. NaN when either
// representation is constant over stimuli. Throws std::invalid_argument when the row counts
// differ or n < 2.
double linear_cka(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y);

// The unbiased HSIC estimator of Song et al. (2012, eq. 5) on K = Xc Xc^T and L = Yc Yc^T:
//   HSIC_u = [tr(K~ L~) + (1^T K~ 1)(1^T L~ 1) / ((n-1)(n-2)) - 2/(n-2) 1^T K~ L~ 1] / (n (n-3))
// with K~, L~ the Gram matrices with zeroed diagonals; evaluated without forming them.
// Needs n >= 4.
double hsic_unbiased(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y);

// Debiased linear CKA = HSIC_u(K, L) / sqrt(HSIC_u(K, K) HSIC_u(L, L)); less biased upward than
// linear_cka for few stimuli and many features. NaN when a denominator term is not positive.
double linear_cka_debiased(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y);

}  // namespace gaitsim::analysis
