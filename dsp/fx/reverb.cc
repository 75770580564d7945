// Freeverb (Jezar at Dreampoint, public domain), re-expressed as a
// Prepare/Reset/Process unit: tuning constants from its tuning.h, lengths
// scaled from 44.1 kHz to the actual rate, parameters ramped per block, and
// every value written into a line flushed (denormals) and sanitised (NaN), in
// place of Freeverb's per-sample "undenormalise" macro.
#include "dsp/fx/reverb.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dsp/kernels/freeverb.h"

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
// Frames per run (stack scratch): a run is also cut at the shortest line.
constexpr size_t kMaxRun = 128;

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
  min_length_ = UINT32_MAX;
  ForEachLength(sample_rate_hz, [&](uint32_t frames) { min_length_ = std::min(min_length_, frames); });
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
  // Per run: the ramped parameters and the mono feed, frame by frame as
  // before, then each line's work over the whole run.
  alignas(64) float fb_v[kMaxRun], damp_v[kMaxRun], lowpass_in_v[kMaxRun], mix_v[kMaxRun], input_v[kMaxRun],
      acc[kMaxRun];
  float* const io[2] = {left, right};
  for (size_t done = 0; done < frames;) {
    const size_t n = std::min({frames - done, kMaxRun, size_t{min_length_}});
    for (size_t i = 0; i < n; ++i) {
      fb += fb_step;
      damp += damp_step;
      mix += mix_step;
      fb_v[i] = fb;
      damp_v[i] = damp;
      lowpass_in_v[i] = 1.f - damp;
      mix_v[i] = mix;
      // Mono feed into both banks; sanitised once here, so a NaN input
      // sample cannot reach any line.
      input_v[i] = fx::SanitizeFeedback((left[done + i] + right[done + i]) * kFixedGain);
    }
    for (int ch = 0; ch < 2; ++ch) {
      Channel& c = channel_[ch];
      // Combs: sub-runs that end where the next comb wraps.
      for (size_t i = 0; i < n;) {
        size_t m = n - i;
        for (const Line& comb : c.comb) m = std::min<size_t>(m, comb.length - comb.index);
        float* lines[kCombs];
        for (int k = 0; k < kCombs; ++k) lines[k] = c.comb[k].buffer + c.comb[k].index;
        FreeverbCombs(lines, c.comb_lowpass, input_v + i, lowpass_in_v + i, damp_v + i, fb_v + i, acc + i, m);
        for (Line& comb : c.comb)
          if ((comb.index += static_cast<uint32_t>(m)) == comb.length) comb.index = 0;
        i += m;
      }
      for (Line& ap : c.allpass) {
        for (size_t i = 0; i < n;) {
          const size_t m = std::min<size_t>(n - i, ap.length - ap.index);
          FreeverbAllpass(ap.buffer + ap.index, acc + i, m);
          if ((ap.index += static_cast<uint32_t>(m)) == ap.length) ap.index = 0;
          i += m;
        }
      }
      float* const out = io[ch] + done;
      for (size_t i = 0; i < n; ++i) {
        const float dry = out[i];
        out[i] = dry + mix_v[i] * (kWetGain * acc[i] - dry);
      }
    }
    done += n;
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
