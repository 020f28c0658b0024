#pragma once
// 3-D datasets for `gaitsim settle`: analysis/h5_file.hpp writes matrices (2-D) only, so a
// (time x stimulus x unit) array is written here through the HDF5 C API.
#include <filesystem>
#include <string>
#include <vector>

#include "neurons/types.hpp"

namespace gaitsim {

// Writes slices[k](n, j) as the float64 dataset `dataset` of shape (K, N, n), C order, so that
// h5py's f[dataset][k, n, j] == slices[k](n, j). `file` may already be open in this process
// (e.g. by an h5::File): it is opened a second time read-write and closed again, sharing
// HDF5's view of the file. Missing groups are created. Throws std::runtime_error naming the
// file and dataset.
void write_array3(const std::filesystem::path& file, const std::string& dataset,
                  const std::vector<Mat<double>>& slices);

}  // namespace gaitsim
