#pragma once
// Correlation coefficients between two equally long samples: Pearson, Spearman (Pearson on
// average ranks, so ties are handled) and Kendall's tau-a (Knight's O(n log n) algorithm).
// Inputs must be finite; callers drop missing values first.
#include <Eigen/Core>

namespace gaitsim::analysis {

// NaN when either sample is constant (the coefficient is undefined). Throws
// std::invalid_argument when the sizes differ or n < 2.
double pearson(const Eigen::Ref<const Eigen::VectorXd>& a,
               const Eigen::Ref<const Eigen::VectorXd>& b);

// 1-based ranks; tied values share the mean of their ranks.
Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& v);

double spearman(const Eigen::Ref<const Eigen::VectorXd>& a,
                const Eigen::Ref<const Eigen::VectorXd>& b);

// tau-a = (concordant - discordant) / (n (n - 1) / 2): pairs tied in either sample count as
// neither, so ties pull tau-a toward 0 (the convention of RSA toolboxes for RDMs with ties).
double kendall_tau_a(const Eigen::Ref<const Eigen::VectorXd>& a,
                     const Eigen::Ref<const Eigen::VectorXd>& b);

}  // namespace gaitsim::analysis
