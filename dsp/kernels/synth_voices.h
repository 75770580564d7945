// Synth-voice kernels (workload W2): band-limited sawtooth through
// SuperCollider's RLPF, gain and equal-power pan, summed into a stereo block.
// SIMD across voices. Audio thread and DSP workers only: no allocation, locks
// or syscalls.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "dsp/kernels/voice_layout.h"

namespace gb::dsp {

// Voice state, structure of arrays; each array holds PaddedVoiceCount(n)
// entries and kernels touch only [0, voice_count).
//
// Oscillator: the phase is an unsigned Q0.32 turn (stored in int32 bits), so
// it wraps for free and its frequency never drifts (resolution
// 2^-32 cycles/sample, 1.1e-5 Hz at 48 kHz). The saw is PolyBLEP: the naive
// ramp 2t-1 minus a two-sample polynomial residual around each wrap. Chosen
// over a BLIT (SuperCollider's Saw) or minBLEP because it is branch-free with
// masks, needs no table or per-sample division (1/dt is per voice), and keeps
// aliasing well under the partials up to a few kHz, which is what W2 plays.
struct SynthVoices {
  int32_t* phase_q32 = nullptr;      // phase, turns * 2^32 (wrapping)
  int32_t* phase_inc_q32 = nullptr;  // frequency, cycles/sample * 2^32
  float* inv_dt = nullptr;           // 1 / (cycles per sample), finite
  // RLPF (SuperCollider form): w = a0 x + b1 w1 - c w2; y = w + 2 w1 + w2.
  // Float state and coefficients (SuperCollider keeps doubles): a rounding
  // error is amplified by the noise gain 1 / (1 - b1 + c) = 1 / (4 a0), so
  // the output is within ~3e-5 (relative) of a double filter at a 260 Hz
  // cutoff, ~2e-4 at 30 Hz. The W2 cutoffs are 260 Hz .. 12 kHz.
  float* a0 = nullptr;
  float* b1 = nullptr;
  float* c = nullptr;
  float* w1 = nullptr;  // filter state, one and two samples back
  float* w2 = nullptr;
  float* gain_l = nullptr;  // gain * cos((pan + 1) * pi / 4)
  float* gain_r = nullptr;  // gain * sin((pan + 1) * pi / 4)

  SynthVoices Slice(size_t first) const {
    return {phase_q32 + first, phase_inc_q32 + first, inv_dt + first,
            a0 + first,        b1 + first,            c + first,
            w1 + first,        w2 + first,            gain_l + first,
            gain_r + first};
  }
};

// ADD `frames` frames of voices [0, voice_count) into out_l/out_r (any
// alignment) and advance their state. Like SuperCollider's zapgremlins, filter
// state below 1e-15 or above 1e15 in magnitude is zeroed after every
// kKernelPassFrames frames and at the end of the call, so a silent filter
// never decays into denormals.
void RenderSynthVoices(const SynthVoices& voices, size_t voice_count,
                       size_t frames, float* out_l, float* out_r);
void RenderSynthVoicesScalar(const SynthVoices& voices, size_t voice_count,
                             size_t frames, float* out_l, float* out_r);

// The saw at phase t in [0, 1) with peak 0.5 (SuperCollider's Saw.ar level),
// PolyBLEP written without branches: `lo` is the residual's ramp just after
// the wrap (t < dt), `hi` just before it (t > 1 - dt); outside those spans
// both clamp to 0. Textbook form: r = 2x - x^2 - 1 for x = t/dt, and
// r = x^2 + 2x + 1 for x = (t-1)/dt, i.e. r = hi^2 - lo^2. Needs dt <= 0.5.
inline float PolyBlepSaw(float t, float inv_dt) {
  const float lo = std::max(0.f, 1.f - t * inv_dt);
  const float hi = std::max(0.f, (t - 1.f) * inv_dt + 1.f);
  return 0.5f * (2.f * t - 1.f - (hi * hi - lo * lo));
}

// Q0.32 phase to t in [0, 1), exactly (top 24 bits).
inline float PhaseToUnit(int32_t phase_q32) {
  return static_cast<float>(static_cast<uint32_t>(phase_q32) >> 8) *
         (1.f / 16777216.f);
}

// SuperCollider's zapgremlins.
inline float ZapGremlins(float x) {
  const float a = x < 0.f ? -x : x;
  return (a > 1e-15f && a < 1e15f) ? x : 0.f;
}

}  // namespace gb::dsp
