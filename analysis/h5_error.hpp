#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace gaitsim::h5 {

// Every failure of the HDF5 layer: the message names the file and, where there is one, the object
// path, so a log line alone says which file of a run went wrong.
class H5Error : public std::runtime_error {
 public:
  // object may be empty for file-level failures; detail is HDF5's own explanation, if any.
  H5Error(const std::string& what, std::filesystem::path file, std::string object,
          const std::string& detail = {});

  const std::filesystem::path& file() const noexcept { return file_; }
  const std::string& object() const noexcept { return object_; }

 private:
  std::filesystem::path file_;
  std::string object_;
};

// HDF5 prints every failure to stderr by default; callers get an H5Error instead. The setting
// is per thread in thread-safe builds, so each entry point calls this on its thread.
void silence_hdf5_errors();

// HDF5's low-level message made readable: "file write failed: No space left on device" instead
// of its list of raw fields and counters.
std::string readable_hdf5_detail(const std::string& desc);

// HDF5's own explanation of the last failure (made readable); clears the stack so it cannot leak
// into the next.
std::string take_hdf5_error();

}  // namespace gaitsim::h5
