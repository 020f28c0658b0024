#pragma once
// For the crash-consistency and full-disk tests: the gaitsim program in the background (to be
// killed at a chosen moment), and a run file's content without its wall-clock parts.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "analysis/h5_file.hpp"

namespace gaitsim::testing {

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `sh -c COMMAND_LINE` in its own process group, stdout and stderr into `log`.
class Background {
 public:
  Background(const std::string& command_line, std::filesystem::path log) : log_(std::move(log)) {
    // env runs the program in place of the shell, so the pid is the program's; VAR=value words
    // may lead command_line.
    const std::string sh = "exec env " + command_line + " >" + log_.string() + " 2>&1";
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "sh", "-c", sh.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid_, pid_);  // also here: whichever runs first
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  ~Background() {
    if (pid_ > 0) kill_all();
  }

  // Waits until the log holds `text`; false when the process ended or `seconds` passed first.
  bool wait_for(const std::string& text, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (output().find(text) != std::string::npos) return true;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return output().find(text) != std::string::npos;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // SIGKILLs the whole process group (the program and any children) and reaps the program.
  void kill_all() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Waits for the program to end; its exit code, or 128 + signal.
  int wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string output() const { return file_text(log_); }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

// Every dataset of an HDF5 file (as float64 values) and the root attributes that describe a
// run, by path; leaves out `skip` (wall-clock data that differs between identical runs).
inline std::map<std::string, std::vector<double>> h5_content(const std::filesystem::path& path,
                                                             const std::vector<std::string>& skip) {
  const h5::File f = h5::File::open_read(path);
  std::map<std::string, std::vector<double>> out;
  std::vector<std::string> groups{"/"};
  while (!groups.empty()) {
    const std::string g = groups.back();
    groups.pop_back();
    for (const std::string& name : f.list(g)) {
      const std::string child = (g == "/" ? "" : g) + "/" + name;
      if (std::find(skip.begin(), skip.end(), child) != skip.end()) continue;
      try {
        f.list(child);
        groups.push_back(child);
        continue;
      } catch (const h5::H5Error&) {
        // a dataset
      }
      const auto m = f.read_matrix<double>(child);
      out[child].assign(m.data(), m.data() + m.size());
      const auto dims = f.shape(child);
      out[child + "#shape"].assign(dims.begin(), dims.end());
    }
  }
  return out;
}

// A run file's datasets without its wall-clock ones, plus its root attributes except the time
// it was written, encoded so that two files compare bitwise (NaN included) with ==.
inline std::map<std::string, std::string> run_content(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  for (const auto& [name, values] : h5_content(path, {"/metrics/epoch_seconds"})) {
    out[name] =
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
  }
  const h5::File f = h5::File::open_read(path);
  for (const char* attr : {"format", "status", "status_detail", "config", "precision"}) {
    if (f.has_attr("/", attr)) out[std::string("@") + attr] = f.attr_string("/", attr);
  }
  return out;
}

// The names in a folder.
inline std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace gaitsim::testing
