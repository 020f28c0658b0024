#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace gaitsim::datasets {

// Reads a class list: one class per line, "wnid index [description...]", e.g. ImageNet's
// map_clsloc.txt ("n02119789 1 kit_fox"). Indices run either from 0 or from 1 (as in
// map_clsloc.txt), each exactly once; label = index - first index. Blank lines and lines
// starting with # are skipped. Returns the wnids in label order; DataError names the file and
// line of any problem.
std::vector<std::string> read_class_map(const std::filesystem::path& file);

}  // namespace gaitsim::datasets
