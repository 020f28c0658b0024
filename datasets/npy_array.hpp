#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/zip_archive.hpp"

namespace gaitsim::datasets {

// The header of a .npy array (numpy's format, versions 1 to 3): element type as numpy's
// descr string ("|u1" bytes, "<i8" little-endian int64, ...), memory order, shape.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;

  std::uint64_t count() const;  // number of elements
};

// Reads the header at the start of a .npy member; the reader is left at the first element.
NpyHeader read_npy_header(ZipEntryReader& in);

// Reads a whole 1-D array of integers (any little-endian integer type) as int64. Throws
// DataError, naming the file and member, for other types or shapes.
std::vector<std::int64_t> read_npy_integers(ZipEntryReader& in, const NpyHeader& header);

}  // namespace gaitsim::datasets
