// Small helpers shared by the stream effects in dsp/fx/: block-rate parameter
// ramps, parameter sanitising, denormal flushing and a 4-point Hermite read
// from a power-of-two ring buffer. Header-only and inline: everything here is
// called per sample on the audio thread, so nothing allocates or branches on
// anything but rare events (NaN, denormal-range values).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace gb::dsp::fx {

// Values below this (about -300 dBFS) are flushed to exactly 0 wherever they
// would be fed back (delay lines, filter state), so a decaying tail reaches
// exact silence instead of crawling through the float denormal range, which
// stalls x86 cores by ~100 cycles per operation when FTZ/DAZ are off.
inline constexpr float kFlushBelow = 1e-15f;

// Anything written into a feedback path is clamped to +-kMaxLevel (+120 dBFS)
// and a NaN becomes 0, so one bad input sample cannot poison a reverb or a
// 10 s delay line forever.
inline constexpr float kMaxLevel = 1e6f;

// Flushes denormal-range values to 0 (see kFlushBelow).
inline float FlushTiny(float x) { return std::fabs(x) < kFlushBelow ? 0.f : x; }

// FlushTiny plus NaN -> 0 and +-inf (or anything past kMaxLevel) clamped.
// For values that enter a feedback loop, once per sample: both tests are
// almost never true, so the branches predict perfectly.
inline float SanitizeFeedback(float x) {
  const float a = std::fabs(x);
  if (a < kFlushBelow) return 0.f;
  if (!(a <= kMaxLevel)) {  // NaN lands here too
    if (std::isnan(x)) return 0.f;
    return x > 0.f ? kMaxLevel : -kMaxLevel;
  }
  return x;
}

// Clamps a parameter to [lo, hi]; NaN gives `fallback` (std::clamp would pass
// NaN through).
inline float ClampParam(float v, float lo, float hi, float fallback) {
  if (std::isnan(v)) return fallback;
  return std::min(std::max(v, lo), hi);
}

// A parameter ramped linearly across one block: the value at the end of the
// previous block moves to the new target in `frames` equal steps, reaching it
// exactly at the block's last frame. The first block after Reset() starts at
// the target (no ramp from a meaningless default).
class Ramp {
 public:
  // Per-frame increment for this block: frame i (from 0) of the block uses
  // start() + (i + 1) * step. Call End(target) after the block.
  float Begin(float target, size_t frames, bool snap) {
    if (snap) value_ = target;
    return frames > 0 ? (target - value_) / static_cast<float>(frames) : 0.f;
  }
  float start() const { return value_; }
  // Lands exactly on the target (the float sum of steps may not).
  void End(float target) { value_ = target; }

 private:
  float value_ = 0.f;
};

// 4-point, 3rd-order Hermite interpolation (Niemitalo's "x-form") between y0
// and y1 at fraction t in [0, 1); ym1 and y2 are the outer neighbours. Exact at
// t = 0 (returns y0), which keeps integer delays bit-exact.
inline float Hermite4(float ym1, float y0, float y1, float y2, float t) {
  const float c1 = 0.5f * (y1 - ym1);
  const float c2 = ym1 - 2.5f * y0 + 2.f * y1 - 0.5f * y2;
  const float c3 = 0.5f * (y2 - ym1) + 1.5f * (y0 - y1);
  return ((c3 * t + c2) * t + c1) * t + y0;
}

// Reads a ring buffer `delay_frames` (>= 2, fractional) frames before the
// slot `write_index` is about to be written, i.e. delay 1 is the newest
// stored frame. `mask` is size - 1 for a power-of-two size. Uses the frames
// at delays floor(d) - 1 .. floor(d) + 2, so the buffer must hold
// max delay + 3 frames.
inline float ReadDelayHermite(const float* buffer, uint32_t mask, uint32_t write_index,
                              double delay_frames) {
  const auto whole = static_cast<uint32_t>(delay_frames);
  const auto t = static_cast<float>(delay_frames - static_cast<double>(whole));
  const uint32_t i0 = write_index - whole;  // delay `whole`: y0
  const float newer = buffer[(i0 + 1u) & mask];
  const float y0 = buffer[i0 & mask];
  const float older = buffer[(i0 - 1u) & mask];
  const float older2 = buffer[(i0 - 2u) & mask];
  return Hermite4(newer, y0, older, older2, t);
}

// Smallest power of two >= n (n >= 1, n <= 2^31).
inline uint32_t NextPowerOfTwo(uint32_t n) {
  uint32_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace gb::dsp::fx
