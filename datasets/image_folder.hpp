#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gaitsim::datasets {

// One source image and its label.
struct LabelledFile {
  std::filesystem::path path;
  std::int32_t label = 0;
};

// The images of one split of an ImageNet-style folder, in the order they go into a cache.
struct ImageFolderListing {
  std::vector<std::string> class_names;  // label k is class_names[k]
  std::vector<LabelledFile> files;
  std::size_t ignored = 0;  // files skipped for not having an image extension [count]
};

// Where the labels of an image folder come from.
struct ImageFolderLabels {
  // "wnid index" per line (read_class_map); without it the classes are the sorted names of
  // the class subfolders (or of the wnids in `flat_labels`).
  std::optional<std::filesystem::path> class_map;
  // For a flat folder (no subfolders, e.g. ILSVRC2012's val/): "file wnid" per line.
  std::optional<std::filesystem::path> flat_labels;
};

// Lists one split: either class subfolders (root/<wnid>/*.JPEG, the ILSVRC train/ layout) or,
// when root has no subfolders, a flat folder of images labelled by labels.flat_labels. Image
// files are those ending in .jpg, .jpeg or .png in any case; hidden files are skipped. Files
// are taken in name order and interleaved class by class (the first image of every class, then
// the second, ...), so that the first N images of a cache cover the classes evenly. Throws
// DataError naming the folder or file: no such folder, a class folder without images, a class
// not in the class map, a listed file that does not exist, no images at all.
ImageFolderListing list_image_folder(const std::filesystem::path& root,
                                     const ImageFolderLabels& labels);

}  // namespace gaitsim::datasets
