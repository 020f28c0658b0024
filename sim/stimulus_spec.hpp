#pragma once
// Which stimuli `gaitsim record` presents: a SPEC names a split of the config's dataset and a
// selection, or a file of images.
//
//   test:0-999        test examples 0..999 (inclusive); ids = their index in the split
//   test:17           one example;  test  or  test:all  = the whole split
//   train:class=3     every training example of class 3;  train:class=3:100  the first 100 of them
//   FILE.h5           /images: N x C x H x W or N x H x W (uint8, scaled by 1/255, or float as is)
//                     or N x d; optional /labels (N ints) and /stimulus_id (N ints, else 0..N-1)
//   FILE (IDX)        an idx3-ubyte images file, plain or .gz; ids 0..N-1, labels unknown (-1)
#include <Eigen/Core>
#include <string>
#include <vector>

#include "sim/config.hpp"

namespace gaitsim {

struct StimulusSet {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x;  // N x input width
  std::vector<long long> ids;
  std::vector<int> labels;  // -1 where unknown
  int classes = 0;          // of the config's dataset (0 if it could not be read)
  std::string description;  // e.g. "mnist test split, examples 0-999"
};

// Throws ConfigError naming the spec and what was expected for a malformed spec, and
// std::runtime_error for files that cannot be read. File stimuli must have input_width values
// each when it is > 0 (the checkpoint's input), else as many as the config's dataset.
StimulusSet load_stimuli(const std::string& spec, const Config& config, int input_width = 0);

}  // namespace gaitsim
