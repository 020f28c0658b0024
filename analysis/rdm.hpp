#pragma once
// Representational similarity analysis: dissimilarity matrices over stimuli and their
// comparison on the upper triangle.
#include <Eigen/Core>
#include <string>

namespace gaitsim::analysis {

// X: stimulus x feature. RDM(i, j) = 1 - Pearson(X.row(i), X.row(j)) over features, in [0, 2],
// zero diagonal. A stimulus whose pattern is constant (zero variance over features) has an
// undefined correlation: its row and column are NaN (diagonal 0). Memory O(stimuli^2).
Eigen::MatrixXd correlation_rdm(const Eigen::MatrixXd& X);

// The strict upper triangle, row by row: (0,1), (0,2), ..., (1,2), ...
Eigen::VectorXd upper_triangle(const Eigen::MatrixXd& m);

enum class RdmComparison { kSpearman, kKendallTauA };
RdmComparison parse_rdm_comparison(const std::string& name);  // "spearman" | "kendall"
std::string to_string(RdmComparison c);

struct RsaResult {
  double score = 0;                // rank correlation of the two upper triangles
  Eigen::Index pairs_used = 0;     // stimulus pairs compared
  Eigen::Index pairs_skipped = 0;  // pairs with a NaN dissimilarity in either RDM (left out)
};

// Compares two RDMs of the same stimuli. Throws std::invalid_argument when their sizes differ or
// fewer than 3 stimuli (pairs) remain.
RsaResult compare_rdms(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, RdmComparison how);

// compare_rdms(correlation_rdm(X), correlation_rdm(Y)); X and Y have one row per stimulus.
RsaResult rsa(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
              RdmComparison how = RdmComparison::kSpearman);

}  // namespace gaitsim::analysis
