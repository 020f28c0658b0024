#pragma once
// What a file is (run, responses, trajectories, sweep summary), judged by its root attributes.
// (part of the viewer's models, gui/models.hpp).
#include <QImage>
#include <QString>
#include <QStringList>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gaitsim::gui {

namespace fs = std::filesystem;

enum class FileKind { Run, Responses, Settle, Sweep, Unknown };
const char* kind_name(FileKind k);

// What a file is, judged by its root attributes. Never throws: a file that is not HDF5, is
// truncated or is another HDF5 file gives Unknown with a message saying why.
struct Detection {
  FileKind kind = FileKind::Unknown;
  QString message;  // empty when the file is one of ours and complete
};
Detection detect_file(const fs::path& path);
// A sweep folder (holding summary.h5, written by `gaitsim sweep`) stands for its summary.h5;
// any other path is returned unchanged.
fs::path resolve_input(const fs::path& path);

}  // namespace gaitsim::gui
