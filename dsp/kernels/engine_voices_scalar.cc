// Engine voice lanes: allocation, start-up (the Q31 position set-up) and the
// scalar twin, one voice at a time and one frame at a time. The twin is the
// oracle for the SIMD kernel (engine_voices-inl.h) and the renderer of synth
// voices, so it spells out the semantics: bounds test before each read,
// cubic read, step, envelope stage, gate, fade, filters, gains.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "dsp/fx/fx_common.h"
#include "dsp/kernels/engine_voices.h"
#include "dsp/kernels/sample_voices.h"  // CubicHermite

namespace gb::dsp {
namespace {

constexpr int64_t kOne = int64_t{1} << 31;  // 1.0 in Q31
constexpr int32_t kFracMask = 0x7fffffff;
constexpr size_t kMaxFrames = size_t{1} << 30;

template <typename T>
bool Carve(Arena& arena, size_t n, T*& out) {
  out = static_cast<T*>(arena.Allocate(n * sizeof(T), Arena::kAlignment));
  return out != nullptr;
}

int64_t FloorMod(int64_t a, int64_t m) {
  const int64_t r = a % m;
  return r < 0 ? r + m : r;
}

void Split(int64_t q31, int32_t& frame, int32_t& frac) {
  frame = static_cast<int32_t>(q31 >> 31);  // arithmetic: floors
  frac = static_cast<int32_t>(q31 & kFracMask);
}

// Position at or past the bound, both as (frame, Q31 fraction).
bool AtOrPast(int32_t frame, int32_t frac, int32_t bound_frame, int32_t bound_frac) {
  return frame > bound_frame || (frame == bound_frame && frac >= bound_frac);
}

}  // namespace

size_t EngineVoiceLanesBytes(size_t capacity) {
  const size_t n = PaddedVoiceCount(capacity);
  // Pointer, 4-byte and 1-byte arrays, each cache-line aligned (Carve).
  constexpr size_t kPointers = 2, kWords = 21 + kMaxVoiceFilters * 10, kBytes = 3;
  return kPointers * n * sizeof(void*) + kWords * n * 4 + kBytes * n +
         (kPointers + kWords + kBytes) * Arena::kAlignment;
}

bool AllocateEngineVoiceLanes(Arena& arena, size_t capacity, EngineVoiceLanes& v) {
  const size_t n = PaddedVoiceCount(capacity);
  bool ok = Carve(arena, n, v.src_l) && Carve(arena, n, v.src_r) && Carve(arena, n, v.frame) &&
            Carve(arena, n, v.frac_q31) && Carve(arena, n, v.step_frames) && Carve(arena, n, v.step_frac_q31) &&
            Carve(arena, n, v.bound_frame) && Carve(arena, n, v.bound_frac_q31) && Carve(arena, n, v.loop_frames) &&
            Carve(arena, n, v.loop_frac_q31) && Carve(arena, n, v.flags) && Carve(arena, n, v.offset) &&
            Carve(arena, n, v.env) && Carve(arena, n, v.stage) && Carve(arena, n, v.attack_inc) &&
            Carve(arena, n, v.decay_dec) && Carve(arena, n, v.sustain) && Carve(arena, n, v.release_dec) &&
            Carve(arena, n, v.release_frames) && Carve(arena, n, v.gate_frames) && Carve(arena, n, v.fade) &&
            Carve(arena, n, v.fade_dec) && Carve(arena, n, v.fade_at) && Carve(arena, n, v.gain_l) &&
            Carve(arena, n, v.gain_r) && Carve(arena, n, v.filter_count);
  for (auto& f : v.filter) {
    ok = ok && Carve(arena, n, f.a1) && Carve(arena, n, f.a2) && Carve(arena, n, f.a3) && Carve(arena, n, f.m0) &&
         Carve(arena, n, f.m1) && Carve(arena, n, f.m2);
    for (int ch = 0; ch < 2; ++ch) ok = ok && Carve(arena, n, f.ic1[ch]) && Carve(arena, n, f.ic2[ch]);
  }
  if (!ok) return false;
  std::fill(v.flags, v.flags + n, uint8_t{0});
  std::fill(v.filter_count, v.filter_count + n, uint8_t{0});
  return true;
}

bool StartLane(const EngineVoiceLanes& v, uint32_t s, const LaneStart& st) {
  v.flags[s] = 0;
  v.offset[s] = st.offset;
  // Envelope (as the pool has always derived it).
  const float a = st.attack_frames, d = st.decay_frames;
  v.attack_inc[s] = a >= 1.f ? 1.f / a : 1.f;
  v.env[s] = a >= 1.f ? 0.f : 1.f;
  v.stage[s] = a >= 1.f ? kStageAttack : kStageDecay;
  v.sustain[s] = std::clamp(st.sustain, 0.f, 1.f);
  v.decay_dec[s] = d >= 1.f ? (1.f - v.sustain[s]) / d : 1.f;
  v.release_dec[s] = 0.f;
  v.release_frames[s] = st.release_frames;
  // A gate of g frames releases on the frame where g - k <= 0, k counting
  // from 1: k = ceil(g). Past 2^31 - 1 frames (12 hours) it saturates.
  const double g = std::min(std::ceil(st.gate_frames), double{std::numeric_limits<int32_t>::max()});
  v.gate_frames[s] = st.gate_frames >= 0.0 ? static_cast<int32_t>(g) : 0;
  v.fade[s] = 1.f;
  v.fade_dec[s] = 0.f;
  v.fade_at[s] = -1;
  v.gain_l[s] = st.gain_l;
  v.gain_r[s] = st.gain_r;
  const int nf = std::clamp(st.filter_count, 0, kMaxVoiceFilters);
  v.filter_count[s] = static_cast<uint8_t>(nf);
  for (int k = 0; k < kMaxVoiceFilters; ++k) {
    const EngineVoiceLanes::Filter& f = v.filter[k];
    const SvfCoefficients c = k < nf ? st.filters[k] : SvfCoefficients{};
    f.a1[s] = c.a1;
    f.a2[s] = c.a2;
    f.a3[s] = c.a3;
    f.m0[s] = c.m0;
    f.m1[s] = c.m1;
    f.m2[s] = c.m2;
    for (int ch = 0; ch < 2; ++ch) f.ic1[ch][s] = f.ic2[ch][s] = 0.f;
  }
  uint8_t flags = kLaneActive | (st.gate_frames >= 0.0 ? kLaneGated : 0);
  // Playback.
  v.src_l[s] = v.src_r[s] = st.l;
  if (st.r) v.src_r[s] = st.r;
  v.frame[s] = v.frac_q31[s] = v.step_frames[s] = v.step_frac_q31[s] = 0;
  v.bound_frame[s] = v.bound_frac_q31[s] = v.loop_frames[s] = v.loop_frac_q31[s] = 0;
  if (!st.l) {
    v.flags[s] = flags | kLaneSynth;
    return true;
  }
  if (st.frames == 0 || st.frames >= kMaxFrames) return false;
  const double n = static_cast<double>(st.frames);
  const double b = std::clamp(st.begin, 0.0, 1.0), e = std::clamp(st.end, 0.0, 1.0);
  if (!(e > b)) return false;
  const double rate = std::isfinite(st.rate) ? std::clamp(st.rate, -64.0, 64.0) : 1.0;
  if (rate == 0.0) return false;
  const auto lo = static_cast<int64_t>(std::llround(b * n * static_cast<double>(kOne)));
  const auto hi = static_cast<int64_t>(std::llround(e * n * static_cast<double>(kOne)));
  int64_t step = std::llround(rate * static_cast<double>(kOne));
  if (step == 0) step = rate > 0 ? 1 : -1;  // |rate| < 2^-32: the slowest step
  const int64_t len = hi - lo;
  if (len <= 0) return false;
  int64_t pos = rate > 0 ? lo : hi - kOne;
  int64_t bound;
  if (st.loop) {
    flags |= kLaneLoop;
    step = FloorMod(step, len);
    pos = lo + FloorMod(pos - lo, len);
    bound = hi;
  } else if (rate > 0) {
    bound = hi;
  } else {
    flags |= kLaneBackward;
    bound = lo;
  }
  Split(pos, v.frame[s], v.frac_q31[s]);
  Split(step, v.step_frames[s], v.step_frac_q31[s]);
  Split(bound, v.bound_frame[s], v.bound_frac_q31[s]);
  Split(len, v.loop_frames[s], v.loop_frac_q31[s]);
  v.flags[s] = flags;
  return true;
}

void FadeLane(const EngineVoiceLanes& v, uint32_t s, uint32_t offset, float fade_dec) {
  if (!(v.flags[s] & kLaneActive) || (v.flags[s] & kLaneFading)) return;
  v.flags[s] |= kLaneFading;
  v.fade_at[s] = static_cast<int32_t>(offset);
  v.fade_dec[s] = fade_dec;
}

void RenderEngineVoiceScalar(const EngineVoiceLanes& v, uint32_t s, bool stereo, const float* synth_in,
                             size_t frames, float* out_l, float* out_r) {
  const size_t start = std::min<size_t>(v.offset[s], frames);
  v.offset[s] = 0;
  const int64_t fade_at = v.fade_at[s];
  v.fade_at[s] = -1;
  const uint8_t flags = v.flags[s];
  if (!(flags & kLaneActive)) return;
  const bool synth = flags & kLaneSynth, loop = flags & kLaneLoop, backward = flags & kLaneBackward;
  const bool fading = flags & kLaneFading, gated = flags & kLaneGated;
  stereo = stereo && !synth;
  bool active = true;
  const float* l = v.src_l[s];
  const float* r = v.src_r[s];
  int32_t frame = v.frame[s], frac = v.frac_q31[s];
  const int nf = v.filter_count[s];
  // Hot state in locals (the output pointers could alias the lane arrays, so
  // the compiler would otherwise reload and store it every frame), written
  // back after the loop.
  const int32_t bound_frame = v.bound_frame[s], bound_frac = v.bound_frac_q31[s];
  const int32_t loop_frames = v.loop_frames[s], loop_frac = v.loop_frac_q31[s];
  const int32_t step_frames = v.step_frames[s], step_frac = v.step_frac_q31[s];
  const float attack_inc = v.attack_inc[s], decay_dec = v.decay_dec[s], sustain = v.sustain[s];
  const float release_frames = v.release_frames[s], fade_dec = v.fade_dec[s];
  const float gain_l = v.gain_l[s], gain_r = v.gain_r[s];
  float env = v.env[s], release_dec = v.release_dec[s], fade = v.fade[s];
  uint8_t stage = v.stage[s];
  int32_t gate = v.gate_frames[s];
  SvfCoefficients co[kMaxVoiceFilters];
  SvfState st[kMaxVoiceFilters][2];
  for (int k = 0; k < nf; ++k) {
    const EngineVoiceLanes::Filter& f = v.filter[k];
    co[k].a1 = f.a1[s], co[k].a2 = f.a2[s], co[k].a3 = f.a3[s];
    co[k].m0 = f.m0[s], co[k].m1 = f.m1[s], co[k].m2 = f.m2[s];
    for (int ch = 0; ch < 2; ++ch) st[k][ch] = SvfState{f.ic1[ch][s], f.ic2[ch][s]};
  }
  for (size_t i = start; i < frames; ++i) {
    float xl, xr;
    if (synth) {
      xl = xr = synth_in[i - start];
    } else {
      if (AtOrPast(frame, frac, bound_frame, bound_frac) != backward) {
        if (!loop) {
          active = false;
          break;
        }
        // Looping voices step forward by less than the loop: one wrap.
        frac -= loop_frac;
        frame -= loop_frames;
        if (frac < 0) {  // borrow: frac + 2^31 is its low 31 bits
          frac &= kFracMask;
          --frame;
        }
      }
      // Top 24 of the 31 fraction bits: exact in a float, and below 1.
      const float x = static_cast<float>(frac >> 7) * (1.f / 16777216.f);
      xl = CubicHermite(x, l[frame - 1], l[frame], l[frame + 1], l[frame + 2]);
      xr = stereo ? CubicHermite(x, r[frame - 1], r[frame], r[frame + 1], r[frame + 2]) : xl;
      const uint32_t sum = static_cast<uint32_t>(frac) + static_cast<uint32_t>(step_frac);
      frame += step_frames + static_cast<int32_t>(sum >> 31);
      frac = static_cast<int32_t>(sum & kFracMask);
    }
    switch (stage) {
      case kStageAttack:
        env += attack_inc;
        if (env >= 1.f) {
          env = 1.f;
          stage = kStageDecay;
        }
        break;
      case kStageDecay:
        env -= decay_dec;
        if (env <= sustain) {
          env = sustain;
          stage = kStageSustain;
        }
        break;
      case kStageRelease:
        env -= release_dec;
        if (env <= 0.f) {
          env = 0.f;
          active = false;
        }
        break;
      default:
        break;
    }
    if (gated && stage < kStageRelease && --gate <= 0) {
      stage = kStageRelease;
      gate = 0;
      release_dec = std::max(env, 1e-6f) / release_frames;
    }
    if (synth && stage == kStageSustain && sustain <= 0.f) active = false;
    float e = env;
    if (fading && static_cast<int64_t>(i) >= fade_at) {
      fade -= fade_dec;
      if (fade <= 0.f) {
        fade = 0.f;
        active = false;
      }
    }
    if (fading) e *= fade;
    for (int k = 0; k < nf; ++k) {
      xl = st[k][0].Tick(co[k], xl);
      if (stereo) xr = st[k][1].Tick(co[k], xr);
    }
    if (!stereo) xr = xl;
    out_l[i] += xl * e * gain_l;
    out_r[i] += xr * e * gain_r;
    if (!active) break;
  }
  v.frame[s] = frame;
  v.frac_q31[s] = frac;
  v.env[s] = env;
  v.release_dec[s] = release_dec;
  v.fade[s] = fade;
  v.stage[s] = stage;
  v.gate_frames[s] = gate;
  for (int k = 0; k < nf; ++k)
    for (int ch = 0; ch < 2; ++ch) {
      v.filter[k].ic1[ch][s] = st[k][ch].ic1;
      v.filter[k].ic2[ch][s] = st[k][ch].ic2;
    }
  if (!active) v.flags[s] = static_cast<uint8_t>(flags & ~kLaneActive);
  // Once per block: a NaN input must not stay in a filter.
  for (int k = 0; k < nf; ++k) {
    for (int ch = 0; ch < 2; ++ch) {
      v.filter[k].ic1[ch][s] = fx::SanitizeFeedback(v.filter[k].ic1[ch][s]);
      v.filter[k].ic2[ch][s] = fx::SanitizeFeedback(v.filter[k].ic2[ch][s]);
    }
  }
}

void RenderEngineSampleVoicesScalar(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count,
                                    bool stereo, size_t frames, float* out_l, float* out_r) {
  for (size_t k = 0; k < count; ++k) RenderEngineVoiceScalar(lanes, slots[k], stereo, nullptr, frames, out_l, out_r);
}

}  // namespace gb::dsp
