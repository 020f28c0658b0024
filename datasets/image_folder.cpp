#include "datasets/image_folder.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "datasets/class_map.hpp"
#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

namespace fs = std::filesystem;

bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

// Regular image files of a folder in name order; others are counted in `ignored`.
std::vector<fs::path> images_in(const fs::path& dir, std::size_t& ignored) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (hidden(entry.path()) || !entry.is_regular_file()) continue;
    if (has_image_extension(entry.path())) {
      files.push_back(entry.path());
    } else {
      ++ignored;
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> subfolders(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!hidden(entry.path()) && entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::map<std::string, std::int32_t> label_of(const std::vector<std::string>& names) {
  std::map<std::string, std::int32_t> labels;
  for (std::size_t k = 0; k < names.size(); ++k) labels[names[k]] = static_cast<std::int32_t>(k);
  return labels;
}

// files_by_class[k]: class k's files in order. Takes the i-th file of every class in turn.
std::vector<LabelledFile> interleave(const std::vector<std::vector<fs::path>>& files_by_class) {
  std::vector<LabelledFile> out;
  std::size_t longest = 0;
  for (const auto& files : files_by_class) longest = std::max(longest, files.size());
  for (std::size_t i = 0; i < longest; ++i) {
    for (std::size_t k = 0; k < files_by_class.size(); ++k) {
      if (i < files_by_class[k].size()) {
        out.push_back({files_by_class[k][i], static_cast<std::int32_t>(k)});
      }
    }
  }
  return out;
}

ImageFolderListing list_class_folders(const fs::path& root, const std::vector<fs::path>& dirs,
                                      const ImageFolderLabels& labels) {
  ImageFolderListing listing;
  if (labels.class_map) {
    listing.class_names = read_class_map(*labels.class_map);
  } else {
    for (const fs::path& dir : dirs) listing.class_names.push_back(dir.filename().string());
  }
  const auto labels_by_name = label_of(listing.class_names);
  std::vector<std::vector<fs::path>> by_class(listing.class_names.size());
  for (const fs::path& dir : dirs) {
    const auto it = labels_by_name.find(dir.filename().string());
    if (it == labels_by_name.end()) {
      throw DataError(dir, "class folder " + dir.filename().string() + " is not in the class map " +
                               labels.class_map->string());
    }
    by_class[std::size_t(it->second)] = images_in(dir, listing.ignored);
    if (by_class[std::size_t(it->second)].empty()) {
      throw DataError(dir,
                      "class folder holds no images (expected .JPEG/.jpg/.png files); "
                      "remove it or add its images");
    }
  }
  // Loose files beside the class folders belong to no class.
  std::size_t loose_others = 0;
  listing.ignored += images_in(root, loose_others).size() + loose_others;
  listing.files = interleave(by_class);
  return listing;
}

// "file wnid" lines of a flat folder's label file.
std::vector<std::pair<std::string, std::string>> read_flat_labels(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw DataError(file, "cannot open label file (expected lines \"file wnid\")");
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string name, wnid;
    if (!(fields >> name) || name[0] == '#') continue;
    if (!(fields >> wnid)) {
      throw DataError(file, "line " + std::to_string(number) +
                                ": expected \"file wnid\", found \"" + line + "\"");
    }
    rows.emplace_back(name, wnid);
  }
  return rows;
}

ImageFolderListing list_flat_folder(const fs::path& root, const ImageFolderLabels& labels) {
  if (!labels.flat_labels) {
    throw DataError(root,
                    "no class subfolders; a flat folder of images needs a label file "
                    "(--labels FILE with lines \"file wnid\")");
  }
  const auto rows = read_flat_labels(*labels.flat_labels);
  ImageFolderListing listing;
  if (labels.class_map) {
    listing.class_names = read_class_map(*labels.class_map);
  } else {
    std::set<std::string> wnids;
    for (const auto& row : rows) wnids.insert(row.second);
    listing.class_names.assign(wnids.begin(), wnids.end());
  }
  const auto labels_by_name = label_of(listing.class_names);
  std::vector<std::vector<fs::path>> by_class(listing.class_names.size());
  std::set<std::string> seen;
  for (const auto& [name, wnid] : rows) {
    if (!seen.insert(name).second) {
      throw DataError(*labels.flat_labels, name + " is listed twice");
    }
    const auto it = labels_by_name.find(wnid);
    if (it == labels_by_name.end()) {
      throw DataError(*labels.flat_labels, "class " + wnid + " of " + name +
                                               " is not in the class map " +
                                               labels.class_map->string());
    }
    const fs::path file = root / name;
    if (!fs::is_regular_file(file)) {
      throw DataError(file, "listed in " + labels.flat_labels->string() + " but not found");
    }
    by_class[std::size_t(it->second)].push_back(file);
  }
  for (auto& files : by_class) std::sort(files.begin(), files.end());
  // Images present but not listed, and files that are not images, are left out.
  std::size_t others = 0;
  const std::size_t present = images_in(root, others).size();
  listing.ignored = others + (present > rows.size() ? present - rows.size() : 0);
  listing.files = interleave(by_class);
  return listing;
}

}  // namespace

ImageFolderListing list_image_folder(const fs::path& root, const ImageFolderLabels& labels) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw DataError(root,
                    "image folder not found (expected class subfolders such as "
                    "train/n01440764/*.JPEG)");
  }
  const std::vector<fs::path> dirs = subfolders(root);
  ImageFolderListing listing =
      dirs.empty() ? list_flat_folder(root, labels) : list_class_folders(root, dirs, labels);
  if (listing.files.empty()) throw DataError(root, "no images found");
  return listing;
}

}  // namespace gaitsim::datasets
