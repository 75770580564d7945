// Starting voices: turns musical parameters (rate, frequency, pan, seconds
// turned into frames) into the kernels' structure-of-arrays state, and carves
// voice arrays out of an arena. Pure computation, no heap: Start*Voice may run
// on the audio thread; Allocate*Voices runs in Prepare (control thread).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/arena.h"
#include "dsp/kernels/sample_voices.h"
#include "dsp/kernels/synth_voices.h"

namespace gb::dsp {

// Equal-power pan, pan in [-1, 1] (clamped; NaN = centre):
// L = cos((pan + 1) pi / 4),
// R = sin((pan + 1) pi / 4), so L^2 + R^2 = 1.
struct PanGains {
  float left = 0.f;
  float right = 0.f;
};
PanGains EqualPowerPan(double pan);

// 1 / ramp_frames as a float, rounded up where needed so that
// float(ramp_frames) * slope >= 1: a linear ramp then reaches exactly 1 (or 0)
// after ramp_frames frames. ramp_frames < 1 is treated as 1 (the shortest
// ramp: 0 at its first frame, 1 at the next).
float RampSlope(int64_t ramp_frames);

// Longest voice, so age and end stay far from int32 overflow (6.2 hours at
// 48 kHz).
inline constexpr int64_t kMaxVoiceFrames = int64_t{1} << 30;

struct SampleVoiceStart {
  double rate = 1.0;         // sample frames per output frame, any sign
  double start_frame = 0.0;  // read position of the first output frame
  double gain = 1.0;
  double pan = 0.0;               // -1 (left) .. 1 (right)
  int64_t attack_frames = 0;      // 0 -> 1 over these frames
  int64_t release_frames = 0;     // 1 -> 0 over the last of these frames
  int64_t length_frames = 0;      // the release reaches 0 here (voice end)
};

// Sets voice `index` to start playing `loop_frames` (the LoopedSample's).
// The rate is reduced modulo the loop (same positions, one wrap test).
void StartSampleVoice(const SampleVoices& voices, size_t index,
                      int32_t loop_frames, const SampleVoiceStart& start);

// SuperCollider RLPF coefficients (computed in double, as RLPF does).
struct RlpfCoefficients {
  double a0 = 0.0;
  double b1 = 0.0;
  double c = 0.0;
};
// cutoff_norm in cycles/sample, clamped to [1e-4, 0.45] (4.8 Hz .. 21.6 kHz at
// 48 kHz): at the Nyquist frequency RLPF has a pole on the unit circle (at
// z = -1) and its state grows without bound, and below 1e-4 the float
// coefficients of a sharp filter round onto the unit circle. rq is clamped
// >= 0.001 as in SuperCollider, and <= 0.45 / cutoff_norm: past
// cutoff * rq = 0.5, tan(pi cutoff rq) turns negative, C drops below -1 and
// the filter blows up (SuperCollider's RLPF does exactly that).
RlpfCoefficients RlpfCoefficientsFor(double cutoff_norm, double rq);

struct SynthVoiceStart {
  double freq_norm = 0.0;    // cycles/sample, clamped to [0, 0.5]
  double cutoff_norm = 0.1;  // cycles/sample, see RlpfCoefficientsFor
  double rq = 0.25;
  double gain = 1.0;
  double pan = 0.0;
};

// Sets voice `index` to a fresh saw (phase 0) into a cleared filter.
void StartSynthVoice(const SynthVoices& voices, size_t index,
                     const SynthVoiceStart& start);

// Control thread: arrays for `capacity` voices (padded, 64-byte aligned),
// zeroed, which makes every voice silent. False if the arena is too small.
bool AllocateSampleVoices(Arena& arena, size_t capacity, SampleVoices& out);
bool AllocateSynthVoices(Arena& arena, size_t capacity, SynthVoices& out);
// Bytes the two calls above take from an arena, alignment slack included.
size_t SampleVoicesBytes(size_t capacity);
size_t SynthVoicesBytes(size_t capacity);

}  // namespace gb::dsp
