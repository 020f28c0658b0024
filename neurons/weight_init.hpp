#pragma once
// Initial synaptic weights. Kinds are registered in one place (weight_init.cpp).
#include <random>
#include <string>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

// A rows x cols matrix with orthonormal rows (rows <= cols) or columns (rows >= cols), drawn
// uniformly (Haar) by QR of a Gaussian matrix with the signs of R's diagonal fixed.
Mat<double> random_orthogonal(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng);
// Glorot/Xavier uniform: U(-sqrt(6 / (rows + cols)), +sqrt(6 / (rows + cols))).
Mat<double> xavier_uniform(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng);

Mat<double> initial_weights(const std::string& kind, Eigen::Index rows, Eigen::Index cols,
                            std::mt19937_64& rng);
std::vector<std::string> weight_init_names();

}  // namespace gaitsim
