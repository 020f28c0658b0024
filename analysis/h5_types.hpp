#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace gaitsim::h5 {

// An element type described without HDF5 ids, so templates can name it at compile time; the id
// itself (native_type) exists only once the library is initialised.
enum class ScalarKind : std::uint8_t { kFloat, kSigned, kUnsigned };

struct ScalarType {
  ScalarKind kind;
  std::size_t size;  // bytes
};

template <class T>
constexpr ScalarType scalar_type() {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>,
                "gaitsim::h5 stores floating-point and non-bool integer scalars");
  static_assert(sizeof(T) <= 8 && (!std::is_floating_point_v<T> || sizeof(T) >= 4),
                "gaitsim::h5 stores float, double and integers up to 64 bits");
  if constexpr (std::is_floating_point_v<T>) {
    return {ScalarKind::kFloat, sizeof(T)};
  } else if constexpr (std::is_signed_v<T>) {
    return {ScalarKind::kSigned, sizeof(T)};
  } else {
    return {ScalarKind::kUnsigned, sizeof(T)};
  }
}

// HDF5's native type for t; owned by the library, never closed by callers.
hid_t native_type(ScalarType t);

}  // namespace gaitsim::h5
