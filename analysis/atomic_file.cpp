#include "analysis/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
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

[[noreturn]] void fail_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

// Writes all of data to fd, retrying short writes and interruptions; returns errno or 0.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

// Creates `temp` (which must not exist) holding `content`, synced to disk; on failure removes
// it and throws naming `final_path`, the file the user asked for.
void write_synced(const std::filesystem::path& temp, const std::filesystem::path& final_path,
                  std::string_view content) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno(errno, "cannot write " + final_path.string());
  int error = write_all(fd, content.data(), content.size());
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    fail_errno(error, "cannot write " + final_path.string());
  }
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
    fail_errno(error, "cannot write " + final_path.string() + " (fsync " + temp.string() + ")");
  }
  test_pause_point("before-rename");
  std::filesystem::rename(temp, final_path);
  test_pause_point("after-rename");
  // Makes the rename itself durable; best effort, since the new file is already in place and
  // some file systems do not support syncing directories.
  sync_to_disk(directory_of(final_path), O_RDONLY | O_DIRECTORY);
}

void copy_to_temp(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::error_code ec;
  std::filesystem::copy_file(from, to, ec);
  if (ec) {
    std::filesystem::remove(to);  // a partial copy on a full disk
    fail_errno(ec.value(), "cannot copy " + from.string() + " to " + to.string());
  }
}

void test_pause_point(std::string_view point) {
  const char* wanted = std::getenv("GAITSIM_TEST_PAUSE_AT");
  if (wanted == nullptr) return;
  static std::mutex mutex;
  static std::map<std::string, int, std::less<>> reached;
  std::string here;
  {
    const std::lock_guard lock(mutex);
    here = std::string(point) + ":" + std::to_string(++reached[std::string(point)]);
  }
  if (here != wanted) return;
  std::fprintf(stderr, "gaitsim test hook: paused at %s\n", here.c_str());
  std::fflush(stderr);
  for (;;) ::pause();
}

}  // namespace detail

bool is_atomic_temp_of(const std::filesystem::path& path, const std::filesystem::path& final_path) {
  const std::string name = path.filename().string();
  const std::string prefix = final_path.filename().string() + ".";
  if (name.size() <= prefix.size() + 4 || name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.compare(name.size() - 4, 4, ".tmp") != 0) return false;
  // The middle is "<pid>-<counter>".
  const std::string middle = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  const auto dash = middle.find('-');
  const auto digits = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  return dash != std::string::npos && digits(middle.substr(0, dash)) &&
         digits(middle.substr(dash + 1));
}

int remove_stale_temps(const std::filesystem::path& final_path) {
  const std::filesystem::path dir = directory_of(final_path);
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (is_atomic_temp_of(entry.path(), final_path) && std::filesystem::remove(entry.path())) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace gaitsim::h5

namespace gaitsim {

AtomicTextWriter::AtomicTextWriter(std::filesystem::path final_path, std::string_view content)
    : final_(std::move(final_path)), temp_(h5::detail::atomic_temp_path(final_)) {
  h5::write_synced(temp_, final_, content);
}

AtomicTextWriter::~AtomicTextWriter() {
  if (committed_) return;
  std::error_code ignored;
  std::filesystem::remove(temp_, ignored);
}

void AtomicTextWriter::commit() {
  if (committed_) throw std::logic_error("AtomicTextWriter committed twice: " + final_.string());
  h5::detail::atomic_replace(temp_, final_);
  committed_ = true;
}

void write_text_atomic(const std::filesystem::path& path, std::string_view content) {
  AtomicTextWriter(path, content).commit();
}

}  // namespace gaitsim
