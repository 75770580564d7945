// Bit crusher (`bitcrush bits [rate_divisor 1]`): sample-and-hold decimation,
// then quantisation to a signed PCM grid of `bits` bits.
//   bits          1..32, fractional ok. The grid step is 2^(1 - bits) and the
//                 level index is clamped to [-floor(N/2), floor((N-1)/2)] with
//                 N = floor(2^bits), so the output takes at most 2^bits
//                 distinct values, 0 is one of them (silence stays silent)
//                 and for integer bits it is exactly two's-complement PCM
//                 (bits 1: {-1, 0}; bits 8: -1 .. 127/128). Inputs beyond
//                 full scale clip. Past 24 bits the grid is finer than a
//                 float near full scale, so those settings are transparent.
//   rate_divisor  >= 1, fractional ok: a new input value is taken every
//                 rate_divisor frames on average (exactly every n frames for
//                 integer n) and held in between.
// Both take effect at the block boundary rather than ramping: a quantiser is a
// staircase whatever its step, and a ramped step would only add intermediate
// grids. Stateless apart from the held value and the hold counter.
#pragma once

#include <cstddef>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct BitcrushParams {
  float bits = 8.f;          // clamped to [1, 32]
  float rate_divisor = 1.f;  // clamped to [1, kMaxRateDivisor]
};

class Bitcrush {
 public:
  static constexpr float kMaxRateDivisor = 65536.f;

  // Needs no memory; false only for a non-positive sample rate.
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const BitcrushParams& target, float* left, float* right, size_t frames);

 private:
  float held_[2] = {0.f, 0.f};
  float countdown_ = 0.f;  // frames until the next sample is taken
};

}  // namespace gb::dsp
