// Decoding JPEG and PNG into RGB, and the shorter-side resize + centre crop, against closed
// forms: flat colours, block means, a ramp under bilinear enlargement.
#include "datasets/rgb_image.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "datasets/centre_square.hpp"
#include "test_files.hpp"

namespace gaitsim::datasets {
namespace {

using testing::Bytes;
using testing::flat_pixels;

// Every pixel of a decoded image within `tolerance` of colour.
::testing::AssertionResult all_pixels(const RgbImage& image, const Bytes& colour, int tolerance) {
  for (std::size_t i = 0; i < image.rgb.size(); ++i) {
    if (std::abs(int(image.rgb[i]) - int(colour[i % 3])) > tolerance) {
      return ::testing::AssertionFailure() << "value " << int(image.rgb[i]) << " at byte " << i
                                           << ", expected " << int(colour[i % 3]);
    }
  }
  return ::testing::AssertionSuccess();
}

class RgbImageTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_F(RgbImageTest, DecodesColourAndGreyJpegAndPngToRgb) {
  testing::write_jpeg(dir_ / "c.jpg", 9, 7, 3, flat_pixels(9, 7, {200, 30, 60}));
  testing::write_jpeg(dir_ / "g.jpg", 5, 6, 1, flat_pixels(5, 6, {90}));
  testing::write_png(dir_ / "c.png", 4, 3, 3, flat_pixels(4, 3, {1, 128, 255}));
  testing::write_png(dir_ / "g.png", 3, 4, 1, flat_pixels(3, 4, {77}));
  testing::write_png(dir_ / "a.png", 2, 2, 4, flat_pixels(2, 2, {10, 20, 30, 255}));

  const RgbImage c = read_image(dir_ / "c.jpg");
  EXPECT_EQ(c.width, 9);
  EXPECT_EQ(c.height, 7);
  ASSERT_EQ(c.rgb.size(), 9u * 7 * 3);
  EXPECT_TRUE(all_pixels(c, {200, 30, 60}, 2));  // JPEG is lossy even at quality 100
  const RgbImage g = read_image(dir_ / "g.jpg");
  ASSERT_EQ(g.rgb.size(), 5u * 6 * 3);
  EXPECT_TRUE(all_pixels(g, {90, 90, 90}, 1));
  EXPECT_TRUE(all_pixels(read_image(dir_ / "c.png"), {1, 128, 255}, 0));
  EXPECT_TRUE(all_pixels(read_image(dir_ / "g.png"), {77, 77, 77}, 0));
  EXPECT_TRUE(all_pixels(read_image(dir_ / "a.png"), {10, 20, 30}, 0));
}

TEST_F(RgbImageTest, RecognisesFormatByContentNotName) {
  // ImageNet has a PNG named .JPEG; the decoder must not trust the extension.
  testing::write_png(dir_ / "png.JPEG", 3, 3, 3, flat_pixels(3, 3, {5, 6, 7}));
  EXPECT_TRUE(all_pixels(read_image(dir_ / "png.JPEG"), {5, 6, 7}, 0));
}

TEST_F(RgbImageTest, ConvertsAdobeCmykJpegToRgb) {
  // Red in Adobe's inverted CMYK: C = 0, M = Y = 255, K = 0 stored as 255 - value.
  testing::write_jpeg(dir_ / "cmyk.jpg", 8, 8, 4, flat_pixels(8, 8, {255, 0, 0, 255}));
  EXPECT_TRUE(all_pixels(read_image(dir_ / "cmyk.jpg"), {255, 0, 0}, 2));
}

TEST_F(RgbImageTest, JpegDctReductionKeepsTheShorterSideAtLeastAsAsked) {
  testing::write_jpeg(dir_ / "big.jpg", 64, 48, 3, flat_pixels(64, 48, {100, 150, 200}));
  const RgbImage quarter = read_image(dir_ / "big.jpg", 8);  // 48 / 4 = 12 >= 8 > 48 / 8
  EXPECT_EQ(quarter.width, 16);
  EXPECT_EQ(quarter.height, 12);
  EXPECT_TRUE(all_pixels(quarter, {100, 150, 200}, 2));
  const RgbImage whole = read_image(dir_ / "big.jpg", 48);
  EXPECT_EQ(whole.height, 48);
}

TEST_F(RgbImageTest, UndecodableFilesNameTheFileAndTheProblem) {
  testing::write_file(dir_ / "text.png", Bytes{'h', 'e', 'l', 'l', 'o'});
  std::string message = testing::data_error_message([&] { read_image(dir_ / "text.png"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "text.png").string()));
  EXPECT_TRUE(testing::contains(message, "not a JPEG or PNG"));

  Bytes broken = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 2, 3};
  testing::write_file(dir_ / "broken.jpg", broken);
  message = testing::data_error_message([&] { read_image(dir_ / "broken.jpg"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "broken.jpg").string()));
  EXPECT_TRUE(testing::contains(message, "cannot decode JPEG"));

