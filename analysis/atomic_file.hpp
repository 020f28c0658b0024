#pragma once

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "analysis/h5_file.hpp"
#include "analysis/h5_stream.hpp"

namespace gaitsim::h5 {

namespace detail {
// A fresh temporary name beside final_path (same directory: rename is only atomic within one
// file system); throws std::invalid_argument when final_path names no file.
std::filesystem::path atomic_temp_path(const std::filesystem::path& final_path);
// Syncs temp to disk, renames it over final_path, then syncs the directory (best effort).
void atomic_replace(const std::filesystem::path& temp, const std::filesystem::path& final_path);
}  // namespace detail

// Writes an HDF5 file under a temporary name in the destination's directory and renames it into
// place on commit(), so the final path holds either the previous file or the complete new one,
// never a half-written one (e.g. after a crash mid-checkpoint). FileT is File (random access)
// or StreamFile (datasets appended in blocks).
//
//   AtomicWriter w(final_path);
//   w.file().write_matrix("/W", W);
//   w.commit();  // without it, the destructor deletes the temporary file
template <class FileT>
class BasicAtomicWriter {
 public:
  explicit BasicAtomicWriter(std::filesystem::path final_path)
      : final_(std::move(final_path)),
        temp_(detail::atomic_temp_path(final_)),
        file_(FileT::create(temp_)) {}
  BasicAtomicWriter(const BasicAtomicWriter&) = delete;
  BasicAtomicWriter& operator=(const BasicAtomicWriter&) = delete;
  ~BasicAtomicWriter() {
    if (committed_) return;
    try {
      file_.close();
    } catch (const std::exception&) {
      // The temporary file is deleted below either way.
    }
    std::error_code ignored;
    std::filesystem::remove(temp_, ignored);
  }

  // throws std::logic_error after commit()
  FileT& file() {
    if (committed_) throw std::logic_error("AtomicWriter used after commit: " + final_.string());
    return file_;
  }
  // Closes the file, syncs it to disk and renames it over the final path.
  void commit() {
    if (committed_) throw std::logic_error("AtomicWriter committed twice: " + final_.string());
    file_.close();
    detail::atomic_replace(temp_, final_);
    committed_ = true;
  }

  const std::filesystem::path& final_path() const noexcept { return final_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_; }

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  FileT file_;
  bool committed_ = false;
};

using AtomicWriter = BasicAtomicWriter<File>;
using AtomicStreamWriter = BasicAtomicWriter<StreamFile>;

}  // namespace gaitsim::h5
