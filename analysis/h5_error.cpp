#include "analysis/h5_error.hpp"

#include <utility>

namespace gaitsim::h5 {
namespace {

std::string compose(const std::string& what, const std::filesystem::path& file,
                    const std::string& object, const std::string& detail) {
  std::string message = what + ": ";
  if (!object.empty()) message += "object '" + object + "' in ";
  message += "file '" + file.string() + "'";
  if (!detail.empty()) message += " (" + detail + ")";
  return message;
}

}  // namespace

H5Error::H5Error(const std::string& what, std::filesystem::path file, std::string object,
                 const std::string& detail)
    : std::runtime_error(compose(what, file, object, detail)),
      file_(std::move(file)),
      object_(std::move(object)) {}

}  // namespace gaitsim::h5
