#pragma once
// HDF5 and conversion helpers the viewer's models share (gui/models/*.cpp only).
#include <hdf5.h>

#include <QStringList>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/h5_file.hpp"
#include "analysis/h5_handle.hpp"

namespace gaitsim::gui::detail {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& file, const std::string& what);
h5::Handle open_raw(const fs::path& file);
// Reads the block [start, start + count) of a dataset of any rank as doubles.
std::vector<double> read_slab(const fs::path& file, hid_t f, const std::string& ds,
                              const std::vector<hsize_t>& start, const std::vector<hsize_t>& count);
std::vector<std::vector<double>> columns(const Eigen::MatrixXd& m);
// The shape of one input image from the input width (0 x 0: not an image).
void image_shape(int width, int& h, int& w, int& c);
std::string attr_or(const h5::File& f, const std::string& obj, const std::string& name);
// A list of names (a string-array attribute); empty when the attribute is absent.
std::vector<std::string> strings_or(const h5::File& f, const std::string& obj,
                                    const std::string& name);
QStringList to_qt(const std::vector<std::string>& v);

}  // namespace gaitsim::gui::detail
