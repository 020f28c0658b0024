#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "analysis/h5_file.hpp"
#include "analysis/h5_seal.hpp"
#include "analysis/h5_stream.hpp"

namespace gaitsim::h5 {

namespace detail {
// A fresh temporary name beside final_path (same directory: rename is only atomic within one
// file system); throws std::invalid_argument when final_path names no file.
std::filesystem::path atomic_temp_path(const std::filesystem::path& final_path);
// Syncs temp to disk, renames it over final_path, then syncs the directory (best effort).
void atomic_replace(const std::filesystem::path& temp, const std::filesystem::path& final_path);
// Copies `from` to the new file `to` (for editing a copy instead of the original).
void copy_to_temp(const std::filesystem::path& from, const std::filesystem::path& to);
// Test hook for the crash-consistency tests: when the environment variable
// GAITSIM_TEST_PAUSE_AT is "<point>:<n>" and this is the n-th time this process reaches
// `point`, prints "gaitsim test hook: paused at <point>:<n>" on stderr and waits for a signal
// forever (the test then SIGKILLs the process). Does nothing otherwise.
void test_pause_point(std::string_view point);
}  // namespace detail

// Whether `path` is the temporary name of an atomic write of `final_path` (any process, any
// counter): "<final_path>.<pid>-<n>.tmp".
bool is_atomic_temp_of(const std::filesystem::path& path, const std::filesystem::path& final_path);
// Deletes the temporary files left by writers of final_path that were killed before commit;
// returns how many. Call it only while holding what keeps every other writer of final_path out
// (e.g. the run folder's DirLock): a living writer's temporary file would go too.
int remove_stale_temps(const std::filesystem::path& final_path);

// Writes an HDF5 file under a temporary name in the destination's directory and renames it into
// place on commit(), so the final path holds either the previous file or the complete new one,
// never a half-written one (e.g. after a crash mid-checkpoint). FileT is File (random access)
// or StreamFile (datasets appended in blocks).
//
//   AtomicWriter w(final_path);
//   w.file().write_matrix("/W", W);
//   w.commit();  // without it, the destructor deletes the temporary file
// Whether the written file carries a seal (h5_seal.hpp), written at commit (File only).
enum class Sealing { kNone, kSealed };

template <class FileT>
class BasicAtomicWriter {
 public:
  explicit BasicAtomicWriter(std::filesystem::path final_path, Sealing sealing = Sealing::kNone)
      : final_(std::move(final_path)),
        temp_(detail::atomic_temp_path(final_)),
        sealed_(sealing == Sealing::kSealed),
        file_(create(final_, temp_, sealed_)) {}
  // Edits a copy of the existing final_path instead of starting empty (File only): HDF5 edits
  // in place are not atomic, so a crash mid-edit could leave the only copy unreadable. A sealed
  // copy is sealed again at commit.
  struct EditCopy {};
  BasicAtomicWriter(std::filesystem::path final_path, EditCopy, Sealing sealing = Sealing::kNone)
      : final_(std::move(final_path)),
        temp_(detail::atomic_temp_path(final_)),
        sealed_(sealing == Sealing::kSealed),
        file_(open_copy(final_, temp_)) {}
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
  // Closes the file, syncs it to disk and renames it over the final path. On failure (e.g. a
  // full disk) the final path keeps its previous content and the destructor deletes the
  // temporary file.
  void commit() {
    if (committed_) throw std::logic_error("AtomicWriter committed twice: " + final_.string());
    try {
      file_.close();
    } catch (const H5Error& e) {
      throw H5Error("cannot write " + final_.string() + " (left unchanged)", e.file(), e.object(),
                    e.what());
    }
    if (sealed_) seal_file(temp_);
    detail::atomic_replace(temp_, final_);
    committed_ = true;
  }

  const std::filesystem::path& final_path() const noexcept { return final_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_; }

 private:
  // HDF5 leaves an empty file behind when it cannot write the new file's first bytes. The error
  // names the output the user asked for, not only the temporary file.
  static FileT create(const std::filesystem::path& final_path, const std::filesystem::path& temp,
                      bool sealed) {
    try {
      if constexpr (std::is_same_v<FileT, File>) {
        return FileT::create(temp, sealed ? kSealBytes : 0);
      } else {
        if (sealed)
          throw std::logic_error("only an h5::File can be sealed: " + final_path.string());
        return FileT::create(temp);
      }
    } catch (const H5Error& e) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw H5Error("cannot write " + final_path.string() + " (left unchanged)", e.file(),
                    e.object(), e.what());
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      throw;
    }
  }
  static FileT open_copy(const std::filesystem::path& from, const std::filesystem::path& to) {
    detail::copy_to_temp(from, to);
    try {
      return FileT::open_rw(to);
    } catch (...) {
      std::error_code ignored;
      std::filesystem::remove(to, ignored);
      throw;
    }
  }

  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool sealed_ = false;
  FileT file_;
  bool committed_ = false;
};

using AtomicWriter = BasicAtomicWriter<File>;
using AtomicStreamWriter = BasicAtomicWriter<StreamFile>;

}  // namespace gaitsim::h5

namespace gaitsim {

// The one writer of text outputs (YAML copies, CSV summaries, lists): writes `content` to a
// temporary file beside `path` with every write checked, syncs it to disk, renames it over
// `path` and syncs the directory. Throws std::system_error whose message names the file and the
// reason (e.g. "cannot write sweeps/a/summary.csv: No space left on device"); on failure `path`
// keeps its previous content and no temporary file is left.
void write_text_atomic(const std::filesystem::path& path, std::string_view content);

// The same in two steps, to replace a file only once something else is done: the constructor
// writes and syncs the complete temporary file (throwing as above), commit() renames it over
// the final path; without commit() the destructor deletes the temporary file.
class AtomicTextWriter {
 public:
  AtomicTextWriter(std::filesystem::path final_path, std::string_view content);
  AtomicTextWriter(const AtomicTextWriter&) = delete;
  AtomicTextWriter& operator=(const AtomicTextWriter&) = delete;
  ~AtomicTextWriter();

  void commit();  // throws std::logic_error when called twice
  const std::filesystem::path& final_path() const noexcept { return final_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_; }

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

}  // namespace gaitsim
