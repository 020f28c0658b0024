#include "analysis/h5_error.hpp"

#include <hdf5.h>

#include <utility>

namespace gaitsim::h5 {
namespace {

// HDF5's low-level messages list raw fields ("... errno = 28, error message = 'No space left on
// device', ..., bytes actually written = 18446744073709551615, offset = 0"): keep what failed and
// the system's reason, drop the counters (the last one is (size_t)-1 for "failed").
std::string readable(const std::string& desc) {
  const std::string marker = "error message = '";
  const auto at = desc.find(marker);
  if (at == std::string::npos) return desc;
  const auto start = at + marker.size();
  const auto end = desc.find('\'', start);
  const std::string reason = desc.substr(start, end == std::string::npos ? end : end - start);
  const auto colon = desc.find(':');
  return (colon == std::string::npos || colon > at ? std::string() : desc.substr(0, colon) + ": ") +
         reason;
}

herr_t keep_most_specific(unsigned n, const H5E_error2_t* error, void* out) {
  if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = readable(error->desc);
  return 0;
}

std::string compose(const std::string& what, const std::filesystem::path& file,
                    const std::string& object, const std::string& detail) {
  std::string message = what + ": ";
  if (!object.empty()) message += "object '" + object + "' in ";
  message += "file '" + file.string() + "'";
  if (!detail.empty()) message += " (" + detail + ")";
  return message;
}

}  // namespace

std::string readable_hdf5_detail(const std::string& desc) { return readable(desc); }

H5Error::H5Error(const std::string& what, std::filesystem::path file, std::string object,
                 const std::string& detail)
    : std::runtime_error(compose(what, file, object, detail)),
      file_(std::move(file)),
      object_(std::move(object)) {}

void silence_hdf5_errors() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    silenced = true;
  }
}

std::string take_hdf5_error() {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_most_specific, &detail);
  H5Eclear2(H5E_DEFAULT);
  return detail;
}

}  // namespace gaitsim::h5
