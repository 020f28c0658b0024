#include "analysis/rank_correlation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace gaitsim::analysis {
namespace {

void check_pair(Eigen::Index a, Eigen::Index b, const char* what) {
  if (a != b) {
    throw std::invalid_argument(std::string(what) + ": samples differ in length (" +
                                std::to_string(a) + " and " + std::to_string(b) + ")");
  }
  if (a < 2) throw std::invalid_argument(std::string(what) + ": needs at least 2 values");
}

// Pairs tied within runs of equal values of `v` taken in the order `idx`.
long long tied_pairs(const std::vector<Eigen::Index>& idx, const Eigen::VectorXd& v) {
  long long ties = 0, run = 1;
  for (std::size_t i = 1; i <= idx.size(); ++i) {
    if (i < idx.size() && v(idx[i]) == v(idx[i - 1])) {
      ++run;
    } else {
      ties += run * (run - 1) / 2;
      run = 1;
    }
  }
  return ties;
}

// Sorts idx[lo, hi) by b, returning the number of inversions (swaps of a bubble sort).
long long merge_count(std::vector<Eigen::Index>& idx, std::vector<Eigen::Index>& buf,
                      const Eigen::VectorXd& b, std::size_t lo, std::size_t hi) {
  if (hi - lo < 2) return 0;
  const std::size_t mid = lo + (hi - lo) / 2;
  long long swaps = merge_count(idx, buf, b, lo, mid) + merge_count(idx, buf, b, mid, hi);
  std::size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (b(idx[j]) < b(idx[i])) {
      swaps += static_cast<long long>(mid - i);
      buf[k++] = idx[j++];
    } else {
      buf[k++] = idx[i++];
    }
  }
  while (i < mid) buf[k++] = idx[i++];
  while (j < hi) buf[k++] = idx[j++];
  std::copy(buf.begin() + lo, buf.begin() + hi, idx.begin() + lo);
  return swaps;
}

}  // namespace

double pearson(const Eigen::Ref<const Eigen::VectorXd>& a,
               const Eigen::Ref<const Eigen::VectorXd>& b) {
  check_pair(a.size(), b.size(), "pearson");
  const Eigen::VectorXd x = a.array() - a.mean();
  const Eigen::VectorXd y = b.array() - b.mean();
  const double sxx = x.squaredNorm(), syy = y.squaredNorm();
  if (!(sxx > 0) || !(syy > 0)) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(x.dot(y) / std::sqrt(sxx * syy), -1.0, 1.0);
}

Eigen::VectorXd average_ranks(const Eigen::Ref<const Eigen::VectorXd>& v) {
  const Eigen::Index n = v.size();
  std::vector<Eigen::Index> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](Eigen::Index i, Eigen::Index j) { return v(i) < v(j); });
  Eigen::VectorXd r(n);
  for (Eigen::Index i = 0; i < n;) {
    Eigen::Index j = i;
    while (j + 1 < n && v(idx[j + 1]) == v(idx[i])) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (Eigen::Index k = i; k <= j; ++k) r(idx[k]) = rank;
    i = j + 1;
  }
  return r;
}

double spearman(const Eigen::Ref<const Eigen::VectorXd>& a,
                const Eigen::Ref<const Eigen::VectorXd>& b) {
  check_pair(a.size(), b.size(), "spearman");
  return pearson(average_ranks(a), average_ranks(b));
}

double kendall_tau_a(const Eigen::Ref<const Eigen::VectorXd>& a,
                     const Eigen::Ref<const Eigen::VectorXd>& b) {
  check_pair(a.size(), b.size(), "kendall_tau_a");
  const Eigen::VectorXd x = a, y = b;
  const auto n = static_cast<std::size_t>(x.size());
  std::vector<Eigen::Index> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](Eigen::Index i, Eigen::Index j) {
    return x(i) < x(j) || (x(i) == x(j) && y(i) < y(j));
  });
  const long long n0 = static_cast<long long>(n) * static_cast<long long>(n - 1) / 2;
  const long long tied_x = tied_pairs(idx, x);
  // Pairs tied in both: runs equal in x and y (consecutive after the sort).
  long long tied_xy = 0, run = 1;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i < n && x(idx[i]) == x(idx[i - 1]) && y(idx[i]) == y(idx[i - 1])) {
      ++run;
    } else {
      tied_xy += run * (run - 1) / 2;
      run = 1;
    }
  }
  std::vector<Eigen::Index> buf(n);
  const long long swaps = merge_count(idx, buf, y, 0, n);  // discordant pairs
  const long long tied_y = tied_pairs(idx, y);             // idx is now sorted by y
  // concordant - discordant = (n0 - tied_x - tied_y + tied_xy) - 2 * discordant
  const double diff = static_cast<double>(n0 - tied_x - tied_y + tied_xy - 2 * swaps);
  return diff / static_cast<double>(n0);
}

}  // namespace gaitsim::analysis
