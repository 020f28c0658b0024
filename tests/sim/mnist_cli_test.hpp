#pragma once
// What the command-line tests on small MNIST runs share: the data section of their configs and a
// fixture that requires the MNIST files (scripts/fetch-data.sh) and gives a scratch folder.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.hpp"

namespace gaitsim::testing {

// The `data:` section of a small test config: the first `train` training and `test` test
// examples of the MNIST files the tests read.
inline std::string mnist_data_yaml(int train, int test) {
  // appended piecewise: GCC 12 warns (-Wrestrict, a false positive) on the chain of operator+
  std::string yaml = "data:\n  dataset: mnist\n  path: ";
  yaml += GAITSIM_TEST_DATA_DIR;
  yaml += "/mnist\n  train_limit: " + std::to_string(train);
  yaml += "\n  test_limit: " + std::to_string(test) + "\n";
  return yaml;
}

// Base of the command-line tests that train on MNIST: fails (does not skip) when the data is
// missing, so that an empty group cannot pass.
class MnistCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_test_mnist()) << "MNIST is missing: run scripts/fetch-data.sh";
  }
  ScratchDir dir;
};

}  // namespace gaitsim::testing
