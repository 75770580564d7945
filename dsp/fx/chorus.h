// Stereo chorus (`chorus rate_hz depth [mix 0.3]`): each channel through a
// short delay swept by a sine LFO, the right channel's LFO in opposite phase,
// which widens a mono source. No feedback.
//   delay    = 15 ms + 10 ms * depth * lfo   (5 .. 25 ms at depth 1)
//   rate_hz  LFO rate, clamped to [0, kMaxRateHz]
//   depth    0..1; 0 is a fixed 15 ms delay (mixed with the dry signal that is
//            a comb filter, as on any chorus pedal with the depth at zero)
//   mix      0 dry .. 1 wet; 0 returns the input bit-exactly
// Hermite-interpolated read, like Delay. All three parameters ramp linearly
// across the block. Memory: two lines of next_pow2(25 ms + 4) frames from the
// arena (8 KiB each at 48 kHz). Audio thread: Process never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct ChorusParams {
  float rate_hz = 0.5f;
  float depth = 0.5f;
  float mix = 0.3f;
};

class Chorus {
 public:
  static constexpr float kCentreS = 0.015f;
  static constexpr float kSweepS = 0.010f;  // at depth 1
  static constexpr float kMaxRateHz = 20.f;

  static size_t ArenaBytes(float sample_rate_hz, size_t max_block_frames);
  // Control thread. False if the sample rate is not positive or the arena is
  // too small (the unit then passes audio through unchanged).
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const ChorusParams& target, float* left, float* right, size_t frames);

 private:
  float sample_rate_hz_ = 48000.f;
  float* line_[2] = {nullptr, nullptr};
  uint32_t mask_ = 0;
  uint32_t write_ = 0;
  float phase_ = 0.f;  // LFO phase in turns, [0, 1)
  fx::Ramp rate_, depth_, mix_;
  bool fresh_ = true;
};

// sin(2 pi phase) for any phase in turns (|phase| < 2^31), max error 1.6e-4: a triangle folded
// through an odd polynomial. Cheap enough for a per-sample LFO.
float FastSinTurns(float phase);

}  // namespace gb::dsp
