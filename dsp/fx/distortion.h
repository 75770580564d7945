// Waveshaping distortion (`distortion drive [mix 0.5]`, alias `dist`): a
// smooth odd saturator, so a sine gains odd harmonics and no DC.
//   wet = S(d x) / S(d),  d = drive,  S = tanh-like rational curve (below)
// Dividing by S(d) is the gain compensation: S is odd, increasing and S(t)/t
// decreases, so |wet| <= max(1, |x|) for every drive: a full-scale input stays
// at full scale and raising the drive adds harmonics and lifts quiet parts,
// never the peaks. drive = 0 is the identity (exactly: such a block, like one
// at mix = 0, is left untouched); drive 1 is gentle, 10 is heavy fuzz.
//
// S(x) = x (27 + x^2) / (27 + 9 x^2) for |x| < 3, sign(x) beyond: the [3/2]
// Pade approximant of tanh, which reaches 1 with zero slope at |x| = 3 (C1).
// Cheaper than std::tanh on a Pi (one division) and close to it (max error
// 0.024). No oversampling: drives past ~10 on bright material alias, as they
// do on most cheap hardware. Stateless; audio thread only.
#pragma once

#include <cstddef>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

struct DistortionParams {
  float drive = 1.f;  // >= 0, clamped to [0, kMaxDrive]
  float mix = 0.5f;   // 0 dry .. 1 wet
};

// The saturating curve S above, exposed for tests and voice code.
inline float SoftClip(float x) {
  if (x >= 3.f) return 1.f;
  if (x <= -3.f) return -1.f;
  const float x2 = x * x;
  return x * (27.f + x2) / (27.f + 9.f * x2);
}

class Distortion {
 public:
  static constexpr float kMaxDrive = 1000.f;
  // Below this the block is treated as drive 0 (the curve differs from the
  // identity by < 1e-8 there anyway).
  static constexpr float kMinDrive = 1e-4f;

  // Needs no memory; false only for a non-positive sample rate.
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const DistortionParams& target, float* left, float* right, size_t frames);

 private:
  fx::Ramp drive_, mix_;
  bool fresh_ = true;
};

}  // namespace gb::dsp
