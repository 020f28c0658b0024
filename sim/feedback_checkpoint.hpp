#pragma once
// The learned feedback of a checkpoint (issue 15): align, record and settle compute targets
// through the checkpoint's Q_l, c_l (D_{l-1}[:, :k] = r_l Q_l), not through the exact inverse
// nor through Q_l as feedback.init would draw them.
#include <filesystem>

#include "sim/engine.hpp"

namespace gaitsim {

// feedback.mode learned with a checkpoint: copies its /state/feedback Q_l, c_l into `engine`
// (RunFileError naming the file when it holds none, or Q_l of another shape). No-op in exact
// mode or without a checkpoint (then Q_l stay as feedback.init drew them).
template <class T>
void load_feedback(const std::filesystem::path& checkpoint, Engine<T>& engine);

}  // namespace gaitsim
