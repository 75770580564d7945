// Stereo chorus (see chorus.h): an LFO-swept Hermite read from two short
// arena-backed lines.
#include "dsp/fx/chorus.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace gb::dsp {
namespace {

uint32_t LineFrames(float sample_rate_hz) {
  const double max_frames =
      std::ceil(static_cast<double>(Chorus::kCentreS + Chorus::kSweepS) *
                static_cast<double>(sample_rate_hz));
  return fx::NextPowerOfTwo(static_cast<uint32_t>(max_frames) + 4u);
}

}  // namespace

float FastSinTurns(float phase) {
  // Triangle that is 0 at phase 0, +1 at 0.25 and -1 at 0.75, linear in
  // between, so that sin(pi/2 * tri) == sin(2 pi phase) exactly; then sin(pi/2 x) by its
  // Taylor series to x^7 (error 1.6e-4 at |x| = 1).
  const float q = phase + 0.25f;
  // floor(q) by truncation and a fix-up for negatives: std::floor is a libm
  // call on baseline x86-64 (no SSE4.1), and this runs every frame.
  float whole = static_cast<float>(static_cast<int32_t>(q));
  if (whole > q) whole -= 1.f;
  const float tri = 1.f - 4.f * std::fabs(q - whole - 0.5f);
  const float x2 = tri * tri;
  return tri * (1.5707963f +
                x2 * (-0.6459641f + x2 * (0.0796926f + x2 * -0.0046818f)));
}

size_t Chorus::ArenaBytes(float sample_rate_hz, size_t /*max_block_frames*/) {
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return 0;
  return 2 * (size_t{LineFrames(sample_rate_hz)} * sizeof(float) + Arena::kAlignment);
}

bool Chorus::Prepare(float sample_rate_hz, size_t /*max_block_frames*/, Arena& arena) {
  line_[0] = line_[1] = nullptr;
  mask_ = 0;
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return false;
  sample_rate_hz_ = sample_rate_hz;
  const uint32_t frames = LineFrames(sample_rate_hz);
  float* l = static_cast<float*>(arena.Allocate(frames * sizeof(float), Arena::kAlignment));
  float* r = static_cast<float*>(arena.Allocate(frames * sizeof(float), Arena::kAlignment));
  if (l == nullptr || r == nullptr) return false;
  line_[0] = l;
  line_[1] = r;
  mask_ = frames - 1;
  Reset();
  return true;
}

void Chorus::Reset() {
  if (line_[0] != nullptr) {
    std::memset(line_[0], 0, (size_t{mask_} + 1) * sizeof(float));
    std::memset(line_[1], 0, (size_t{mask_} + 1) * sizeof(float));
  }
  write_ = 0;
  phase_ = 0.f;
  fresh_ = true;
}

void Chorus::Process(const ChorusParams& target, float* left, float* right, size_t frames) {
  if (line_[0] == nullptr || frames == 0) return;  // unprepared: pass through

  const float rate_target = fx::ClampParam(target.rate_hz, 0.f, kMaxRateHz, 0.5f);
  const float depth_target = fx::ClampParam(target.depth, 0.f, 1.f, 0.5f);
  const float mix_target = fx::ClampParam(target.mix, 0.f, 1.f, 0.3f);
  const float rate_step = rate_.Begin(rate_target, frames, fresh_);
  const float depth_step = depth_.Begin(depth_target, frames, fresh_);
  const float mix_step = mix_.Begin(mix_target, frames, fresh_);
  fresh_ = false;

  const float inv_rate = 1.f / sample_rate_hz_;
  const float centre_frames = kCentreS * sample_rate_hz_;
  const float sweep_frames = kSweepS * sample_rate_hz_;
  float* const line_l = line_[0];
  float* const line_r = line_[1];
  const uint32_t mask = mask_;
  uint32_t w = write_;
  float phase = phase_;
  float rate = rate_.start();
  float depth = depth_.start();
  float mix = mix_.start();
  for (size_t i = 0; i < frames; ++i) {
    rate += rate_step;
    depth += depth_step;
    mix += mix_step;
    phase += rate * inv_rate;
    if (phase >= 1.f) phase -= 1.f;
    const float swing = depth * sweep_frames * FastSinTurns(phase);
    // >= 2 frames (the Hermite read's newer tap) even at absurdly low rates.
    const double d_l = static_cast<double>(std::max(centre_frames + swing, 2.f));
    const double d_r = static_cast<double>(std::max(centre_frames - swing, 2.f));
    const float in_l = left[i];
    const float in_r = right[i];
    const float wet_l = fx::ReadDelayHermite(line_l, mask, w, d_l);
    const float wet_r = fx::ReadDelayHermite(line_r, mask, w, d_r);
    line_l[w] = fx::SanitizeFeedback(in_l);
    line_r[w] = fx::SanitizeFeedback(in_r);
    left[i] = in_l + mix * (wet_l - in_l);
    right[i] = in_r + mix * (wet_r - in_r);
    w = (w + 1u) & mask;
  }
  write_ = w;
  phase_ = phase;
  rate_.End(rate_target);
  depth_.End(depth_target);
  mix_.End(mix_target);
}

}  // namespace gb::dsp
