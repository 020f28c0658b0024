#include "analysis/dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

namespace gaitsim {
namespace {

// The pid the holder wrote into the lock file, or 0 when unknown.
long read_holder(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  return n > 0 ? std::strtol(text, nullptr, 10) : 0;
}

std::string busy_message(const std::filesystem::path& dir, long pid) {
  std::string holder = "another process";
  if (pid > 0) holder += " (pid " + std::to_string(pid) + ")";
  return "folder " + dir.string() + " is in use: " + holder +
         " is writing it; wait for it to finish or use another folder";
}

}  // namespace

DirBusy::DirBusy(const std::filesystem::path& dir, long holder_pid)
    : std::runtime_error(busy_message(dir, holder_pid)), dir_(dir) {}

DirLock::DirLock(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kFileName;
  // O_CLOEXEC: a child process (a sweep's points) must not inherit, and so keep, the lock.
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(), "cannot lock " + file.string());
  int status;
  while ((status = ::flock(fd_, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
  }
  if (status != 0) {
    const int error = errno;
    const long holder = read_holder(fd_);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) throw DirBusy(dir, holder);
    throw std::system_error(error, std::generic_category(), "cannot lock " + file.string());
  }
  // Only for the message a refused process prints; the lock does not depend on it.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t ignored = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

DirLock::DirLock(DirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

bool DirLock::is_lock_file(const std::filesystem::path& entry) {
  return entry.filename() == kFileName;
}

}  // namespace gaitsim
