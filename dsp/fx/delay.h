// Stereo feedback delay (`delay time_s [feedback 0.5] [mix 0.5]`): one line per
// channel, up to kMaxTimeS seconds, read with 4-point Hermite interpolation so
// the time can be modulated smoothly. Memory comes only from the arena in
// Prepare (2 x next_pow2(10 s of frames) floats: 4 MiB at 48 kHz).
// Audio thread: Process never allocates, locks or makes syscalls.
//
// Signal flow per channel (delay in frames = time_s * rate, snapped to a
// whole frame when within 1/16 of one, since a float time_s like 0.1 is not
// exact): wet = line(time); line <- in + feedback * wet;
// out = (1 - mix) * in + mix * wet. An impulse therefore returns at
// round(time_s * rate) frames with amplitude mix, then mix * feedback^k on the
// k-th repeat after that.
//
// Time changes glide: the delay moves toward its target at most kMaxGlide
// frames of delay per frame (the read head runs at 0.5x .. 1.5x speed, tape
// style, never jumps), ramped linearly within each block. A jump from 0.25 s
// to 0.5 s thus takes 0.5 s. feedback and mix ramp linearly across the block.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct DelayParams {
  float time_s = 0.25f;   // clamped to [2 frames, kMaxTimeS]
  float feedback = 0.5f;  // clamped to [0, kMaxFeedback]
  float mix = 0.5f;       // 0 dry .. 1 wet, clamped
};

class Delay {
 public:
  static constexpr float kMaxTimeS = 10.f;
  static constexpr float kMaxFeedback = 0.99f;
  static constexpr double kMaxGlide = 0.5;  // frames of delay per frame
  static constexpr double kMinDelayFrames = 2.0;  // Hermite needs a newer tap
  // Target delays within this of a whole frame snap to it (float time_s
  // rounding; at 10 s one float ulp is 0.046 frames at 48 kHz).
  static constexpr double kSnapFrames = 1.0 / 16.0;

  // Arena bytes Prepare takes at this rate, alignment slack included.
  // `max_time_s` (<= kMaxTimeS) bounds the delay this instance will ever be
  // asked for: a chain whose time is a constant 0.25 s need not reserve (and
  // touch) 10 s of line, which makes loading a scene much faster.
  static size_t ArenaBytes(float sample_rate_hz, size_t max_block_frames, float max_time_s = kMaxTimeS);

  // Control thread. False if the sample rate is not positive or the arena is
  // too small (the unit then passes audio through unchanged).
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena, float max_time_s = kMaxTimeS);
  // Clears both lines (O(line length): 4 MiB of stores at 48 kHz).
  void Reset();
  void Process(const DelayParams& target, float* left, float* right, size_t frames);

 private:
  float sample_rate_hz_ = 48000.f;
  float* line_[2] = {nullptr, nullptr};
  uint32_t mask_ = 0;
  uint32_t write_ = 0;
  double max_delay_frames_ = 0.0;
  double delay_frames_ = 0.0;  // double: at 10 s a float step would be 1/16 frame
  fx::Ramp feedback_, mix_;
  bool fresh_ = true;
};

}  // namespace gb::dsp
