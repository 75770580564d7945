// Freeverb (Jezar at Dreampoint, public domain), re-expressed as a
// Prepare/Reset/Process unit: tuning constants from its tuning.h, lengths
// scaled from 44.1 kHz to the actual rate, parameters ramped per block, and
// every value written into a line flushed (denormals) and sanitised (NaN), in
// place of Freeverb's per-sample "undenormalise" macro.
#include "dsp/fx/reverb.h"

#include <cmath>
#include <cstring>

namespace gb::dsp {
namespace {

// Freeverb's tuning, in frames at 44.1 kHz.
constexpr uint32_t kCombTuning[Reverb::kCombs] = {1116, 1188, 1277, 1356,
                                                  1422, 1491, 1557, 1617};
constexpr uint32_t kAllpassTuning[Reverb::kAllpasses] = {556, 441, 341, 225};
constexpr uint32_t kStereoSpread = 23;
constexpr float kFixedGain = 0.015f;  // input gain into the comb bank
constexpr float kScaleRoom = 0.28f;
constexpr float kOffsetRoom = 0.7f;
constexpr float kScaleDamp = 0.4f;
constexpr float kAllpassFeedback = 0.5f;
// Freeverb's wet gain at wet = 1 (initialwet 1/3 times scalewet 3 is the
// default; 3 is its maximum). Chosen so that noise through room 0.5 comes out
// at roughly the level it went in (see reverb_test).
constexpr float kWetGain = 3.f;

uint32_t ScaledLength(uint32_t tuning, float sample_rate_hz) {
  const double frames = std::round(static_cast<double>(tuning) *
                                   static_cast<double>(sample_rate_hz) / 44100.0);
  return frames < 1.0 ? 1u : static_cast<uint32_t>(frames);
}

template <typename F>
void ForEachLength(float sample_rate_hz, F&& f) {
  for (int ch = 0; ch < 2; ++ch) {
    const uint32_t spread = ch == 0 ? 0u : kStereoSpread;
    for (uint32_t t : kCombTuning) f(ScaledLength(t + spread, sample_rate_hz));
    for (uint32_t t : kAllpassTuning) f(ScaledLength(t + spread, sample_rate_hz));
  }
}

}  // namespace

size_t Reverb::ArenaBytes(float sample_rate_hz, size_t /*max_block_frames*/) {
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return 0;
  size_t bytes = 0;
  ForEachLength(sample_rate_hz, [&](uint32_t frames) {
    bytes += size_t{frames} * sizeof(float) + 16;  // AllocateArray's alignment
  });
  return bytes;
}

bool Reverb::Prepare(float sample_rate_hz, size_t /*max_block_frames*/, Arena& arena) {
  prepared_ = false;
  if (!(sample_rate_hz > 0.f) || sample_rate_hz > 1e6f) return false;
  for (int ch = 0; ch < 2; ++ch) {
    const uint32_t spread = ch == 0 ? 0u : kStereoSpread;
    Channel& c = channel_[ch];
    for (int i = 0; i < kCombs; ++i) {
      c.comb[i].length = ScaledLength(kCombTuning[i] + spread, sample_rate_hz);
      c.comb[i].buffer = arena.AllocateArray<float>(c.comb[i].length);
      if (c.comb[i].buffer == nullptr) return false;
    }
    for (int i = 0; i < kAllpasses; ++i) {
      c.allpass[i].length = ScaledLength(kAllpassTuning[i] + spread, sample_rate_hz);
      c.allpass[i].buffer = arena.AllocateArray<float>(c.allpass[i].length);
      if (c.allpass[i].buffer == nullptr) return false;
    }
  }
  prepared_ = true;
  Reset();
  return true;
}

void Reverb::Reset() {
  if (!prepared_) return;
  for (Channel& c : channel_) {
    for (int i = 0; i < kCombs; ++i) {
      std::memset(c.comb[i].buffer, 0, c.comb[i].length * sizeof(float));
      c.comb[i].index = 0;
      c.comb_lowpass[i] = 0.f;
    }
    for (Line& a : c.allpass) {
      std::memset(a.buffer, 0, a.length * sizeof(float));
      a.index = 0;
    }
  }
  fresh_ = true;
}

void Reverb::Process(const ReverbParams& target, float* left, float* right, size_t frames) {
  if (!prepared_ || frames == 0) return;  // unprepared: pass through

  const float room = fx::ClampParam(target.room, 0.f, 1.f, 0.5f);
  const float damping = fx::ClampParam(target.damping, 0.f, 1.f, 0.5f);
  const float fb_target = kOffsetRoom + kScaleRoom * room;
  const float damp_target = kScaleDamp * damping;
  const float mix_target = fx::ClampParam(target.mix, 0.f, 1.f, 0.3f);
  const float fb_step = feedback_.Begin(fb_target, frames, fresh_);
  const float damp_step = damp_.Begin(damp_target, frames, fresh_);
  const float mix_step = mix_.Begin(mix_target, frames, fresh_);
  fresh_ = false;

  float fb = feedback_.start();
  float damp = damp_.start();
  float mix = mix_.start();
  float* const io[2] = {left, right};
  for (size_t i = 0; i < frames; ++i) {
    fb += fb_step;
    damp += damp_step;
    mix += mix_step;
    const float in_l = left[i];
    const float in_r = right[i];
    // Mono feed into both banks; sanitised once here, so a NaN input sample
    // cannot reach any line.
    const float input = fx::SanitizeFeedback((in_l + in_r) * kFixedGain);
    const float lowpass_in = 1.f - damp;
    for (int ch = 0; ch < 2; ++ch) {
      Channel& c = channel_[ch];
      float acc = 0.f;
      for (int k = 0; k < kCombs; ++k) {
        Line& comb = c.comb[k];
        const float out = comb.buffer[comb.index];
        c.comb_lowpass[k] = out * lowpass_in + c.comb_lowpass[k] * damp;
        comb.buffer[comb.index] = fx::FlushTiny(input + c.comb_lowpass[k] * fb);
        if (++comb.index == comb.length) comb.index = 0;
        acc += out;
      }
      for (Line& ap : c.allpass) {
        const float delayed = ap.buffer[ap.index];
        ap.buffer[ap.index] = fx::FlushTiny(acc + delayed * kAllpassFeedback);
        acc = delayed - acc;
        if (++ap.index == ap.length) ap.index = 0;
      }
      const float dry = io[ch][i];
      io[ch][i] = dry + mix * (kWetGain * acc - dry);
    }
  }
  // The in-loop low-passes decay geometrically on silence: keep them out of
  // the denormal range (their outputs only reach the lines through FlushTiny).
  for (Channel& c : channel_) {
    for (float& s : c.comb_lowpass) s = fx::FlushTiny(s);
  }
  feedback_.End(fb_target);
  damp_.End(damp_target);
  mix_.End(mix_target);
}

}  // namespace gb::dsp
