#include "analysis/h5_types.hpp"

#include <stdexcept>
#include <string>

namespace gaitsim::h5 {

hid_t native_type(ScalarType t) {
  switch (t.kind) {
    case ScalarKind::kFloat:
      if (t.size == 4) return H5T_NATIVE_FLOAT;
      if (t.size == 8) return H5T_NATIVE_DOUBLE;
      break;
    case ScalarKind::kSigned:
      if (t.size == 1) return H5T_NATIVE_INT8;
      if (t.size == 2) return H5T_NATIVE_INT16;
      if (t.size == 4) return H5T_NATIVE_INT32;
      if (t.size == 8) return H5T_NATIVE_INT64;
      break;
    case ScalarKind::kUnsigned:
      if (t.size == 1) return H5T_NATIVE_UINT8;
      if (t.size == 2) return H5T_NATIVE_UINT16;
      if (t.size == 4) return H5T_NATIVE_UINT32;
      if (t.size == 8) return H5T_NATIVE_UINT64;
      break;
  }
  throw std::invalid_argument("gaitsim::h5: no HDF5 type for a " + std::to_string(t.size) +
                              "-byte scalar");
}

}  // namespace gaitsim::h5
