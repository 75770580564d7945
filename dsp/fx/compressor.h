// Feed-forward stereo compressor (`compressor threshold_db ratio attack_s
// release_s [makeup_db 0]`). Levels are peak dBFS (a full-scale sine peaks at
// 0 dB). Per frame:
//   level_db  = 20 log10(max(|L|, |R|))          stereo-linked peak detector
//   target_db = max(0, level_db - threshold_db) * (1 - 1 / ratio)   hard knee
//   gr_db     = one-pole toward target_db, time constant attack_s while the
//               reduction grows and release_s while it shrinks (the "smooth
//               branching" detector of Giannoulis, Massberg & Reiss, JAES
//               2012, run on the gain reduction in the dB domain)
//   both channels *= 10^((makeup_db - gr_db) / 20)
// So a steady tone settles at threshold + (level - threshold) / ratio, and a
// step in level moves the reduction 63 % of the way in one time constant.
// Below threshold with makeup 0 the gain is exactly 1 (bit-exact output).
// A peak detector on a sine lets the reduction sag a little between peaks
// (with release >> the period, well under 1 dB).
//
// threshold_db, ratio (as its slope 1 - 1/ratio) and makeup_db ramp linearly
// across the block; the attack/release coefficients are set per block.
// Stateless apart from gr_db; audio thread only.
#pragma once

#include <cstddef>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct CompressorParams {
  float threshold_db = -20.f;  // clamped to [-120, 20]
  float ratio = 4.f;           // clamped to [1, 1000] (1000 ~ a limiter)
  float attack_s = 0.01f;      // clamped to [0, 10]; 0 is instant
  float release_s = 0.1f;      // clamped to [0, 10]; 0 is instant
  float makeup_db = 0.f;       // clamped to [-60, 60]
};

class Compressor {
 public:
  // Needs no memory; false only for a non-positive sample rate.
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const CompressorParams& target, float* left, float* right, size_t frames);

  // The smoothed gain reduction after the last block, dB (>= 0), for meters.
  float gain_reduction_db() const { return reduction_db_; }

 private:
  float sample_rate_hz_ = 48000.f;
  float reduction_db_ = 0.f;
  fx::Ramp threshold_db_, slope_, makeup_db_;
  bool fresh_ = true;
};

}  // namespace gb::dsp
