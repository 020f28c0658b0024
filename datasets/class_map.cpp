#include "datasets/class_map.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {

std::vector<std::string> read_class_map(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file, "cannot open class map (expected lines \"wnid index\")");
  std::map<long long, std::string> by_index;
  std::map<std::string, int> line_of;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string wnid, index_text;
    if (!(fields >> wnid) || wnid[0] == '#') continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    long long index = -1;
    std::size_t used = 0;
    try {
      if (fields >> index_text) index = std::stoll(index_text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (index_text.empty() || used != index_text.size() || index < 0) {
      throw DataError(file, where +
                                "expected \"wnid index\" with a non-negative integer index, "
                                "found \"" +
                                line + "\"");
    }
    if (by_index.count(index)) {
      throw DataError(
          file, where + "index " + std::to_string(index) + " already used by " + by_index[index]);
    }
    if (line_of.count(wnid)) {
      throw DataError(file, where + "class " + wnid + " already listed on line " +
                                std::to_string(line_of[wnid]));
    }
    by_index[index] = wnid;
    line_of[wnid] = number;
  }
  if (by_index.empty()) throw DataError(file, "class map lists no classes");
  const long long first = by_index.begin()->first;
  const long long last = by_index.rbegin()->first;
  if ((first != 0 && first != 1) || last - first + 1 != static_cast<long long>(by_index.size())) {
    throw DataError(file, "indices must run from 0 (or 1) without gaps; found " +
                              std::to_string(by_index.size()) + " classes with indices " +
                              std::to_string(first) + ".." + std::to_string(last));
  }
  std::vector<std::string> names;
  for (const auto& [index, wnid] : by_index) names.push_back(wnid);
  return names;
}

}  // namespace gaitsim::datasets
