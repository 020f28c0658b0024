#pragma once
// The viewer's offscreen renderer, run as a child process: gaitsim itself links no Qt, so
// `gaitsim plot` runs `gaitsim-viewer FILE --screenshot OUT ...` with QT_QPA_PLATFORM=offscreen.
// The viewer is found at $GAITSIM_VIEWER, next to this binary, or in ../gui/ of a build tree.
#include <string>
#include <vector>

namespace gaitsim {

// Runs the viewer with `args` (after its own path) and waits for it; returns the exit code for
// gaitsim (0 when the viewer succeeded, 1 otherwise, with the reason on stderr).
int render_offscreen(const std::vector<std::string>& args);

}  // namespace gaitsim
