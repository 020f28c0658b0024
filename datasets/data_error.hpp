#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gaitsim::datasets {

// Raised for any unreadable or malformed dataset. The constructor takes the offending path so
// that every message names the file; `problem` should say what was expected and what was found.
class DataError : public std::runtime_error {
 public:
  DataError(const std::filesystem::path& file, std::string_view problem);

  const std::filesystem::path& file() const { return file_; }
  const std::string& problem() const { return problem_; }  // the message without the file

 private:
  std::filesystem::path file_;
  std::string problem_;
};

}  // namespace gaitsim::datasets
