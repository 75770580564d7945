// Stereo feedback delay: arena-backed power-of-two lines, Hermite read,
// slew-limited delay time (see delay.h for the signal flow and the glide).
#include "dsp/fx/delay.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace gb::dsp {
namespace {

uint32_t LineFrames(float sample_rate_hz, float max_time_s) {
  // + 4: the Hermite read's two outer taps and one frame of slack.
  const double frames = std::ceil(static_cast<double>(max_time_s) *
                                  static_cast<double>(sample_rate_hz)) + 4.0;
  return fx::NextPowerOfTwo(static_cast<uint32_t>(frames));
}

float MaxTime(float max_time_s) {
  return std::isfinite(max_time_s) ? std::clamp(max_time_s, 0.01f, Delay::kMaxTimeS) : Delay::kMaxTimeS;
}

}  // namespace

size_t Delay::ArenaBytes(float sample_rate_hz, size_t /*max_block_frames*/, float max_time_s) {
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return 0;
  return 2 * (size_t{LineFrames(sample_rate_hz, MaxTime(max_time_s))} * sizeof(float) + Arena::kAlignment);
}

bool Delay::Prepare(float sample_rate_hz, size_t /*max_block_frames*/, Arena& arena, float max_time_s) {
  max_time_s = MaxTime(max_time_s);
  line_[0] = line_[1] = nullptr;
  mask_ = 0;
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return false;
  sample_rate_hz_ = sample_rate_hz;
  const uint32_t frames = LineFrames(sample_rate_hz, max_time_s);
  float* l = static_cast<float*>(arena.Allocate(frames * sizeof(float), Arena::kAlignment));
  float* r = static_cast<float*>(arena.Allocate(frames * sizeof(float), Arena::kAlignment));
  if (l == nullptr || r == nullptr) return false;
  line_[0] = l;
  line_[1] = r;
  mask_ = frames - 1;
  max_delay_frames_ = static_cast<double>(max_time_s) * static_cast<double>(sample_rate_hz);
  Reset();
  return true;
}

void Delay::Reset() {
  if (line_[0] != nullptr) {
    std::memset(line_[0], 0, (size_t{mask_} + 1) * sizeof(float));
    std::memset(line_[1], 0, (size_t{mask_} + 1) * sizeof(float));
  }
  write_ = 0;
  fresh_ = true;
}

void Delay::Process(const DelayParams& target, float* left, float* right, size_t frames) {
  if (line_[0] == nullptr || frames == 0) return;  // unprepared: pass through

  const double time_s = fx::ClampParam(target.time_s, 0.f, kMaxTimeS, 0.25f);
  double target_frames = std::clamp(time_s * static_cast<double>(sample_rate_hz_),
                                    kMinDelayFrames, max_delay_frames_);
  // A float time_s cannot say 0.1 s exactly (0.1f * 48000 = 4800.00007):
  // snap to the whole frame it meant, so echoes of simple times stay single
  // frames instead of being smeared by the interpolator.
  const double whole = std::round(target_frames);
  if (std::fabs(target_frames - whole) < kSnapFrames) target_frames = whole;
  if (fresh_) delay_frames_ = target_frames;
  const double max_move = kMaxGlide * static_cast<double>(frames);
  const double end_frames =
      delay_frames_ + std::clamp(target_frames - delay_frames_, -max_move, max_move);
  const double delay_step = (end_frames - delay_frames_) / static_cast<double>(frames);

  const float fb_target = fx::ClampParam(target.feedback, 0.f, kMaxFeedback, 0.5f);
  const float mix_target = fx::ClampParam(target.mix, 0.f, 1.f, 0.5f);
  const float fb_step = feedback_.Begin(fb_target, frames, fresh_);
  const float mix_step = mix_.Begin(mix_target, frames, fresh_);
  fresh_ = false;

  float* const line_l = line_[0];
  float* const line_r = line_[1];
  const uint32_t mask = mask_;
  uint32_t w = write_;
  double d = delay_frames_;
  float fb = feedback_.start();
  float mix = mix_.start();
  for (size_t i = 0; i < frames; ++i) {
    d += delay_step;
    fb += fb_step;
    mix += mix_step;
    const float wet_l = fx::ReadDelayHermite(line_l, mask, w, d);
    const float wet_r = fx::ReadDelayHermite(line_r, mask, w, d);
    const float in_l = left[i];
    const float in_r = right[i];
    line_l[w] = fx::SanitizeFeedback(in_l + fb * wet_l);
    line_r[w] = fx::SanitizeFeedback(in_r + fb * wet_r);
    left[i] = in_l + mix * (wet_l - in_l);
    right[i] = in_r + mix * (wet_r - in_r);
    w = (w + 1u) & mask;
  }
  write_ = w;
  delay_frames_ = end_frames;
  feedback_.End(fb_target);
  mix_.End(mix_target);
}

}  // namespace gb::dsp
