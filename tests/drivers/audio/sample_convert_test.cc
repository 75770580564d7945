// Float -> S16/S24/S32/FLOAT conversion, checked exactly on known values:
// scaling by 2^(bits-1), clipping (not wrap-around) past full scale, round to
// nearest even, NaN to silence, and the byte layout of each ALSA format.
#include "drivers/audio/sample_convert.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "gtest/gtest.h"

namespace gb::drivers {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(SampleConvert, S16ScalesBy32768AndClipsAtBothRails) {
  EXPECT_EQ(FloatToS16(0.f), 0);
  EXPECT_EQ(FloatToS16(0.5f), 16384);
  EXPECT_EQ(FloatToS16(-0.5f), -16384);
  EXPECT_EQ(FloatToS16(-1.f), -32768);
  EXPECT_EQ(FloatToS16(1.f), 32767);        // +full scale is one code short
  EXPECT_EQ(FloatToS16(1.0001f), 32767);    // clips, does not wrap to -32768
  EXPECT_EQ(FloatToS16(2.f), 32767);
  EXPECT_EQ(FloatToS16(-3.f), -32768);
  EXPECT_EQ(FloatToS16(kInf), 32767);
  EXPECT_EQ(FloatToS16(-kInf), -32768);
  EXPECT_EQ(FloatToS16(kNaN), 0);
  EXPECT_EQ(FloatToS16(1.f / 32768.f), 1);
  EXPECT_EQ(FloatToS16(-1.f / 32768.f), -1);
}

TEST(SampleConvert, RoundsToNearestWithTiesToEven) {
  EXPECT_EQ(FloatToS16(0.4f / 32768.f), 0);
  EXPECT_EQ(FloatToS16(0.6f / 32768.f), 1);
  EXPECT_EQ(FloatToS16(1.5f / 32768.f), 2);
  EXPECT_EQ(FloatToS16(2.5f / 32768.f), 2);
  EXPECT_EQ(FloatToS16(-2.5f / 32768.f), -2);
}

TEST(SampleConvert, S24ScalesBy2Pow23AndClips) {
  EXPECT_EQ(FloatToS24(0.f), 0);
  EXPECT_EQ(FloatToS24(0.25f), 2097152);
  EXPECT_EQ(FloatToS24(-1.f), -8388608);
  EXPECT_EQ(FloatToS24(1.f), 8388607);
  EXPECT_EQ(FloatToS24(7.f), 8388607);
  EXPECT_EQ(FloatToS24(-7.f), -8388608);
  EXPECT_EQ(FloatToS24(1.f / 8388608.f), 1);
  EXPECT_EQ(FloatToS24(kNaN), 0);
}

TEST(SampleConvert, S32ScalesBy2Pow31WithoutOverflow) {
  EXPECT_EQ(FloatToS32(0.5f), 1073741824);
  EXPECT_EQ(FloatToS32(-0.5f), -1073741824);
  EXPECT_EQ(FloatToS32(-1.f), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(FloatToS32(1.f), std::numeric_limits<int32_t>::max());  // 2^31 does not fit: clipped
  EXPECT_EQ(FloatToS32(100.f), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(FloatToS32(-100.f), std::numeric_limits<int32_t>::min());
  // The largest float below 1.0 is 1 - 2^-24: exactly 2^31 - 2^7.
  EXPECT_EQ(FloatToS32(0.99999994f), 2147483520);
  EXPECT_EQ(FloatToS32(kNaN), 0);
}

TEST(SampleConvert, FloatIsClippedToUnitRange) {
  EXPECT_EQ(ClipFloat(0.25f), 0.25f);
  EXPECT_EQ(ClipFloat(-0.75f), -0.75f);
  EXPECT_EQ(ClipFloat(1.5f), 1.f);
  EXPECT_EQ(ClipFloat(-7.f), -1.f);
  EXPECT_EQ(ClipFloat(kInf), 1.f);
  EXPECT_EQ(ClipFloat(kNaN), 0.f);
}

// Converts `in` and returns the bytes, with guard bytes past the end checked untouched.
std::vector<uint8_t> Bytes(const std::vector<float>& in, SampleFormat fmt) {
  const size_t n = in.size() * BytesPerSample(fmt);
  std::vector<uint8_t> out(n + 8, 0xAB);
  ConvertFromFloat(in.data(), in.size(), fmt, out.data());
  for (size_t i = n; i < out.size(); ++i) EXPECT_EQ(out[i], 0xAB) << "wrote past the end";
  out.resize(n);
  return out;
}

TEST(SampleConvert, S16BytesAreLittleEndian) {
  EXPECT_EQ(Bytes({0.5f, -1.f, 2.f}, SampleFormat::kS16),
            (std::vector<uint8_t>{0x00, 0x40, 0x00, 0x80, 0xFF, 0x7F}));
}

TEST(SampleConvert, S24PackedIsThreeBytesPerSample) {
  EXPECT_EQ(Bytes({-1.f, 0.5f, -0.5f, 1.f / 8388608.f, 9.f}, SampleFormat::kS24Packed),
            (std::vector<uint8_t>{0x00, 0x00, 0x80, 0x00, 0x00, 0x40, 0x00, 0x00, 0xC0,
                                  0x01, 0x00, 0x00, 0xFF, 0xFF, 0x7F}));
}

TEST(SampleConvert, S24InFourBytesIsSignExtended) {
  EXPECT_EQ(Bytes({-1.f, 0.5f}, SampleFormat::kS24),
            (std::vector<uint8_t>{0x00, 0x00, 0x80, 0xFF, 0x00, 0x00, 0x40, 0x00}));
}

TEST(SampleConvert, S32AndFloatBuffers) {
  EXPECT_EQ(Bytes({-1.f, 1.f}, SampleFormat::kS32),
            (std::vector<uint8_t>{0x00, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x7F}));
  const std::vector<float> in = {0.25f, 3.f, kNaN, -0.125f};
  std::vector<uint8_t> raw = Bytes(in, SampleFormat::kFloat32);
  std::array<float, 4> back{};
  std::memcpy(back.data(), raw.data(), raw.size());
  EXPECT_EQ(back, (std::array<float, 4>{0.25f, 1.f, 0.f, -0.125f}));
}

TEST(SampleConvert, FormatNamesAndSizesMatchAlsa) {
  EXPECT_EQ(SampleFormatName(SampleFormat::kS24Packed), "S24_3LE");
  EXPECT_EQ(SampleFormatName(SampleFormat::kFloat32), "FLOAT_LE");
  EXPECT_EQ(BytesPerSample(SampleFormat::kS24Packed), 3u);
  EXPECT_EQ(BytesPerSample(SampleFormat::kS24), 4u);
  EXPECT_EQ(BytesPerSample(SampleFormat::kS16), 2u);
}

}  // namespace
}  // namespace gb::drivers
