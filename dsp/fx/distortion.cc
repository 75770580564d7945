// Waveshaping distortion (see distortion.h). drive and mix ramp linearly
// across the block; the makeup gain 1 / S(drive) is recomputed per frame only
// while the drive is moving. A block whose drive stays at 0 (or mix at 0) from
// start to end leaves the audio untouched.
#include "dsp/fx/distortion.h"

namespace gb::dsp {
namespace {

// A drive ramping through 0 would make S(d x) / S(d) a 0/0: the curve is the
// identity there, which kMinDrive reproduces.
inline float SafeDrive(float drive) {
  return drive < Distortion::kMinDrive ? Distortion::kMinDrive : drive;
}

template <bool kDriveMoves>
void Shape(float drive, float drive_step, float mix, float mix_step, float* left,
           float* right, size_t frames) {
  float makeup = 1.f / SoftClip(SafeDrive(drive));
  for (size_t i = 0; i < frames; ++i) {
    if constexpr (kDriveMoves) {
      drive += drive_step;
      makeup = 1.f / SoftClip(SafeDrive(drive));
    }
    mix += mix_step;
    const float d = SafeDrive(drive);
    const float in_l = left[i];
    const float in_r = right[i];
    const float wet_l = SoftClip(d * in_l) * makeup;
    const float wet_r = SoftClip(d * in_r) * makeup;
    left[i] = in_l + mix * (wet_l - in_l);
    right[i] = in_r + mix * (wet_r - in_r);
  }
}

}  // namespace

bool Distortion::Prepare(float sample_rate_hz, size_t /*max_block_frames*/,
                         Arena& /*arena*/) {
  Reset();
  return sample_rate_hz > 0.f;
}

void Distortion::Reset() { fresh_ = true; }

void Distortion::Process(const DistortionParams& target, float* left, float* right,
                         size_t frames) {
  if (frames == 0) return;
  float drive_target = fx::ClampParam(target.drive, 0.f, kMaxDrive, 0.f);
  if (drive_target < kMinDrive) drive_target = 0.f;
  const float mix_target = fx::ClampParam(target.mix, 0.f, 1.f, 0.5f);
  const float drive_step = drive_.Begin(drive_target, frames, fresh_);
  const float mix_step = mix_.Begin(mix_target, frames, fresh_);
  fresh_ = false;
  const float drive = drive_.start();
  const float mix = mix_.start();
  const bool clean = (drive == 0.f && drive_target == 0.f) ||
                     (mix == 0.f && mix_target == 0.f);
  if (!clean) {
    if (drive_step != 0.f) {
      Shape<true>(drive, drive_step, mix, mix_step, left, right, frames);
    } else {
      Shape<false>(drive, 0.f, mix, mix_step, left, right, frames);
    }
  }
  drive_.End(drive_target);
  mix_.End(mix_target);
}

}  // namespace gb::dsp
