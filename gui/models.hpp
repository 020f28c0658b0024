#pragma once
// The viewer's models: what each view draws, computed from the files gaitsim writes (and, for a
// run file's network view, from the simulator libraries). No widgets here: everything is testable
// without a screen. Readers open the file per request and read only the rows they need (one
// stimulus, one unit), so a large responses or trajectories file is never loaded whole.
#include "gui/models/document.hpp"
#include "gui/models/file_detection.hpp"
#include "gui/models/heatmap.hpp"
#include "gui/models/network_source.hpp"
#include "gui/models/settle_source.hpp"
#include "gui/models/sweep.hpp"
#include "gui/models/training.hpp"
#include "gui/models/weights.hpp"
