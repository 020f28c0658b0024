#pragma once
// A tiny tower net on 600 MNIST examples and sweep files over it, for the sweep tests.
#include <fstream>
#include <sstream>
#include <string>

#include "cli_runner.hpp"

namespace gaitsim::testing {

inline bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline std::string tiny_config(const ScratchDir& dir, int epochs = 2) {
  const std::string path = dir / "tiny.yaml";
  std::ofstream(path) << "data:\n  dataset: mnist\n  path: " << GAITSIM_TEST_DATA_DIR
                      << "/mnist\n  train_limit: 600\n  test_limit: 200\n"
                      << "network:\n  kind: tower\n  widths: [784, 32, 24, 16]\n"
                      << "learning:\n  algorithm: gait\n  batch_size: 60\n  epochs: " << epochs
                      << "\n  learning_rate: 1e-3\n"
                      << "output:\n  progress: false\n  align_every: 0\n  checkpoint_every: 3\n";
  return path;
}

inline std::string write_file(const ScratchDir& dir, const std::string& name,
                              const std::string& text) {
  std::ofstream(dir / name) << text;
  return dir / name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The columns name..final_test_accuracy of summary.csv (wall time differs between runs).
inline std::string summary_core(const std::string& csv_path) {
  std::istringstream in(read_file(csv_path));
  std::string line, out;
  while (std::getline(in, line)) {
    int commas = 0;
    std::size_t i = 0;
    for (; i < line.size(); ++i) {
      if (line[i] == ',' && ++commas == 8)
        break;  // name,2 params,seed,status,epochs,diverged,final
    }
    out += line.substr(0, i) + "\n";
  }
  return out;
}

}  // namespace gaitsim::testing
