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

// Same directory as the target, since rename is only atomic within one file system. The pid
// and counter keep concurrent writers (processes or threads) to one target apart.
std::filesystem::path temp_path_for(const std::filesystem::path& final_path) {
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

AtomicWriter::AtomicWriter(std::filesystem::path final_path)
    : final_(std::move(final_path)), temp_(temp_path_for(final_)), file_(File::create(temp_)) {}

AtomicWriter::~AtomicWriter() {
  if (committed_) return;
  try {
    file_.close();
  } catch (const std::exception&) {
    // The temporary file is deleted below either way.
  }
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

File& AtomicWriter::file() {
  if (committed_) throw std::logic_error("AtomicWriter used after commit: " + final_.string());
  return file_;
}

void AtomicWriter::commit() {
  if (committed_) throw std::logic_error("AtomicWriter committed twice: " + final_.string());
  file_.close();
  // Without the sync a crash soon after rename can leave the final path pointing at an empty
  // file on file systems that delay data writes.
  if (const int error = sync_to_disk(temp_, O_RDONLY)) {
    throw std::system_error(error, std::generic_category(), "fsync " + temp_.string());
  }
  std::filesystem::rename(temp_, final_);
  committed_ = true;
  // Makes the rename itself durable; best effort, since the new file is already in place and
  // some file systems do not support syncing directories.
  sync_to_disk(directory_of(final_), O_RDONLY | O_DIRECTORY);
}

}  // namespace gaitsim::h5
