// The engine voice pool's per-voice state, structure of arrays indexed by
// slot, and the kernels that render it: sample voices SIMD across voices
// (one lane per voice, engine_voices.cc / engine_voices-inl.h), and the
// scalar twin (engine_voices_scalar.cc), which is the oracle the SIMD kernel
// is tested against and also renders synth voices after their graph has run.
// Plain C++ only (no Highway types). Audio thread and DSP workers: no
// allocation, no locks, no syscalls in anything but AllocateEngineVoiceLanes.
//
// Read position: a signed 32-bit frame plus a Q0.31 fraction, the rate in the
// same split form (integer part floored, so a backward rate of -1.25 is
// -2 + 0.75). Every step is an exact integer addition, so a voice never
// drifts however long it plays; the only rounding is of the rate, once, to the
// nearest 2^-31 frame per frame (at most 2^-32 frames of error per output
// frame: a quarter of a frame after 2^30 frames, i.e. 6 hours at 48 kHz).
// Samples may be up to 2^30 frames long and rates in [-64, 64]: positions then
// stay in [-64, 2^31 - 1). Begin/end bounds are on the same Q31 grid.
//
// Looping voices store their rate reduced modulo the loop length (so it is in
// [0, loop) and points forward), which visits exactly the same positions and
// makes the wrap a single subtraction. A voice is then "out of bounds" when
// its position is at or past `bound` (forward and looping voices: the end) or,
// for backward one-shots, before it (the begin).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/arena.h"
#include "dsp/fx/svf.h"
#include "dsp/kernels/voice_layout.h"

namespace gb::dsp {

inline constexpr int kMaxVoiceFilters = 3;

// Lane flags (EngineVoiceLanes::flags).
enum : uint8_t {
  kLaneActive = 1,    // still sounding; cleared by the kernels when it ends
  kLaneLoop = 2,      // wraps at the bound instead of ending
  kLaneBackward = 4,  // one-shot playing backwards: bound is the begin
  kLaneFading = 8,    // declick fade (cut, steal, stop) in progress
  kLaneGated = 16,    // releases when gate_frames runs out
  kLaneSynth = 32,    // synth voice: input comes from its graph, mono
};

// Envelope stages (EngineVoiceLanes::stage).
enum : uint8_t { kStageAttack = 0, kStageDecay = 1, kStageSustain = 2, kStageRelease = 3 };

// One array entry per voice slot. Kernels read and write only the slots they
// are given.
struct EngineVoiceLanes {
  // Sample playback. src_* point at frame 0 of a dsp::Sample channel (16 zero
  // guard frames either side keep every tap readable); mono voices have
  // src_r == src_l.
  const float** src_l = nullptr;
  const float** src_r = nullptr;
  int32_t* frame = nullptr;           // position: integer frame ...
  int32_t* frac_q31 = nullptr;        // ... plus fraction, [0, 2^31)
  int32_t* step_frames = nullptr;     // rate: floor ...
  int32_t* step_frac_q31 = nullptr;   // ... plus fraction
  int32_t* bound_frame = nullptr;     // see the top of the file
  int32_t* bound_frac_q31 = nullptr;
  int32_t* loop_frames = nullptr;     // loop length (looping voices)
  int32_t* loop_frac_q31 = nullptr;
  uint8_t* flags = nullptr;           // kLane*
  uint32_t* offset = nullptr;         // first frame of the coming block it plays
  // Linear ADSR: attack ramps by attack_inc to 1, decay by decay_dec to
  // sustain, release by release_dec (set at the gate from the level then) to
  // 0, where the voice ends.
  float* env = nullptr;
  uint8_t* stage = nullptr;
  float* attack_inc = nullptr;
  float* decay_dec = nullptr;
  float* sustain = nullptr;
  float* release_dec = nullptr;
  float* release_frames = nullptr;
  int32_t* gate_frames = nullptr;     // gated voices: frames until the release
  // Declick fade: from fade_at (a frame of the coming block; -1: from its
  // start) `fade` falls by fade_dec per frame; the voice ends at 0.
  float* fade = nullptr;
  float* fade_dec = nullptr;
  int32_t* fade_at = nullptr;
  float* gain_l = nullptr;            // gain * cos((pan + 1) * pi / 4)
  float* gain_r = nullptr;            // gain * sin((pan + 1) * pi / 4)
  // Up to three Simper SVFs in series (see dsp/fx/svf.h), state per channel
  // (mono voices use channel 0 only).
  uint8_t* filter_count = nullptr;
  struct Filter {
    float* a1 = nullptr;
    float* a2 = nullptr;
    float* a3 = nullptr;
    float* m0 = nullptr;
    float* m1 = nullptr;
    float* m2 = nullptr;
    float* ic1[2] = {nullptr, nullptr};
    float* ic2[2] = {nullptr, nullptr};
  } filter[kMaxVoiceFilters];
};

// Bytes AllocateEngineVoiceLanes takes from an arena for `capacity` slots.
size_t EngineVoiceLanesBytes(size_t capacity);
// Control thread. False when the arena is too small.
bool AllocateEngineVoiceLanes(Arena& arena, size_t capacity, EngineVoiceLanes& out);

// A voice's parameters in frames, as VoicePool::Start derives them.
struct LaneStart {
  uint32_t offset = 0;
  // Sample voices: l (and r for stereo; nullptr or l for mono) over `frames`
  // frames (< 2^30). Synth voices: l == nullptr.
  const float* l = nullptr;
  const float* r = nullptr;
  size_t frames = 0;
  double begin = 0.0, end = 1.0;  // fractions of the sample, clamped to [0, 1]
  double rate = 1.0;              // clamped to [-64, 64]; NaN plays at 1
  bool loop = false;
  float attack_frames = 0.f, decay_frames = 0.f, sustain = 1.f;
  float release_frames = 240.f;   // > 0
  double gate_frames = -1.0;      // < 0: no gate (sample voices end with the sample)
  float gain_l = 1.f, gain_r = 1.f;
  int filter_count = 0;
  SvfCoefficients filters[kMaxVoiceFilters];
};

// Audio thread. Writes every field of `slot`. False (slot left inactive) when
// there is nothing to play: an empty or too long sample, end <= begin, or a
// zero rate.
bool StartLane(const EngineVoiceLanes& lanes, uint32_t slot, const LaneStart& start);

// Audio thread: starts the declick fade of an active voice at frame `offset`
// of the coming block, falling by `fade_dec` per frame. No-op if it fades.
void FadeLane(const EngineVoiceLanes& lanes, uint32_t slot, uint32_t offset, float fade_dec);

// Renders `frames` frames of the sample voices in slots[0, count), all mono
// (stereo == false) or all stereo, ADDING them to out_l/out_r (any alignment),
// and advances their state; a voice that ends clears kLaneActive. SIMD across
// voices, dynamic dispatch to the best compiled Highway target.
void RenderEngineSampleVoices(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count, bool stereo,
                              size_t frames, float* out_l, float* out_r);

// The scalar twin of RenderEngineSampleVoices: one voice at a time, one frame
// at a time, written for clarity. The tests' oracle.
void RenderEngineSampleVoicesScalar(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count,
                                    bool stereo, size_t frames, float* out_l, float* out_r);

// One voice through the scalar path. Synth voices (kLaneSynth) read their
// input from `synth_in`, which holds frames [min(offset, frames), frames) of
// the block from index 0; sample voices pass nullptr.
void RenderEngineVoiceScalar(const EngineVoiceLanes& lanes, uint32_t slot, bool stereo, const float* synth_in,
                             size_t frames, float* out_l, float* out_r);

}  // namespace gb::dsp
