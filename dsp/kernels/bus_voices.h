// Synth voices of a bus played as an instrument (`~x: saw 440 # lpf ~cut 0.8`
// played as `s "~x" # note "c4'min7"`), SIMD across voices: one lane per
// voice, each with its own oscillator phase and filter state, for the common
// graph shape "one band-limited oscillator at the voice's pitch, then up to
// kMaxBusVoiceFilters state-variable filters in series whose cutoff and q are
// the same for every voice" (constants, or a bus / pattern signal shared by
// the instrument). dsp/engine/voices.cc recognises that shape and falls back
// to the graph VM (dsp/engine/graph.h) for anything else.
//
// It reproduces the VM's arithmetic for those nodes: the phase is a Q0.64
// turn (two uint32 words with a carry), so the VM's double step is taken
// exactly and the phase cannot drift from the VM's double phase beyond its
// rounding (~1e-16 a frame); the PolyBLEP residuals and the oscillator output
// are float instead of the VM's double (differences ~1e-7 of full scale);
// the filter is SvfState::Tick's float arithmetic, with coefficients made by
// the caller every kBusVoiceSegment frames as the VM makes them. The scalar
// twin (bus_voices_scalar.cc) is the oracle of the SIMD kernel; a target with
// FMA may contract the filter's multiply-adds, and the sine uses Highway's
// polynomial (a few ULP), so the two agree to rounding (tests state it).
//
// Plain C++ only. Audio thread and DSP workers: no allocation, no locks, no
// syscalls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/fx/svf.h"
#include "dsp/kernels/voice_layout.h"

namespace gb::dsp {

inline constexpr size_t kMaxBusVoiceLanes = kMaxVoiceLanes;  // voices per call
inline constexpr size_t kMaxBusVoiceFilters = 2;
// The VM recomputes a moving cutoff's coefficients every 16 frames of the
// voice (tan is costly); coefficients here change on the same frames.
inline constexpr size_t kBusVoiceSegment = 16;

enum class BusOsc : uint8_t { kSaw, kSquare, kPulse, kTri, kSine };

// What the voices of one call share (their instrument's graph).
struct BusVoiceShape {
  BusOsc osc = BusOsc::kSaw;
  // Square and pulse: the duty cycle as a Q0.64 turn (square: 0.5).
  uint32_t width_hi = 0x80000000u, width_lo = 0;
  size_t filter_count = 0;  // <= kMaxBusVoiceFilters
};

// Per-voice state, structure of arrays; lanes [0, count) are live, the rest
// padding the kernel may compute on and ignore.
struct BusVoiceLanes {
  alignas(64) uint32_t phase_hi[kMaxBusVoiceLanes] = {};  // phase, Q0.64 turn
  alignas(64) uint32_t phase_lo[kMaxBusVoiceLanes] = {};
  alignas(64) uint32_t inc_hi[kMaxBusVoiceLanes] = {};    // step: the VM's dt (0, 0.5], Q0.64
  alignas(64) uint32_t inc_lo[kMaxBusVoiceLanes] = {};
  alignas(64) float inv_dt[kMaxBusVoiceLanes] = {};      // float(1 / dt)
  alignas(64) float dt4[kMaxBusVoiceLanes] = {};         // tri: 4 * float(dt)
  alignas(64) float tri_y[kMaxBusVoiceLanes] = {};       // tri: leaky integrator
  alignas(64) float ic1[kMaxBusVoiceFilters][kMaxBusVoiceLanes] = {};  // SVF integrators
  alignas(64) float ic2[kMaxBusVoiceFilters][kMaxBusVoiceLanes] = {};
};

// Sets a lane's step from the VM's dt (cycles per sample, clamped to
// [1e-9, 0.5] as the VM clamps it for every oscillator but the sine, which
// it leaves unclamped: above half the rate, 24 kHz at 48 kHz, a sine voice
// differs from the VM's aliased one).
void SetBusVoiceStep(BusVoiceLanes& lanes, size_t lane, double dt);

// Renders `frames` frames of voices [0, count) (count <= kMaxBusVoiceLanes):
// out[v][i] = voice v's graph result at its frame i (any alignment), and
// advances the state. coefs[f * segments + s] are filter f's coefficients for
// frames [16 s, 16 s + 16), shared by all voices, segments =
// ceil(frames / kBusVoiceSegment). At the end the filter states are
// sanitised as SvfState::Flush does. Dynamic dispatch to the best target.
void RenderBusVoices(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count,
                     const SvfCoefficients* coefs, size_t frames, float* const* out);

// The scalar twin: one voice, one frame at a time. The tests' oracle.
void RenderBusVoicesScalar(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count,
                           const SvfCoefficients* coefs, size_t frames, float* const* out);

}  // namespace gb::dsp
