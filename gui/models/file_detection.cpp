#include "gui/models/file_detection.hpp"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>
#include <stdexcept>

#include "analysis/h5_file.hpp"
#include "analysis/h5_seal.hpp"
#include "gui/models/file_helpers.hpp"

namespace gaitsim::gui {

using namespace detail;  // the HDF5 helpers every model shares

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::Run:
      return "run file";
    case FileKind::Responses:
      return "responses file";
    case FileKind::Settle:
      return "trajectories file";
    case FileKind::Sweep:
      return "sweep summary";
    default:
      return "unknown file";
  }
}

fs::path resolve_input(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec) && fs::exists(path / "summary.h5", ec)) return path / "summary.h5";
  return path;
}

Detection detect_file(const fs::path& given) {
  Detection d;
  std::error_code ec;
  const fs::path path = resolve_input(given);
  if (fs::is_directory(path, ec)) {
    d.message = QString::fromStdString(
        path.string() +
        ": a folder without summary.h5 (the viewer opens a sweep folder written "
        "by gaitsim sweep, or a file)");
    return d;
  }
  if (!fs::exists(path, ec)) {
    d.message = QString::fromStdString(path.string() + ": no such file");
    return d;
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    d.message =
        QString::fromStdString(path.string() + ": not an HDF5 file, or a truncated or damaged one");
    return d;
  }
  try {
    // A sealed file (a run file) is checked before HDF5 reads it: libhdf5 trusts what it reads.
    if (h5::starts_with_seal(path)) h5::verify_seal(path);
    const h5::File f = h5::File::open_read(path);
    const std::string format = attr_or(f, "/", "format");
    if (format == "gaitsim-run") {
      d.kind = FileKind::Run;
      if (!f.exists("/metrics") || !f.exists("/weights")) {
        d.kind = FileKind::Unknown;
        d.message = QString::fromStdString(path.string() +
                                           ": a run file without /metrics or /weights (damaged?)");
      }
    } else if (format == "gaitsim-responses") {
      d.kind = FileKind::Responses;
      if (f.has_attr("/", "complete") && f.attr_int("/", "complete") != 1) {
        d.message = QString::fromStdString(
            path.string() +
            ": incomplete responses file (complete = 0): still being written, or "
            "its export was killed");
      }
    } else if (format == "gaitsim-settle") {
      d.kind = FileKind::Settle;
    } else if (format.empty() && f.has_attr("/", "parameters") && f.has_attr("/", "sweep_digest")) {
      d.kind = FileKind::Sweep;  // summary.h5 of gaitsim sweep (it has no format attribute)
      if (!f.exists("/points") || !f.exists("/aggregate")) {
        d.kind = FileKind::Unknown;
        d.message = QString::fromStdString(
            path.string() + ": a sweep summary without /points or /aggregate (damaged?)");
      }
    } else if (format == "gaitsim-comparison") {
      d.message = QString::fromStdString(
          path.string() +
          ": a comparison table (gaitsim compare); the viewer opens run files, "
          "responses files and settle trajectory files");
    } else if (f.has_attr("/", "nwb_version")) {
      d.message = QString::fromStdString(
          path.string() + ": an NWB file; record with `--format gaitsim` to view the responses");
    } else if (f.has_attr("/", "convention") && f.exists("/layers") && f.exists("/x")) {
      d.message = QString::fromStdString(
          path.string() +
          ": an align dump (gaitsim align --dump); the viewer opens run files, "
          "responses files and settle trajectory files");
    } else {
      d.message = QString::fromStdString(
          path.string() +
          ": an HDF5 file, but not one gaitsim wrote (no root attribute format = "
          "gaitsim-run, gaitsim-responses or gaitsim-settle, nor a sweep summary)");
    }
  } catch (const std::exception& e) {
    d.kind = FileKind::Unknown;
    d.message = QString::fromStdString(std::string("damaged or truncated HDF5 file: ") + e.what());
  }
  return d;
}

}  // namespace gaitsim::gui
