#pragma once

#include <hdf5.h>

#include <utility>

namespace gaitsim::h5 {

// Owns one HDF5 identifier (file, dataset, dataspace, ...) and closes it with the matching
// H5?close function, so no early return or exception leaks an open object.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      close();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { close(); }

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }

  // Returns HDF5's status because closing a file is where buffered data reaches the disk.
  herr_t close() noexcept {
    const herr_t status = valid() ? closer_(id_) : 0;
    id_ = H5I_INVALID_HID;
    return status;
  }
  // Gives the identifier up without closing it (see close_file).
  void abandon() noexcept { id_ = H5I_INVALID_HID; }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

// Closes a file handle, flushing it first. A file that cannot be flushed (e.g. the disk is
// full) is abandoned open instead of closed: HDF5 1.10 frees a file whose H5Fclose failed but
// keeps its identifier, and H5_term_library then closes the freed file again at exit
// (SIGSEGV). An abandoned file stays whole in memory and the library's exit clean-up closes it
// (failing quietly). Returns HDF5's status: negative when the data did not all reach the file.
inline herr_t close_file(Handle& file) noexcept {
  if (!file.valid()) return 0;
  if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0) {
    file.abandon();
    return -1;
  }
  return file.close();
}

}  // namespace gaitsim::h5
