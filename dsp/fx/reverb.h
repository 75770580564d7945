// Stereo reverb (`reverb room [damping 0.5] [mix 0.3]`): Jezar's Freeverb, a
// Schroeder-Moorer design: per channel 8 parallel feedback combs with a
// one-pole low-pass in the loop, then 4 series allpasses; the right channel's
// lines are 23 frames (at 44.1 kHz) longer, which decorrelates the two sides.
//
// Why Freeverb and not an FDN: it costs ~2 multiplies and 2 adds per comb and
// per allpass with no matrix, which matters on a Raspberry Pi; its public
// domain tuning is known to sound right; and its decay is easy to reason
// about: every comb loop gain is feedback * (low-pass gain <= 1) <= 0.98 < 1,
// so the tail always decays (finite energy), even at room = 1.
//
// Parameters (each ramped linearly across the block):
//   room    0..1 -> comb feedback 0.7 + 0.28 room (Freeverb's scaling).
//           Measured RT60 (from T30) with damping 0 / 0.5: room 0 0.64 / 0.52 s,
//           0.5 1.3 / 1.1 s, 0.9 4.6 / 3.9 s, 1 11 / 9.6 s.
//   damping 0..1 -> in-loop low-pass coefficient 0.4 damping: more damping,
//           darker and shorter highs.
//   mix     0 dry .. 1 wet; mix 0 returns the input bit-exactly.
// Line lengths scale with the sample rate; memory (~110 KiB at 48 kHz) comes
// from the arena in Prepare. Audio thread: Process never allocates.
//
// Process runs in runs of frames that wrap no line (a run is at most the
// shortest line, 245 frames at 48 kHz), through the block kernels of
// dsp/kernels/freeverb.h: the combs SIMD across combs, the allpasses SIMD
// across frames.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct ReverbParams {
  float room = 0.5f;
  float damping = 0.5f;
  float mix = 0.3f;
};

class Reverb {
 public:
  static constexpr int kCombs = 8;
  static constexpr int kAllpasses = 4;

  static size_t ArenaBytes(float sample_rate_hz, size_t max_block_frames);
  // Control thread. False if the sample rate is not positive or the arena is
  // too small (the unit then passes audio through unchanged).
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const ReverbParams& target, float* left, float* right, size_t frames);

 private:
  struct Line {
    float* buffer = nullptr;
    uint32_t length = 0;
    uint32_t index = 0;
  };
  struct Channel {
    Line comb[kCombs];
    float comb_lowpass[kCombs] = {};  // Freeverb's "filterstore"
    Line allpass[kAllpasses];
  };

  bool prepared_ = false;
  uint32_t min_length_ = 1;  // the shortest line: a run of frames never wraps a line twice
  Channel channel_[2];
  fx::Ramp feedback_, damp_, mix_;
  bool fresh_ = true;
};

}  // namespace gb::dsp
