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

}  // namespace gaitsim::h5
