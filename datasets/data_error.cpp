#include "datasets/data_error.hpp"

#include <string>

namespace gaitsim::datasets {

DataError::DataError(const std::filesystem::path& file, std::string_view problem)
    : std::runtime_error(file.string() + ": " + std::string(problem)),
      file_(file),
      problem_(problem) {}

}  // namespace gaitsim::datasets
