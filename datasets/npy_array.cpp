#include "datasets/npy_array.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace gaitsim::datasets {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
// A header of several megabytes is not a numpy file, whatever it claims.
constexpr std::uint32_t kMaxHeader = 1u << 20;

// The text after 'key': in numpy's header dict, e.g. "'<i8', 'fortran_order': False, ...".
std::string value_after(const std::string& dict, const std::string& key, ZipEntryReader& in) {
  const auto at = dict.find("'" + key + "'");
  const auto colon = at == std::string::npos ? at : dict.find(':', at);
  if (colon == std::string::npos) in.fail("npy header has no '" + key + "': " + dict);
  return dict.substr(colon + 1);
}

std::string parse_descr(const std::string& dict, ZipEntryReader& in) {
  const std::string rest = value_after(dict, "descr", in);
  const auto open = rest.find('\'');
  const auto close = open == std::string::npos ? open : rest.find('\'', open + 1);
  if (close == std::string::npos) in.fail("npy header: 'descr' is not a string: " + dict);
  return rest.substr(open + 1, close - open - 1);
}

std::vector<std::uint64_t> parse_shape(const std::string& dict, ZipEntryReader& in) {
  const std::string rest = value_after(dict, "shape", in);
  const auto open = rest.find('('), close = rest.find(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    in.fail("npy header: 'shape' is not a tuple: " + dict);
  }
  std::vector<std::uint64_t> shape;
  std::string item;
  for (char c : rest.substr(open + 1, close - open - 1) + ",") {
    if (c == ',') {
      if (item.size() > 18) in.fail("npy header: dimension " + item + " too large");
      if (!item.empty()) shape.push_back(std::stoull(item));
      item.clear();
    } else if (c >= '0' && c <= '9') {
      item += c;
    } else if (c != ' ' && c != 'L') {
      in.fail("npy header: unexpected character in 'shape': " + dict);
    }
  }
  return shape;
}

// Little-endian (or single-byte) integer types and their sizes [bytes].
const std::map<std::string, std::pair<int, bool>>& integer_types() {
  static const std::map<std::string, std::pair<int, bool>> types = {
      {"|u1", {1, false}}, {"|i1", {1, true}}, {"<u2", {2, false}}, {"<i2", {2, true}},
      {"<u4", {4, false}}, {"<i4", {4, true}}, {"<u8", {8, false}}, {"<i8", {8, true}},
  };
  return types;
}

}  // namespace

std::uint64_t NpyHeader::count() const {
  std::uint64_t n = 1;
  for (std::uint64_t d : shape) n *= d;
  return n;
}

NpyHeader read_npy_header(ZipEntryReader& in) {
  char magic[8];
  in.read(magic, 8, "npy header");
  if (std::memcmp(magic, kMagic, 6) != 0) in.fail("not a .npy array (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) in.fail("npy format version " + std::to_string(major) + " unknown");
  std::uint8_t length_bytes[4] = {0, 0, 0, 0};
  in.read(length_bytes, major == 1 ? 2 : 4, "npy header");
  const std::uint32_t length = length_bytes[0] | (length_bytes[1] << 8) | (length_bytes[2] << 16) |
                               (std::uint32_t{length_bytes[3]} << 24);
  if (length > kMaxHeader) in.fail("npy header length " + std::to_string(length) + " too large");
  std::string dict(length, '\0');
  in.read(dict.data(), length, "npy header");
  NpyHeader h;
  h.descr = parse_descr(dict, in);
  std::string order = value_after(dict, "fortran_order", in);
  order.erase(0, order.find_first_not_of(' '));
  h.fortran_order = order.rfind("True", 0) == 0;
  h.shape = parse_shape(dict, in);
  // The array's bytes follow the header in the member: a shape claiming more is refused here,
  // before anyone allocates for it.
  std::uint64_t count = 1;
  for (std::uint64_t d : h.shape) {
    if (d != 0 && count > in.remaining() / d) {
      in.fail("npy header: shape claims more elements than the member's " +
              std::to_string(in.remaining()) + " remaining bytes hold");
    }
    count *= d;
  }
  if (count > in.remaining()) {
    in.fail("npy header: shape claims " + std::to_string(count) +
            " elements, more than the member's " + std::to_string(in.remaining()) +
            " remaining bytes hold");
  }
  return h;
}

std::vector<std::int64_t> read_npy_integers(ZipEntryReader& in, const NpyHeader& header) {
  const auto type = integer_types().find(header.descr);
  if (type == integer_types().end()) {
    in.fail("expected little-endian integers, found numpy type '" + header.descr + "'");
  }
  if (header.shape.size() != 1) {
    in.fail("expected a 1-D array, found " + std::to_string(header.shape.size()) + " dimensions");
  }
  const auto [bytes, is_signed] = type->second;
  if (header.count() > in.remaining() / static_cast<std::uint64_t>(bytes)) {
    in.fail("npy header claims " + std::to_string(header.count()) + " values of " +
            std::to_string(bytes) + " bytes, more than the member's " +
            std::to_string(in.remaining()) + " remaining bytes");
  }
  std::vector<std::uint8_t> raw(header.count() * static_cast<std::size_t>(bytes));
  in.read(raw.data(), raw.size(), "array data");
  std::vector<std::int64_t> values(header.count());
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint64_t v = 0;
    for (int b = bytes - 1; b >= 0; --b) v = (v << 8) | raw[i * bytes + b];
    // Sign-extend from the type's width.
    if (is_signed && bytes < 8 && (v >> (8 * bytes - 1)) & 1) v |= ~std::uint64_t{0} << (8 * bytes);
    values[i] = static_cast<std::int64_t>(v);
  }
  return values;
}

}  // namespace gaitsim::datasets
