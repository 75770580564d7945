// State-variable filters (lpf, hpf, bpf, notch): Andrew Simper's (Cytomic)
// trapezoidal-integration SVF, "SvfLinearTrapOptimised2". Chosen because it is
// stable for every cutoff below Nyquist and any positive damping, and stays
// well-behaved when its coefficients move every sample (so cutoff sweeps need
// no crossfade). Two forms share the coefficient math:
//   - SvfCoefficients + SvfState: a per-voice mono filter whose cutoff is fixed
//     at the voice's onset (as SuperDirt does); 8 floats of coefficients and 2
//     of state, no allocation, usable from voice code.
//   - Svf (stereo) and SvfMono: Prepare/Reset/Process units whose cutoff and
//     q are block-rate targets ramped across each block.
// Audio thread: no allocation, locks or syscalls in any Process/Tick.
//
// Parameters. cutoff_hz is clamped to [kSvfMinCutoffHz, 0.49 * sample rate].
// q is the analog prototype's quality factor, clamped to [kSvfMinQ, kSvfMaxQ]:
// the damping is k = 1 / q, and the response is exactly the bilinear
// transform (cutoff prewarped) of
//   low-pass  1 / (s^2 + k s + 1)      gain at cutoff = q   (20 log10 q dB)
//   high-pass s^2 / (s^2 + k s + 1)    gain at cutoff = q
//   band-pass k s / (s^2 + k s + 1)    peak gain 1 (0 dB) at cutoff
//   notch     (s^2 + 1) / (s^2 + k s + 1)  zero at cutoff
// so q = 0.7071 is Butterworth (-3 dB at cutoff), the default q = 1 gives
// 0 dB at cutoff with a 1.25 dB bump just below it, and q = 10 a +20 dB peak.
#pragma once

#include <cmath>
#include <cstddef>

#include "dsp/arena.h"
#include "dsp/fx/fx_common.h"

namespace gb::dsp {

enum class SvfMode { kLowPass, kHighPass, kBandPass, kNotch };

inline constexpr float kSvfMinCutoffHz = 5.f;
inline constexpr float kSvfMaxCutoffRatio = 0.49f;  // of the sample rate
inline constexpr float kSvfMinQ = 0.1f;
inline constexpr float kSvfMaxQ = 100.f;

struct SvfParams {
  SvfMode mode = SvfMode::kLowPass;
  float cutoff_hz = 1000.f;
  float q = 1.f;
};

// Coefficients for one cutoff/q/mode. The output is a mix of the three SVF
// signals: y = m0 * input + m1 * band + m2 * low, which covers all modes
// without a branch per sample.
struct SvfCoefficients {
  float g = 0.f;   // tan(pi * cutoff / sample rate)
  float k = 1.f;   // damping, 1 / q
  float a1 = 1.f;  // 1 / (1 + g (g + k))
  float a2 = 0.f;  // g * a1
  float a3 = 0.f;  // g * a2
  float m0 = 0.f;
  float m1 = 0.f;
  float m2 = 1.f;

  // Clamps as described at the top of this file; NaN arguments take the
  // defaults (1 kHz, q 1). sample_rate_hz must be > 0.
  static SvfCoefficients Make(SvfMode mode, float cutoff_hz, float q,
                              float sample_rate_hz);
};

// Per-voice mono filter state. Two floats; zero-initialised is a cleared
// filter.
struct SvfState {
  float ic1 = 0.f;  // integrator states (trapezoidal "ic1eq", "ic2eq")
  float ic2 = 0.f;

  // One frame. When both integrators are below 1e-15 (-300 dB) they are set
  // to 0 together, every frame: a filter tuned near a quarter of the rate
  // with low q is almost nilpotent and would otherwise fall through the
  // denormal range within a few frames of silence (a per-block flush comes
  // too late there). Flushing each state on its own would be wrong: at low
  // cutoffs the band state is ~g times the low state, and zeroing it alone
  // stalls the low state's decay. Costs ~20 % of the tick.
  float Tick(const SvfCoefficients& c, float v0) {
    const float v3 = v0 - ic2;
    const float v1 = c.a1 * ic1 + c.a2 * v3;  // band
    const float v2 = ic2 + c.a2 * ic1 + c.a3 * v3;  // low
    const float s1 = 2.f * v1 - ic1;
    const float s2 = 2.f * v2 - ic2;
    const bool silent = std::fabs(s1) + std::fabs(s2) < fx::kFlushBelow;
    ic1 = silent ? 0.f : s1;
    ic2 = silent ? 0.f : s2;
    return c.m0 * v0 + c.m1 * v1 + c.m2 * v2;
  }

  // Filters `frames` samples in place (Tick on each), then sanitises the
  // state, so a NaN input cannot stay in it past the block.
  void Process(const SvfCoefficients& c, float* samples, size_t frames);
  // NaN -> 0, +-inf clamped (see fx_common.h's SanitizeFeedback).
  void Flush();
  void Reset() { ic1 = ic2 = 0.f; }
};

// Mono unit with ramped parameters (the per-voice struct above is cheaper when
// the cutoff is fixed).
class SvfMono {
 public:
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void ProcessMono(const SvfParams& target, float* samples, size_t frames);

 private:
  float sample_rate_hz_ = 48000.f;
  bool fresh_ = true;  // next block starts at its target
  SvfCoefficients current_;
  SvfState state_;
};

// Stereo unit: one set of (ramped) coefficients, two states.
class Svf {
 public:
  // Needs no memory; true unless the sample rate is not positive.
  bool Prepare(float sample_rate_hz, size_t max_block_frames, Arena& arena);
  void Reset();
  void Process(const SvfParams& target, float* left, float* right, size_t frames);

 private:
  float sample_rate_hz_ = 48000.f;
  bool fresh_ = true;
  SvfCoefficients current_;
  SvfState state_[2];
};

}  // namespace gb::dsp
