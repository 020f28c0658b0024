#include "analysis/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace gaitsim::h5 {
namespace {

// Returns errno, or 0 once the data of path is on disk.
int sync_to_disk(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return error;
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

namespace detail {

// The pid and counter keep concurrent writers (processes or threads) to one target apart.
std::filesystem::path atomic_temp_path(const std::filesystem::path& final_path) {
  if (!final_path.has_filename()) {
    throw std::invalid_argument("AtomicWriter needs a file path: " + final_path.string());
  }
  static std::atomic<unsigned> counter{0};
  std::filesystem::path temp = final_path;
  temp += ".";
  temp += std::to_string(::getpid()) + "-" + std::to_string(counter++);
  temp += ".tmp";
  return temp;
}

void atomic_replace(const std::filesystem::path& temp, const std::filesystem::path& final_path) {
  // Without the sync a crash soon after rename can leave the final path pointing at an empty
  // file on file systems that delay data writes.
  if (const int error = sync_to_disk(temp, O_RDONLY)) {
    throw std::system_error(error, std::generic_category(), "fsync " + temp.string());
  }
  std::filesystem::rename(temp, final_path);
  // Makes the rename itself durable; best effort, since the new file is already in place and
  // some file systems do not support syncing directories.
  sync_to_disk(directory_of(final_path), O_RDONLY | O_DIRECTORY);
}

}  // namespace detail
}  // namespace gaitsim::h5
