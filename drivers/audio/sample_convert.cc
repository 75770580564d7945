// Float -> device sample conversion (see sample_convert.h). Audio thread safe.
#include "drivers/audio/sample_convert.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace gb::drivers {

static_assert(std::endian::native == std::endian::little,
              "the memcpy stores below write the host order; ALSA formats here are _LE");
namespace {

// Clamps to [-1, 1]; NaN -> 0.
inline float Clamp1(float x) {
  if (std::isnan(x)) return 0.f;
  return x > 1.f ? 1.f : (x < -1.f ? -1.f : x);
}

// Scales a clamped value by 2^(bits-1), rounds to nearest (ties to even, the
// FPU's default mode), and clips the top code. Double keeps S32 exact.
template <int kBits>
inline int32_t ToInt(float x) {
  constexpr double kScale = static_cast<double>(int64_t{1} << (kBits - 1));
  constexpr double kMax = kScale - 1.0;
  const double scaled = static_cast<double>(Clamp1(x)) * kScale;
  if (scaled >= kMax) return static_cast<int32_t>(kMax);
  return static_cast<int32_t>(std::nearbyint(scaled));
}

template <typename Fn>
inline void Each(const float* in, size_t samples, uint8_t* out, size_t stride, Fn store) {
  for (size_t i = 0; i < samples; ++i) store(in[i], out + i * stride);
}

}  // namespace

std::string_view SampleFormatName(SampleFormat fmt) {
  switch (fmt) {
    case SampleFormat::kFloat32: return "FLOAT_LE";
    case SampleFormat::kS32: return "S32_LE";
    case SampleFormat::kS24Packed: return "S24_3LE";
    case SampleFormat::kS24: return "S24_LE";
    case SampleFormat::kS16: return "S16_LE";
  }
  return "?";
}

size_t BytesPerSample(SampleFormat fmt) {
  switch (fmt) {
    case SampleFormat::kS24Packed: return 3;
    case SampleFormat::kS16: return 2;
    case SampleFormat::kFloat32:
    case SampleFormat::kS32:
    case SampleFormat::kS24: break;
  }
  return 4;
}

int16_t FloatToS16(float x) { return static_cast<int16_t>(ToInt<16>(x)); }
int32_t FloatToS24(float x) { return ToInt<24>(x); }
int32_t FloatToS32(float x) { return ToInt<32>(x); }
float ClipFloat(float x) { return Clamp1(x); }

void ConvertFromFloat(const float* in, size_t samples, SampleFormat fmt, void* out_void) {
  auto* out = static_cast<uint8_t*>(out_void);
  // memcpy stores: the device buffer has no alignment promise for 3-byte samples,
  // and memcpy of a fixed small size compiles to a plain store.
  switch (fmt) {
    case SampleFormat::kFloat32:
      Each(in, samples, out, 4, [](float x, uint8_t* p) {
        const float v = Clamp1(x);
        std::memcpy(p, &v, 4);
      });
      return;
    case SampleFormat::kS32:
      Each(in, samples, out, 4, [](float x, uint8_t* p) {
        const int32_t v = ToInt<32>(x);
        std::memcpy(p, &v, 4);
      });
      return;
    case SampleFormat::kS24:
      Each(in, samples, out, 4, [](float x, uint8_t* p) {
        const int32_t v = ToInt<24>(x);
        std::memcpy(p, &v, 4);
      });
      return;
    case SampleFormat::kS24Packed:
      Each(in, samples, out, 3, [](float x, uint8_t* p) {
        const auto v = static_cast<uint32_t>(ToInt<24>(x));
        p[0] = static_cast<uint8_t>(v);
        p[1] = static_cast<uint8_t>(v >> 8);
        p[2] = static_cast<uint8_t>(v >> 16);
      });
      return;
    case SampleFormat::kS16:
      Each(in, samples, out, 2, [](float x, uint8_t* p) {
        const auto v = static_cast<int16_t>(ToInt<16>(x));
        std::memcpy(p, &v, 2);
      });
      return;
  }
}

}  // namespace gb::drivers
