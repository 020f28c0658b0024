#pragma once

#include <filesystem>

#include "analysis/h5_file.hpp"

namespace gaitsim::h5 {

// Writes an HDF5 file under a temporary name in the destination's directory and renames it into
// place on commit(), so the final path holds either the previous file or the complete new one,
// never a half-written one (e.g. after a crash mid-checkpoint).
//
//   AtomicWriter w(final_path);
//   w.file().write_matrix("/W", W);
//   w.commit();  // without it, the destructor deletes the temporary file
class AtomicWriter {
 public:
  explicit AtomicWriter(std::filesystem::path final_path);
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;
  ~AtomicWriter();

  File& file();  // throws std::logic_error after commit()
  // Closes the file, syncs it to disk and renames it over the final path.
  void commit();

  const std::filesystem::path& final_path() const noexcept { return final_; }
  const std::filesystem::path& temp_path() const noexcept { return temp_; }

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  File file_;
  bool committed_ = false;
};

}  // namespace gaitsim::h5
