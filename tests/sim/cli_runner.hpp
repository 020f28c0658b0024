#pragma once
// Runs the gaitsim program as a user would, capturing exit code and output.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

namespace gaitsim::testing {

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command line, stdout and stderr together.
inline CliResult run_command(const std::string& command_line) {
  const std::string cmd = command_line + " 2>&1";
  CliResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CliResult run_cli(const std::string& args) {
  return run_command(std::string(GAITSIM_BINARY) + " " + args);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Whether the MNIST files the training tests read are there (scripts/fetch-data.sh).
inline bool have_test_mnist() {
  return std::filesystem::exists(std::string(GAITSIM_TEST_DATA_DIR) + "/mnist");
}

inline std::string source_dir() {
  return std::filesystem::path(GAITSIM_TEST_DATA_DIR).parent_path();
}

// A fresh folder removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("gaitsim-test-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace gaitsim::testing
