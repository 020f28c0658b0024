#pragma once
// An exclusive lock on an output folder (a run folder, a sweep folder), so that two processes
// never write one at the same time: flock(2) on DIR/.lock, held for the DirLock's lifetime. The
// kernel releases it when the process ends however it ends, so a killed process leaves no
// stale lock (the .lock file itself stays and means nothing).
#include <filesystem>
#include <stdexcept>

namespace gaitsim {

// Another process holds the folder's lock.
class DirBusy : public std::runtime_error {
 public:
  DirBusy(const std::filesystem::path& dir, long holder_pid);
  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
};

class DirLock {
 public:
  static constexpr const char* kFileName = ".lock";

  // Locks the existing folder `dir` without waiting. Throws DirBusy when another process holds
  // it, std::system_error naming the lock file when it cannot be created.
  explicit DirLock(const std::filesystem::path& dir);
  DirLock(DirLock&& other) noexcept;
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();

  // Whether `entry` (a path inside a folder) is a lock file, which is no output of its own.
  static bool is_lock_file(const std::filesystem::path& entry);

 private:
  int fd_ = -1;
};

}  // namespace gaitsim