  testing::write_png(dir_ / "ok.png", 4, 4, 3, flat_pixels(4, 4, {1, 2, 3}));
  Bytes png;
  {
    std::ifstream in(dir_ / "ok.png", std::ios::binary);
    png.assign(std::istreambuf_iterator<char>(in), {});
  }
  png.resize(png.size() / 2);
  testing::write_file(dir_ / "half.png", png);
  message = testing::data_error_message([&] { read_image(dir_ / "half.png"); });
  EXPECT_TRUE(testing::contains(message, "cannot decode PNG"));

  message = testing::data_error_message([&] { read_image(dir_ / "missing.png"); });
  EXPECT_TRUE(testing::contains(message, "missing.png"));
}

// Issue 13 item 11: libjpeg only warns about a file that ends early and fills the rest grey.
TEST_F(RgbImageTest, TruncatedJpegIsRefusedNamingTheFile) {
  Bytes pixels;
  for (int i = 0; i < 64 * 64 * 3; ++i) pixels.push_back(static_cast<std::uint8_t>(i * 7));
  testing::write_jpeg(dir_ / "whole.jpg", 64, 64, 3, pixels);
  Bytes jpeg;
  {
    std::ifstream in(dir_ / "whole.jpg", std::ios::binary);
    jpeg.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(read_image(dir_ / "whole.jpg").width, 64);
  jpeg.resize(jpeg.size() * 2 / 3);
  testing::write_file(dir_ / "cut.jpg", jpeg);
  const std::string message = testing::data_error_message([&] { read_image(dir_ / "cut.jpg"); });
  EXPECT_TRUE(testing::contains(message, (dir_ / "cut.jpg").string()));
  EXPECT_TRUE(testing::contains(message, "Premature end of JPEG file"));
}

RgbImage make_image(int width, int height, const std::function<Bytes(int x, int y)>& pixel) {
  RgbImage image{width, height, {}};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const Bytes p = pixel(x, y);
      image.rgb.insert(image.rgb.end(), p.begin(), p.end());
    }
  }
  return image;
}

TEST(CentreSquareTest, FlatColourStaysExactAtAnySize) {
  for (auto [w, h] : {std::pair{40, 24}, {13, 17}, {5, 6}, {8, 8}, {101, 33}}) {
    const RgbImage image = make_image(w, h, [](int, int) { return Bytes{200, 30, 60}; });
    const auto out = centre_square(image, 8);
    ASSERT_EQ(out.size(), 3u * 64);
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < 64; ++k) {
        EXPECT_EQ(out[c * 64 + k], (Bytes{200, 30, 60}[c])) << w << "x" << h << " channel " << c;
      }
    }
  }
}

TEST(CentreSquareTest, ShrinkingByAnIntegerFactorAveragesBlocks) {
  // 24 x 24 -> 8 x 8: every output pixel is the mean of a 3 x 3 block (never a tie: k/9).
  std::mt19937 rng(7);
  const RgbImage image = make_image(24, 24, [&](int, int) {
    return Bytes{std::uint8_t(rng()), std::uint8_t(rng()), std::uint8_t(rng())};
  });
  const auto out = centre_square(image, 8);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 8; ++j) {
        int sum = 0;
        for (int y = 3 * i; y < 3 * i + 3; ++y) {
          for (int x = 3 * j; x < 3 * j + 3; ++x) sum += image.rgb[(y * 24 + x) * 3 + c];
        }
        EXPECT_EQ(out[c * 64 + i * 8 + j], (2 * sum + 9) / 18) << c << " " << i << " " << j;
      }
    }
  }
}

TEST(CentreSquareTest, KeepsTheCentreOfTheLongerSide) {
  // 32 x 16 -> scale 1/2 -> 16 x 8 -> columns 4..11 of that, i.e. source columns 8..23.
  const RgbImage image = make_image(32, 16, [](int x, int) {
    return x < 8 ? Bytes{255, 0, 0} : x < 24 ? Bytes{0, 100, 0} : Bytes{0, 0, 255};
  });
  const auto out = centre_square(image, 8);
  for (int k = 0; k < 64; ++k) {
    EXPECT_EQ(out[k], 0);
    EXPECT_EQ(out[64 + k], 100);
    EXPECT_EQ(out[128 + k], 0);
  }
  // The same for a tall image: rows 8..23 of 16 x 32.
  const RgbImage tall = make_image(16, 32, [](int, int y) {
    return y < 8 || y >= 24 ? Bytes{9, 9, 9} : Bytes{50, 60, 70};
  });
  const auto t = centre_square(tall, 8);
  for (int k = 0; k < 64; ++k) EXPECT_EQ(t[k], 50);
}

TEST(CentreSquareTest, EnlargingInterpolatesBilinearly) {
  // A ramp 0, 40, 80, 120 enlarged 2x: samples at c = (o + 1/2) / 2 - 1/2, clamped to [0, 3].
  const RgbImage ramp = make_image(4, 4, [](int x, int) {
    const auto v = std::uint8_t(40 * x);
    return Bytes{v, v, v};
  });
  const auto out = centre_square(ramp, 8);
  const int expected[8] = {0, 10, 30, 50, 70, 90, 110, 120};
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) EXPECT_EQ(out[i * 8 + j], expected[j]) << i << " " << j;
  }
}

}  // namespace
}  // namespace gaitsim::datasets
