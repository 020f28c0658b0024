#include "sim/cli/cache_sources.hpp"

#include "sim/cli/command.hpp"

namespace gaitsim {

std::vector<CLI::App*> CacheSourceOptions::attach(CLI::App& cache) {
  return {attach_folder(cache), attach_npz(cache)};
}

CLI::App* CacheSourceOptions::attach_folder(CLI::App& cache) {
  folder_cmd_ = cache.add_subcommand(
      "imagenet-folder",
      "decode, resize and cache one split of an image folder (ILSVRC layout: SRC/<wnid>/*.JPEG)");
  folder_cmd_
      ->add_option("SRC", folder_.source,
                   "the split's folder: class subfolders (train/), or flat with --labels (val/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  folder_cmd_->add_option("--size", folder_.size, "side of the square cached images [pixels]")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  folder_cmd_
      ->add_option("--classes", class_map_,
                   "class map, \"wnid index\" per line (0- or 1-based, e.g. map_clsloc.txt); "
                   "default: the sorted subfolder names")
      ->check(CLI::ExistingFile);
  folder_cmd_
      ->add_option("--labels", flat_labels_,
                   "for a flat folder: \"file wnid\" per line, e.g. for ILSVRC2012 val/")
      ->check(CLI::ExistingFile);
  folder_cmd_
      ->add_option("--on-bad-image", on_bad_,
                   "an image that does not decode: stop (nothing written) or skip (left out, "
                   "listed in OUT_STEM.skipped.txt)")
      ->check(CLI::IsMember({"stop", "skip"}))
      ->capture_default_str();
  folder_cmd_->add_option("--threads", folder_.threads, "decoding threads (default: all cores)")
      ->check(integer_at_least(1));
  return folder_cmd_;
}

CLI::App* CacheSourceOptions::attach_npz(CLI::App& cache) {
  auto* cmd = cache.add_subcommand(
      "npz",
      "import downsampled-ImageNet .npz files (Imagenet32/64: data N x 3*S*S uint8, "
      "labels 1..K) without resizing");
  cmd->add_option("FILES", files_, "the .npz files of one split, imported in the order given")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--classes", npz_class_map_,
                  "class names, \"wnid index\" per line (map_clsloc.txt): label v is index v")
      ->check(CLI::ExistingFile);
  cmd->add_option("--num-classes", npz_.classes,
                  "number of classes K without --classes (default: the largest label)")
      ->check(integer_at_least(1));
  return cmd;
}

datasets::CacheSource CacheSourceOptions::parsed(const std::string& out) {
  if (folder_cmd_->parsed()) {
    folder_.out = out;
    if (!class_map_.empty()) folder_.labels.class_map = class_map_;
    if (!flat_labels_.empty()) folder_.labels.flat_labels = flat_labels_;
    folder_.on_bad_image =
        on_bad_ == "skip" ? datasets::BadImagePolicy::kSkip : datasets::BadImagePolicy::kStop;
    return folder_;
  }
  npz_.out = out;
  npz_.files.assign(files_.begin(), files_.end());
  if (!npz_class_map_.empty()) npz_.class_map = npz_class_map_;
  return npz_;
}

}  // namespace gaitsim
