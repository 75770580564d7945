// Bit crusher: hold counter, then a clamped mid-tread quantiser (see
// bitcrush.h for the grid).
#include "dsp/fx/bitcrush.h"

#include <cmath>
#include <cstdint>

namespace gb::dsp {

bool Bitcrush::Prepare(float sample_rate_hz, size_t /*max_block_frames*/,
                       Arena& /*arena*/) {
  Reset();
  return sample_rate_hz > 0.f;
}

void Bitcrush::Reset() {
  held_[0] = held_[1] = 0.f;
  countdown_ = 0.f;
}

void Bitcrush::Process(const BitcrushParams& target, float* left, float* right,
                       size_t frames) {
  const float bits = fx::ClampParam(target.bits, 1.f, 32.f, 32.f);
  const float divisor = fx::ClampParam(target.rate_divisor, 1.f, kMaxRateDivisor, 1.f);
  // Grid in double: at 32 bits 2^31 levels per unit do not fit a float's
  // mantissa, but the index math must still not overflow or misround.
  const double levels = std::floor(std::exp2(static_cast<double>(bits)));
  const double scale = std::exp2(static_cast<double>(bits) - 1.0);  // 1 / step
  const double inv_scale = 1.0 / scale;
  const double lo = -std::floor(levels / 2.0);
  const double hi = std::floor((levels - 1.0) / 2.0);

  float* const io[2] = {left, right};
  float countdown = countdown_;
  float held_l = held_[0];
  float held_r = held_[1];
  for (size_t i = 0; i < frames; ++i) {
    if (countdown <= 0.f) {
      countdown += divisor;
      held_l = io[0][i];
      held_r = io[1][i];
    }
    countdown -= 1.f;
    const float held[2] = {held_l, held_r};
    for (int ch = 0; ch < 2; ++ch) {
      // Clamp first (NaN -> 0), then round half away from zero through an
      // integer cast, which unlike std::nearbyint is inline on every target.
      double v = static_cast<double>(held[ch]) * scale;
      if (!(v >= lo)) v = std::isnan(v) ? 0.0 : lo;
      if (v > hi) v = hi;
      const auto index = static_cast<int64_t>(v + (v >= 0.0 ? 0.5 : -0.5));
      io[ch][i] = static_cast<float>(static_cast<double>(index) * inv_scale);
    }
  }
  countdown_ = countdown;
  held_[0] = held_l;
  held_[1] = held_r;
}

}  // namespace gb::dsp
