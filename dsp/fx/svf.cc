// Simper SVF coefficients and the ramped block loops (see svf.h for the
// response and the q convention). A block whose target equals the previous
// one runs with fixed coefficients; otherwise g and k move geometrically and
// the mode's output mix linearly across the block, and a1..a3 are recomputed
// per frame (one division per frame, shared by both channels), which keeps
// sweeps and mode changes free of clicks and zipper noise.
#include "dsp/fx/svf.h"

#include <cmath>
#include <numbers>

#include "dsp/fx/fx_common.h"

namespace gb::dsp {
namespace {

struct OutputMix {
  float m0, sign1, m2;  // m1 = sign1 * k
};

OutputMix MixFor(SvfMode mode) {
  switch (mode) {
    case SvfMode::kLowPass:
      return {0.f, 0.f, 1.f};
    case SvfMode::kHighPass:  // v0 - k v1 - v2
      return {1.f, -1.f, -1.f};
    case SvfMode::kBandPass:  // k v1: unity peak
      return {0.f, 1.f, 0.f};
    case SvfMode::kNotch:  // v0 - k v1
      return {1.f, -1.f, 0.f};
  }
  return {0.f, 0.f, 1.f};
}

// The per-frame coefficient ramp of one block, shared by the mono and stereo
// units.
template <size_t kChannels>
void ProcessRamped(const SvfCoefficients& from, const SvfCoefficients& to,
                   SvfState* states, float* const* channels, size_t frames) {
  const float inv_frames = 1.f / static_cast<float>(frames);
  // g and k move geometrically (a straight line in log-frequency and in
  // log-q), so a jump of several octaves spreads its change evenly over the
  // block instead of happening in its first few frames. Both are > 0.
  const float g_ratio = std::pow(to.g / from.g, inv_frames);
  const float k_ratio = std::pow(to.k / from.k, inv_frames);
  const float dm0 = (to.m0 - from.m0) * inv_frames;
  // m1 = sign * k: ramp the sign (the mode) and follow k.
  const float sign_from = from.m1 / from.k;
  const float dsign = (to.m1 / to.k - sign_from) * inv_frames;
  float sign = sign_from;
  const float dm2 = (to.m2 - from.m2) * inv_frames;
  SvfCoefficients c = from;
  for (size_t i = 0; i < frames; ++i) {
    c.g *= g_ratio;
    c.k *= k_ratio;
    c.m0 += dm0;
    sign += dsign;
    c.m1 = sign * c.k;
    c.m2 += dm2;
    c.a1 = 1.f / (1.f + c.g * (c.g + c.k));
    c.a2 = c.g * c.a1;
    c.a3 = c.g * c.a2;
    for (size_t ch = 0; ch < kChannels; ++ch) {
      channels[ch][i] = states[ch].Tick(c, channels[ch][i]);
    }
  }
  for (size_t ch = 0; ch < kChannels; ++ch) states[ch].Flush();
}

template <size_t kChannels>
void ProcessBlock(float sample_rate_hz, bool& fresh, SvfCoefficients& current,
                  SvfState* states, const SvfParams& target, float* const* channels,
                  size_t frames) {
  if (frames == 0) return;
  const SvfCoefficients next =
      SvfCoefficients::Make(target.mode, target.cutoff_hz, target.q, sample_rate_hz);
  const bool same = next.g == current.g && next.k == current.k &&
                    next.m0 == current.m0 && next.m1 == current.m1 &&
                    next.m2 == current.m2;
  if (fresh || same) {
    // Channels interleaved in one loop: each is a serial recurrence, so two
    // side by side overlap their latencies (8.4 instead of 14.8 ns per stereo
    // frame on an x86 EPYC core).
    SvfState s[kChannels];
    for (size_t ch = 0; ch < kChannels; ++ch) s[ch] = states[ch];
    for (size_t i = 0; i < frames; ++i) {
      for (size_t ch = 0; ch < kChannels; ++ch) {
        channels[ch][i] = s[ch].Tick(next, channels[ch][i]);
      }
    }
    for (size_t ch = 0; ch < kChannels; ++ch) {
      states[ch] = s[ch];
      states[ch].Flush();
    }
  } else {
    ProcessRamped<kChannels>(current, next, states, channels, frames);
  }
  current = next;
  fresh = false;
}

}  // namespace

SvfCoefficients SvfCoefficients::Make(SvfMode mode, float cutoff_hz, float q,
                                      float sample_rate_hz) {
  const float max_cutoff_hz = kSvfMaxCutoffRatio * sample_rate_hz;
  const float fc = fx::ClampParam(cutoff_hz, kSvfMinCutoffHz, max_cutoff_hz,
                              std::min(1000.f, max_cutoff_hz));
  const float qq = fx::ClampParam(q, kSvfMinQ, kSvfMaxQ, 1.f);
  SvfCoefficients c;
  // tan in double: near 0.49 * rate the argument is close to pi/2, where a
  // float rounding of it would move g by a few percent.
  c.g = static_cast<float>(
      std::tan(std::numbers::pi * static_cast<double>(fc) / static_cast<double>(sample_rate_hz)));
  c.k = 1.f / qq;
  c.a1 = 1.f / (1.f + c.g * (c.g + c.k));
  c.a2 = c.g * c.a1;
  c.a3 = c.g * c.a2;
  const OutputMix mix = MixFor(mode);
  c.m0 = mix.m0;
  c.m1 = mix.sign1 * c.k;
  c.m2 = mix.m2;
  return c;
}

void SvfState::Process(const SvfCoefficients& c, float* samples, size_t frames) {
  SvfState s = *this;  // state in registers for the loop
  for (size_t i = 0; i < frames; ++i) samples[i] = s.Tick(c, samples[i]);
  *this = s;
  Flush();
}

void SvfState::Flush() {
  // A NaN or inf (from a NaN input) would otherwise stick in the integrators.
  ic1 = fx::SanitizeFeedback(ic1);
  ic2 = fx::SanitizeFeedback(ic2);
}

bool SvfMono::Prepare(float sample_rate_hz, size_t /*max_block_frames*/, Arena& /*arena*/) {
  if (!(sample_rate_hz > 0.f)) return false;
  sample_rate_hz_ = sample_rate_hz;
  Reset();
  return true;
}

void SvfMono::Reset() {
  state_.Reset();
  fresh_ = true;
}

void SvfMono::ProcessMono(const SvfParams& target, float* samples, size_t frames) {
  float* channels[1] = {samples};
  ProcessBlock<1>(sample_rate_hz_, fresh_, current_, &state_, target, channels, frames);
}

bool Svf::Prepare(float sample_rate_hz, size_t /*max_block_frames*/, Arena& /*arena*/) {
  if (!(sample_rate_hz > 0.f)) return false;
  sample_rate_hz_ = sample_rate_hz;
  Reset();
  return true;
}

void Svf::Reset() {
  state_[0].Reset();
  state_[1].Reset();
  fresh_ = true;
}

void Svf::Process(const SvfParams& target, float* left, float* right, size_t frames) {
  float* channels[2] = {left, right};
  ProcessBlock<2>(sample_rate_hz_, fresh_, current_, state_, target, channels, frames);
}

}  // namespace gb::dsp
