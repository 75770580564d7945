// Sample-voice kernels (workload W1): looping playback of one mono sample by a
// group of voices, each with its own rate, linear attack/hold/release envelope,
// gain and equal-power pan, summed into a stereo block. SIMD across voices.
// Audio thread and DSP workers only: no allocation, no locks, no syscalls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/kernels/voice_layout.h"

namespace gb::dsp {

// A mono sample prepared for looping over [0, loop_frames): `data` points at
// frame 0 of a copy framed by guard frames (data[-1] = last frame,
// data[loop_frames + k] = frame k % loop_frames), so the four taps of the cubic
// interpolator (and a 16-byte load of them) are always readable without a
// per-tap wrap test.
struct LoopedSample {
  const float* data = nullptr;
  int32_t loop_frames = 0;  // >= 1
};

inline constexpr size_t kLoopGuardFramesBefore = 1;
inline constexpr size_t kLoopGuardFramesAfter = 3;

// Floats `storage` must hold for MakeLoopedSample.
constexpr size_t LoopedSampleStorageFloats(size_t frames) {
  return kLoopGuardFramesBefore + frames + kLoopGuardFramesAfter;
}

// Copies `frames` (>= 1, < 2^30) frames of `mono` into `storage` with guards.
LoopedSample MakeLoopedSample(const float* mono, size_t frames, float* storage);

// Voice state, structure of arrays. Each array holds PaddedVoiceCount(n)
// entries; kernels only read and write entries [0, voice_count).
//
// Read position: an integer frame plus a Q0.31 fixed-point fraction, and the
// rate in the same split form. The position stays exact however long the voice
// plays (a float position of a 96 000-frame loop keeps only 7 fraction bits;
// a double would halve the SIMD width), and carrying the fraction is integer
// arithmetic. The rate is quantised to 2^-31 frames per sample. It is stored
// reduced modulo the loop length (see StartSampleVoice), which plays the same
// positions and keeps the wrap a single conditional subtraction.
struct SampleVoices {
  int32_t* frame = nullptr;          // integer read frame, [0, loop_frames)
  int32_t* frac_q31 = nullptr;       // fractional read frame, [0, 2^31)
  int32_t* step_frames = nullptr;    // integer part of the rate, [0, loop)
  int32_t* step_frac_q31 = nullptr;  // fractional part of the rate
  // Envelope: level = clamp(min(age * attack_slope,
  //                             (end - age) * release_slope), 0, 1),
  // evaluated every frame. The slopes are 1/frames rounded up so the ramps
  // reach exactly 1 at `attack` frames and exactly 0 at `end_frames`.
  int32_t* age_frames = nullptr;     // frames rendered; saturates at end
  int32_t* end_frames = nullptr;     // where the release reaches 0
  float* attack_slope = nullptr;     // per frame
  float* release_slope = nullptr;    // per frame
  float* gain_l = nullptr;           // gain * cos((pan + 1) * pi / 4)
  float* gain_r = nullptr;           // gain * sin((pan + 1) * pi / 4)

  // The voices from `first` on (keep `first` a multiple of kMaxVoiceLanes
  // for aligned vectors).
  SampleVoices Slice(size_t first) const {
    return {frame + first,      frac_q31 + first,   step_frames + first,
            step_frac_q31 + first, age_frames + first, end_frames + first,
            attack_slope + first, release_slope + first, gain_l + first,
            gain_r + first};
  }
};

// All kernels below ADD `frames` frames of voices [0, voice_count) into
// out_l/out_r (any alignment) and advance the voices' state by `frames`.

// 4-point cubic Hermite (x-form), as SuperCollider's PlayBuf cubicinterp:
// taps at frames i-1, i, i+1, i+2 around position i + x.
void RenderSampleVoicesCubic(const LoopedSample& sample,
                             const SampleVoices& voices, size_t voice_count,
                             size_t frames, float* out_l, float* out_r);
void RenderSampleVoicesLinear(const LoopedSample& sample,
                              const SampleVoices& voices, size_t voice_count,
                              size_t frames, float* out_l, float* out_r);

// The same kernels fetching every tap with Highway GatherIndex instead of one
// 16-byte load per voice and a transpose. Bit-identical output; kept for
// CPUs with fast gathers and for the benchmarks' comparison (on Zen 3 the
// gathers make them ~1.6x slower).
void RenderSampleVoicesCubicGather(const LoopedSample& sample,
                                   const SampleVoices& voices,
                                   size_t voice_count, size_t frames,
                                   float* out_l, float* out_r);
void RenderSampleVoicesLinearGather(const LoopedSample& sample,
                                    const SampleVoices& voices,
                                    size_t voice_count, size_t frames,
                                    float* out_l, float* out_r);

// Scalar twins: the obvious per-voice, per-frame loops; the tests' oracle.
void RenderSampleVoicesCubicScalar(const LoopedSample& sample,
                                   const SampleVoices& voices,
                                   size_t voice_count, size_t frames,
                                   float* out_l, float* out_r);
void RenderSampleVoicesLinearScalar(const LoopedSample& sample,
                                    const SampleVoices& voices,
                                    size_t voice_count, size_t frames,
                                    float* out_l, float* out_r);

// SuperCollider's cubicinterp, shared by the twin and the tests.
inline float CubicHermite(float x, float y0, float y1, float y2, float y3) {
  const float c0 = y1;
  const float c1 = 0.5f * (y2 - y0);
  const float c2 = y0 - 2.5f * y1 + 2.f * y2 - 0.5f * y3;
  const float c3 = 0.5f * (y3 - y0) + 1.5f * (y1 - y2);
  return ((c3 * x + c2) * x + c1) * x + c0;
}

}  // namespace gb::dsp
