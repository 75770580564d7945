// Freeverb's inner loops as block kernels: the bank of 8 parallel feedback
// combs (one-pole low-pass in each loop) and one Schroeder allpass, over a run
// of frames in which no line wraps. Every Freeverb line is longer than the run
// (dsp::Reverb cuts its blocks at the shortest line and at each wrap), so the
// samples read in a run were all written before it: a run reads and rewrites
// contiguous memory, and only the combs' low-pass state recurs frame to frame.
// The SIMD kernel (freeverb.cc) puts the combs in lanes (4-frame x 4-comb
// transposes) and keeps the 8 low-pass recursions in two vectors; the scalar
// twin (freeverb_scalar.cc) is Freeverb's per-frame loop, the tests' oracle.
// Plain C++ API (no Highway types). Audio thread only: no allocation, no locks.
#pragma once

#include <cstddef>

namespace gb::dsp {

inline constexpr int kFreeverbCombs = 8;

// For each frame i < n, in comb order k = 0..7:
//   out = line[k][i]
//   lowpass[k] = out * lowpass_in[i] + lowpass[k] * damp[i]
//   line[k][i] = FlushTiny(input[i] + lowpass[k] * feedback[i])
// and acc[i] = out_0 + out_1 + ... + out_7 (summed in that order). The 8
// lines must not overlap each other or the other arrays. Any alignment.
void FreeverbCombs(float* const* line, float* lowpass, const float* input, const float* lowpass_in,
                   const float* damp, const float* feedback, float* acc, size_t n);
void FreeverbCombsScalar(float* const* line, float* lowpass, const float* input, const float* lowpass_in,
                         const float* damp, const float* feedback, float* acc, size_t n);

// One allpass (feedback 0.5) over frames i < n, in place on acc:
//   d = line[i]; line[i] = FlushTiny(acc[i] + d * 0.5); acc[i] = d - acc[i].
void FreeverbAllpass(float* line, float* acc, size_t n);
void FreeverbAllpassScalar(float* line, float* acc, size_t n);

}  // namespace gb::dsp
