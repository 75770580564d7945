// Shared layout rules for the voice kernels: voice state is structure-of-arrays
// and a SIMD vector holds one field of several voices (lane = voice). Plain C++
// only (no Highway types), so firmware and tests can include it.
#pragma once

#include <cstddef>

namespace gb::dsp {

// Float lanes of the widest vector any compiled target uses (AVX-512: 16).
// Voice arrays are padded to a multiple of this, so a kernel may load and
// store whole vectors without reading past the end.
inline constexpr size_t kMaxVoiceLanes = 16;

// The voices one kernel call (and one worker-pool job chunk) renders. Fixed,
// independent of the thread count, so the fixed-order sum of chunk outputs is
// the same whether 1 or 16 threads render. 64 voices are 8 AVX2 vectors: the
// per-frame reduction of the lanes into stereo is amortised over all 8.
inline constexpr size_t kVoicesPerChunk = 64;
static_assert(kVoicesPerChunk % kMaxVoiceLanes == 0);

// Frames a kernel renders per pass over its voices (longer calls take several
// passes). Kernels keep a lane-wise accumulator of this many frames on the
// stack (8 KiB at 16 lanes, in L1 while every voice vector adds into it), and
// the synth kernel zaps its filter state once per pass.
inline constexpr size_t kKernelPassFrames = 64;

// Entries a voice array needs to hold `voice_count` voices.
constexpr size_t PaddedVoiceCount(size_t voice_count) {
  return (voice_count + kMaxVoiceLanes - 1) / kMaxVoiceLanes * kMaxVoiceLanes;
}

}  // namespace gb::dsp
