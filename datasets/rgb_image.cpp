#include "datasets/rgb_image.hpp"

// jpeglib.h needs FILE and size_t declared first.
#include <cstddef>
#include <cstdio>
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <fstream>
#include <string>

#include "datasets/data_error.hpp"

namespace gaitsim::datasets {
namespace {

// Larger images are refused rather than risking an allocation of many gigabytes from a corrupt
// or hostile header: 2^28 pixels is 16384 x 16384, far above any photograph in ImageNet.
constexpr std::size_t kMaxPixels = std::size_t{1} << 28;

bool is_jpeg(std::span<const std::uint8_t> b) {
  return b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

bool is_png(std::span<const std::uint8_t> b) {
  static constexpr std::uint8_t kMagic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return b.size() >= 8 && std::equal(kMagic, kMagic + 8, b.begin());
}

std::string too_large(std::size_t width, std::size_t height) {
  return "image of " + std::to_string(width) + "x" + std::to_string(height) +
         " pixels is larger than the limit of " + std::to_string(kMaxPixels) + " pixels";
}

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to the
// setjmp in decode_jpeg with the message saved here.
struct JpegErrors {
  jpeg_error_mgr mgr;  // first member, so that libjpeg's pointer to it converts back
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// Warnings such as "extraneous bytes before marker" leave a usable image; ImageNet has several.
void jpeg_quiet(j_common_ptr) {}

// A file that ends early is only a warning to libjpeg, which fills the rest of the image with
// grey: here it is an error, as is a data segment cut short by a marker.
void jpeg_warning_or_fail(j_common_ptr cinfo, int level) {
  const int code = cinfo->err->msg_code;
  if (level < 0 && (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER)) jpeg_fail(cinfo);
  if (level < 0) ++cinfo->err->num_warnings;
}

// The largest of 8, 4, 2 that keeps the shorter side at least `shorter_at_least`, else 1.
unsigned dct_denominator(unsigned width, unsigned height, int shorter_at_least) {
  if (shorter_at_least <= 0) return 1;
  const unsigned shorter = std::min(width, height);
  for (unsigned d : {8u, 4u, 2u}) {
    if ((shorter + d - 1) / d >= static_cast<unsigned>(shorter_at_least)) return d;
  }
  return 1;
}

// Adobe writes CMYK JPEGs inverted (0 = full ink); others store plain ink amounts.
// R = (255 - C)(255 - K) / 255 for plain CMYK, R = C K / 255 for inverted.
void cmyk_to_rgb(const std::vector<std::uint8_t>& cmyk, bool inverted, RgbImage& out) {
  const std::size_t pixels = cmyk.size() / 4;
  out.rgb.resize(pixels * 3);
  for (std::size_t i = 0; i < pixels; ++i) {
    const unsigned k = inverted ? cmyk[4 * i + 3] : 255u - cmyk[4 * i + 3];
    for (int c = 0; c < 3; ++c) {
      const unsigned ink = inverted ? cmyk[4 * i + c] : 255u - cmyk[4 * i + c];
      out.rgb[3 * i + c] = static_cast<std::uint8_t>((ink * k + 127) / 255);
    }
  }
}

// Returns false with errors.message set on failure. Every object with a destructor lives in the
// caller, because longjmp back to this frame would skip destructors of objects created here.
bool decode_jpeg(std::span<const std::uint8_t> bytes, int shorter_at_least, JpegErrors& errors,
                 std::vector<std::uint8_t>& cmyk, RgbImage& out) {
  jpeg_decompress_struct cinfo{};
  cinfo.err = jpeg_std_error(&errors.mgr);
  errors.mgr.error_exit = jpeg_fail;
  errors.mgr.output_message = jpeg_quiet;
  errors.mgr.emit_message = jpeg_warning_or_fail;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  // Before jpeg_start_decompress, which allocates for the whole image (progressive files: all
  // its coefficients).
  if (std::size_t{cinfo.image_width} * cinfo.image_height > kMaxPixels) {
    std::snprintf(errors.message, sizeof errors.message, "%s",
                  too_large(cinfo.image_width, cinfo.image_height).c_str());
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const bool is_cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = is_cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = dct_denominator(cinfo.image_width, cinfo.image_height, shorter_at_least);
  jpeg_start_decompress(&cinfo);
  const std::size_t width = cinfo.output_width, height = cinfo.output_height;
  if (width * height > kMaxPixels) {
    std::snprintf(errors.message, sizeof errors.message, "%s", too_large(width, height).c_str());
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const std::size_t stride = width * static_cast<std::size_t>(cinfo.output_components);
  std::vector<std::uint8_t>& target = is_cmyk ? cmyk : out.rgb;
  target.resize(stride * height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = target.data() + std::size_t{cinfo.output_scanline} * stride;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  const bool inverted = cinfo.saw_Adobe_marker;
  jpeg_destroy_decompress(&cinfo);
  out.width = static_cast<int>(width);
  out.height = static_cast<int>(height);
  if (is_cmyk) cmyk_to_rgb(cmyk, inverted, out);
  return true;
}

RgbImage decode_png(std::span<const std::uint8_t> bytes, const std::filesystem::path& source) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) {
    throw DataError(source, std::string("cannot decode PNG: ") + image.message);
  }
  if (std::size_t{image.width} * image.height > kMaxPixels) {
    png_image_free(&image);
    throw DataError(source, "cannot decode PNG: " + too_large(image.width, image.height));
  }
  image.format = PNG_FORMAT_RGB;
  RgbImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  const png_color black{0, 0, 0};
  if (!png_image_finish_read(&image, &black, out.rgb.data(), 0, nullptr)) {
    throw DataError(source, std::string("cannot decode PNG: ") + image.message);
  }
  return out;
}

}  // namespace

RgbImage decode_image(std::span<const std::uint8_t> bytes, const std::filesystem::path& source,
                      int shorter_at_least) {
  if (is_png(bytes)) return decode_png(bytes, source);
  if (!is_jpeg(bytes)) {
    throw DataError(source, "not a JPEG or PNG image (unrecognised first bytes)");
  }
  JpegErrors errors{};
  std::vector<std::uint8_t> cmyk;
  RgbImage out;
  if (!decode_jpeg(bytes, shorter_at_least, errors, cmyk, out)) {
    throw DataError(source, std::string("cannot decode JPEG: ") + errors.message +
                                (errors.mgr.msg_code == JWRN_JPEG_EOF ? " (truncated file?)" : ""));
  }
  return out;
}

RgbImage read_image(const std::filesystem::path& file, int shorter_at_least) {
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) throw DataError(file, "cannot open image file");
  const std::streamsize size = in.tellg();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(std::max<std::streamsize>(size, 0)));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw DataError(file, "cannot read image file");
  return decode_image(bytes, file, shorter_at_least);
}

}  // namespace gaitsim::datasets
