// SIMD body of RenderEngineSampleVoices: sample voices rendered one voice per
// lane. Included once per Highway target by engine_voices.cc (which exports
// and dispatches it) and by its test (which runs every target against the
// scalar twin in engine_voices_scalar.cc).
//
// Layout. Up to kMaxVoiceLanes voices at a time are copied from their slots
// into a LaneBlock (per-lane arrays, padded with silent lanes to whole
// vectors; once per block, a small cost next to the frames), rendered in
// passes of kKernelPassFrames frames into a lane-wise accumulator that is
// reduced to stereo once per pass, and copied back.
//
// Per frame, for one vector of voices:
//   - bounds: (pos >= bound) XOR backward, in exact (frame, Q31) arithmetic;
//     a looping lane wraps by one subtraction, a one-shot lane dies and its
//     read position is parked on frame 0 (always readable).
//   - taps: one unaligned 16-byte load per lane at its own sample pointer
//     (frame - 1 .. frame + 2), 4x4 transposes within each 128-bit block;
//     stereo voices do it again for the right channel.
//   - envelope: env += slope, with (slope, dir, signed target) per lane for
//     its current stage, so "reached" is one compare, Ge(env * dir, target *
//     dir); stage changes, gates and the end of fades are rare and handled
//     under AllFalse tests with masked selects, never a per-lane branch.
//   - filters: the Simper SVF across lanes (coefficient vectors, ic1/ic2 state
//     vectors); lanes with fewer filters than the vector's most have identity
//     coefficients (m0 = 1, state stays 0), and the filter count is a template
//     argument. Lanes are ordered by filter count, so voices without filters
//     tend to share filter-free vectors.
// Lanes that have not started yet (a voice started this block at an offset)
// are run "masked" until the last such offset: their increments are zeroed and
// their filter input is 0, so nothing in them moves.
//
// The arithmetic per lane is the twin's, operation for operation, except where
// the compiler or Highway fuses a multiply-add (cubic, filters, gains) and in
// the order the lanes are summed; positions, envelope, gate and fade are
// exact integer or single-rounding float steps and match the twin bit for bit.
#if defined(GB_DSP_KERNELS_ENGINE_VOICES_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GB_DSP_KERNELS_ENGINE_VOICES_INL_H_
#undef GB_DSP_KERNELS_ENGINE_VOICES_INL_H_
#else
#define GB_DSP_KERNELS_ENGINE_VOICES_INL_H_
#endif

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "dsp/fx/fx_common.h"
#include "dsp/kernels/engine_voices.h"
#include "dsp/kernels/voice_layout.h"
#include "dsp/kernels/voice_simd-inl.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace engine_voices {
namespace hn = hwy::HWY_NAMESPACE;

constexpr size_t kL = kMaxVoiceLanes;
constexpr int32_t kFracMask = 0x7fffffff;
constexpr int32_t kNoGate = std::numeric_limits<int32_t>::max();

// Padding lanes read their taps here (frame 0, taps -1 .. 2).
alignas(16) inline constexpr float kSilence[8] = {};

// One group of lanes, every field a per-lane array of kL entries (64 bytes
// for 4-byte fields, so each array starts on a cache line). Masks are stored
// as int32 all-ones / zero.
struct alignas(64) LaneBlock {
  const float* src_l[kL];
  const float* src_r[kL];
  int32_t frame[kL], frac[kL], step[kL], step_frac[kL];
  int32_t bound_frame[kL], bound_frac[kL], loop_frames[kL], loop_frac[kL];
  int32_t loop[kL], backward[kL], alive[kL], start[kL];
  float env[kL], slope[kL], dir[kL], target_dir[kL], target[kL];
  int32_t stage[kL];
  float decay_neg[kL], sustain[kL], release_frames[kL];
  int32_t gate[kL], gate_dec[kL];
  float fade[kL], fade_dec[kL];
  int32_t fade_at[kL];
  float gain_l[kL], gain_r[kL];
  float a1[kMaxVoiceFilters][kL], a2[kMaxVoiceFilters][kL], a3[kMaxVoiceFilters][kL];
  float m0[kMaxVoiceFilters][kL], m1[kMaxVoiceFilters][kL], m2[kMaxVoiceFilters][kL];
  float ic1[kMaxVoiceFilters][2][kL], ic2[kMaxVoiceFilters][2][kL];
  int32_t filter_count[kL];
};

// Working envelope vectors of a stage (see the top of the file).
inline void StageVectors(uint8_t stage, float attack_inc, float decay_dec, float sustain, float release_dec,
                         float& slope, float& dir, float& target_dir, float& target) {
  switch (stage) {
    case kStageAttack:
      slope = attack_inc, dir = 1.f, target_dir = 1.f, target = 1.f;
      break;
    case kStageDecay:
      slope = -decay_dec, dir = -1.f, target_dir = -sustain, target = sustain;
      break;
    case kStageRelease:
      slope = -release_dec, dir = -1.f, target_dir = 0.f, target = 0.f;
      break;
    default:  // sustain: never "reached"
      slope = 0.f, dir = 1.f, target_dir = std::numeric_limits<float>::infinity(), target = 0.f;
      break;
  }
}

// Copies slots[0, n) into lanes [0, n) of `b` and pads to kL with silent,
// dead lanes.
inline void LoadLanes(const EngineVoiceLanes& v, const uint32_t* slots, size_t n, bool stereo, size_t frames,
                      LaneBlock& b) {
  for (size_t i = 0; i < kL; ++i) {
    if (i >= n) {
      b.src_l[i] = b.src_r[i] = kSilence + 4;
      b.frame[i] = b.frac[i] = b.step[i] = b.step_frac[i] = 0;
      b.bound_frame[i] = b.bound_frac[i] = b.loop_frames[i] = b.loop_frac[i] = 0;
      b.loop[i] = b.backward[i] = b.alive[i] = b.start[i] = 0;
      b.env[i] = b.slope[i] = b.target[i] = 0.f;
      b.dir[i] = 1.f;
      b.target_dir[i] = std::numeric_limits<float>::infinity();
      b.stage[i] = kStageSustain;
      b.decay_neg[i] = b.sustain[i] = 0.f;
      b.release_frames[i] = 1.f;
      b.gate[i] = kNoGate;
      b.gate_dec[i] = 0;
      b.fade[i] = 1.f;
      b.fade_dec[i] = 0.f;
      b.fade_at[i] = -1;
      b.gain_l[i] = b.gain_r[i] = 0.f;
      b.filter_count[i] = 0;
      for (int k = 0; k < kMaxVoiceFilters; ++k) {
        b.a1[k][i] = 1.f, b.a2[k][i] = b.a3[k][i] = 0.f;
        b.m0[k][i] = 1.f, b.m1[k][i] = b.m2[k][i] = 0.f;
        b.ic1[k][0][i] = b.ic2[k][0][i] = b.ic1[k][1][i] = b.ic2[k][1][i] = 0.f;
      }
      continue;
    }
    const uint32_t s = slots[i];
    const uint8_t flags = v.flags[s];
    b.src_l[i] = v.src_l[s];
    b.src_r[i] = stereo ? v.src_r[s] : v.src_l[s];
    // A voice that has ended is parked on frame 0, as the kernel parks lanes
    // that end (the twin never reads them).
    const bool active = flags & kLaneActive;
    b.frame[i] = active ? v.frame[s] : 0;
    b.frac[i] = active ? v.frac_q31[s] : 0;
    b.step[i] = active ? v.step_frames[s] : 0;
    b.step_frac[i] = active ? v.step_frac_q31[s] : 0;
    b.bound_frame[i] = v.bound_frame[s];
    b.bound_frac[i] = v.bound_frac_q31[s];
    b.loop_frames[i] = v.loop_frames[s];
    b.loop_frac[i] = v.loop_frac_q31[s];
    b.loop[i] = (flags & kLaneLoop) ? -1 : 0;
    b.backward[i] = (flags & kLaneBackward) ? -1 : 0;
    b.alive[i] = active ? -1 : 0;
    b.start[i] = static_cast<int32_t>(std::min<size_t>(v.offset[s], frames));
    v.offset[s] = 0;
    const uint8_t stage = v.stage[s];
    b.env[i] = v.env[s];
    b.stage[i] = stage;
    StageVectors(stage, v.attack_inc[s], v.decay_dec[s], v.sustain[s], v.release_dec[s], b.slope[i], b.dir[i],
                 b.target_dir[i], b.target[i]);
    b.decay_neg[i] = -v.decay_dec[s];
    b.sustain[i] = v.sustain[s];
    b.release_frames[i] = v.release_frames[s];
    const bool counting = (flags & kLaneGated) && stage < kStageRelease;
    b.gate[i] = counting ? v.gate_frames[s] : kNoGate;
    b.gate_dec[i] = counting ? 1 : 0;
    b.fade[i] = v.fade[s];
    b.fade_dec[i] = (flags & kLaneFading) ? v.fade_dec[s] : 0.f;
    b.fade_at[i] = v.fade_at[s];
    v.fade_at[s] = -1;
    b.gain_l[i] = v.gain_l[s];
    b.gain_r[i] = v.gain_r[s];
    const int nf = v.filter_count[s];
    b.filter_count[i] = nf;
    for (int k = 0; k < kMaxVoiceFilters; ++k) {
      const EngineVoiceLanes::Filter& f = v.filter[k];
      if (k < nf) {
        b.a1[k][i] = f.a1[s], b.a2[k][i] = f.a2[s], b.a3[k][i] = f.a3[s];
        b.m0[k][i] = f.m0[s], b.m1[k][i] = f.m1[s], b.m2[k][i] = f.m2[s];
        for (int ch = 0; ch < 2; ++ch) b.ic1[k][ch][i] = f.ic1[ch][s], b.ic2[k][ch][i] = f.ic2[ch][s];
      } else {
        b.a1[k][i] = 1.f, b.a2[k][i] = b.a3[k][i] = 0.f;
        b.m0[k][i] = 1.f, b.m1[k][i] = b.m2[k][i] = 0.f;
        for (int ch = 0; ch < 2; ++ch) b.ic1[k][ch][i] = b.ic2[k][ch][i] = 0.f;
      }
    }
  }
}

// Writes lanes [0, n) back to their slots, with the twin's end-of-block
// filter flush. Voices that ended only lose kLaneActive: the pool frees them,
// and what their lanes did after the end is no state of theirs.
inline void StoreLanes(const LaneBlock& b, const EngineVoiceLanes& v, const uint32_t* slots, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t s = slots[i];
    if (!b.alive[i]) {
      v.flags[s] = static_cast<uint8_t>(v.flags[s] & ~kLaneActive);
      continue;
    }
    v.frame[s] = b.frame[i];
    v.frac_q31[s] = b.frac[i];
    v.env[s] = b.env[i];
    const auto stage = static_cast<uint8_t>(b.stage[i]);
    if (stage == kStageRelease && v.stage[s] != kStageRelease) {
      v.release_dec[s] = -b.slope[i];
      v.gate_frames[s] = 0;
    } else if (b.gate_dec[i]) {
      v.gate_frames[s] = b.gate[i];
    }
    v.stage[s] = stage;
    v.fade[s] = b.fade[i];
    for (int k = 0; k < b.filter_count[i]; ++k) {
      for (int ch = 0; ch < 2; ++ch) {
        v.filter[k].ic1[ch][s] = fx::SanitizeFeedback(b.ic1[k][ch][i]);
        v.filter[k].ic2[ch][s] = fx::SanitizeFeedback(b.ic2[k][ch][i]);
      }
    }
  }
}

// The four taps frame-1 .. frame+2 of every lane, lane k reading src[k].
template <class DF, class VI, class VF = hn::Vec<DF>>
HWY_INLINE void FetchTaps(DF df, const float* const* HWY_RESTRICT src, VI frame, VF& y0, VF& y1, VF& y2, VF& y3) {
  const hn::RebindToSigned<DF> di;
  HWY_ALIGN int32_t ix[kL];
  hn::Store(frame, di, ix);
#if HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE
  // No 128-bit blocks to transpose within: per-lane scalar loads.
  const size_t N = hn::Lanes(df);
  HWY_ALIGN float t[4][kL];
  for (size_t k = 0; k < N; ++k) {
    const float* p = src[k] + ix[k] - 1;
    t[0][k] = p[0], t[1][k] = p[1], t[2][k] = p[2], t[3][k] = p[3];
  }
  y0 = hn::Load(df, t[0]);
  y1 = hn::Load(df, t[1]);
  y2 = hn::Load(df, t[2]);
  y3 = hn::Load(df, t[3]);
#else
  constexpr size_t N = hn::MaxLanes(df);
  static_assert(N == 4 || N == 8 || N == 16);
  const hn::Full128<float> d4;
  // Row k holds, in 128-bit block q, the four taps of lane 4q + k.
  auto row = [&](size_t k) {
    auto load = [&](size_t lane) { return hn::LoadU(d4, src[lane] + ix[lane] - 1); };
    if constexpr (N == 4) {
      return load(k);
    } else if constexpr (N == 8) {
      return hn::Combine(df, load(k + 4), load(k));
    } else {
      const hn::Half<DF> d8;
      return hn::Combine(df, hn::Combine(d8, load(k + 12), load(k + 8)), hn::Combine(d8, load(k + 4), load(k)));
    }
  };
  const VF r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3);
  // Per block: t0 = a0 b0 a1 b1, t2 = c0 d0 c1 d1 (a..d = rows 0..3); 64-bit
  // interleaves then give a0 b0 c0 d0 (tap 0) and a1 b1 c1 d1 (tap 1).
  const hn::Repartition<uint64_t, DF> d64;
  auto lo64 = [&](VF a, VF b) {
    return hn::BitCast(df, hn::InterleaveLower(hn::BitCast(d64, a), hn::BitCast(d64, b)));
  };
  auto hi64 = [&](VF a, VF b) {
    return hn::BitCast(df, hn::InterleaveUpper(d64, hn::BitCast(d64, a), hn::BitCast(d64, b)));
  };
  const VF t0 = hn::InterleaveLower(r0, r1), t1 = hn::InterleaveUpper(df, r0, r1);
  const VF t2 = hn::InterleaveLower(r2, r3), t3 = hn::InterleaveUpper(df, r2, r3);
  y0 = lo64(t0, t2);
  y1 = hi64(t0, t2);
  y2 = lo64(t1, t3);
  y3 = hi64(t1, t3);
#endif
}

// CubicHermite() (SuperCollider's cubicinterp) on vectors.
template <class DF, class VF = hn::Vec<DF>>
HWY_INLINE VF Hermite(DF df, VF x, VF y0, VF y1, VF y2, VF y3) {
  const VF half = hn::Set(df, 0.5f);
  const VF c1 = hn::Mul(half, hn::Sub(y2, y0));
  const VF c2 = hn::Sub(hn::Add(hn::Sub(y0, hn::Mul(hn::Set(df, 2.5f), y1)), hn::Mul(hn::Set(df, 2.f), y2)),
                        hn::Mul(half, y3));
  const VF c3 = hn::Add(hn::Mul(half, hn::Sub(y3, y0)), hn::Mul(hn::Set(df, 1.5f), hn::Sub(y1, y2)));
  return hn::MulAdd(hn::MulAdd(hn::MulAdd(c3, x, c2), x, c1), x, y1);
}

// SvfState::Tick across lanes, filter k of `b` at lanes [j, j + N).
template <class DF, class VF = hn::Vec<DF>>
HWY_INLINE VF SvfTick(DF df, const LaneBlock& b, int k, size_t j, VF v0, VF& ic1, VF& ic2) {
  const VF a1 = hn::Load(df, b.a1[k] + j), a2 = hn::Load(df, b.a2[k] + j), a3 = hn::Load(df, b.a3[k] + j);
  const VF v3 = hn::Sub(v0, ic2);
  const VF v1 = hn::MulAdd(a2, v3, hn::Mul(a1, ic1));
  const VF v2 = hn::MulAdd(a3, v3, hn::MulAdd(a2, ic1, ic2));
  const VF two = hn::Set(df, 2.f);
  const VF s1 = hn::MulSub(two, v1, ic1);
  const VF s2 = hn::MulSub(two, v2, ic2);
  const auto silent = hn::Lt(hn::Add(hn::Abs(s1), hn::Abs(s2)), hn::Set(df, fx::kFlushBelow));
  ic1 = hn::IfThenZeroElse(silent, s1);
  ic2 = hn::IfThenZeroElse(silent, s2);
  const VF m0 = hn::Load(df, b.m0[k] + j), m1 = hn::Load(df, b.m1[k] + j), m2 = hn::Load(df, b.m2[k] + j);
  return hn::MulAdd(m2, v2, hn::MulAdd(m1, v1, hn::Mul(m0, v0)));
}

// Renders lanes [j, j + N) of `b` over block frames [t_begin, t_end), adding
// into acc (frame t at acc[(t - pass_begin) * N]). kMasked: some lanes start
// inside this range.
template <bool kStereo, int kFilters, bool kMasked>
HWY_NOINLINE void RenderVector(LaneBlock& b, size_t j, size_t t_begin, size_t t_end, size_t pass_begin,
                               bool any_fade, float* HWY_RESTRICT acc_l, float* HWY_RESTRICT acc_r) {
  const VoiceTag df;
  const hn::RebindToSigned<decltype(df)> di;
  using VF = hn::Vec<decltype(df)>;
  using VI = hn::Vec<decltype(di)>;
  const size_t N = hn::Lanes(df);

  VI frame = hn::Load(di, b.frame + j), frac = hn::Load(di, b.frac + j);
  VI step = hn::Load(di, b.step + j), step_frac = hn::Load(di, b.step_frac + j);
  const VI bound_frame = hn::Load(di, b.bound_frame + j), bound_frac = hn::Load(di, b.bound_frac + j);
  const VI loop_frames = hn::Load(di, b.loop_frames + j), loop_frac = hn::Load(di, b.loop_frac + j);
  const auto loop = hn::MaskFromVec(hn::Load(di, b.loop + j));
  const auto backward = hn::MaskFromVec(hn::Load(di, b.backward + j));
  auto alive = hn::MaskFromVec(hn::Load(di, b.alive + j));
  const VI start = hn::Load(di, b.start + j);
  VF env = hn::Load(df, b.env + j), slope = hn::Load(df, b.slope + j), dir = hn::Load(df, b.dir + j);
  VF target_dir = hn::Load(df, b.target_dir + j), target = hn::Load(df, b.target + j);
  VI stage = hn::Load(di, b.stage + j);
  VI gate = hn::Load(di, b.gate + j), gate_dec = hn::Load(di, b.gate_dec + j);
  VF fade = hn::Load(df, b.fade + j);
  const VF fade_dec = hn::Load(df, b.fade_dec + j);
  const VI fade_at = hn::Load(di, b.fade_at + j);
  const VF gain_l = hn::Load(df, b.gain_l + j), gain_r = hn::Load(df, b.gain_r + j);
  // Filter state, channel 0 (l) and 1 (r).
  VF f0l1 = hn::Load(df, b.ic1[0][0] + j), f0l2 = hn::Load(df, b.ic2[0][0] + j);
  VF f0r1 = hn::Load(df, b.ic1[0][1] + j), f0r2 = hn::Load(df, b.ic2[0][1] + j);
  VF f1l1 = hn::Load(df, b.ic1[1][0] + j), f1l2 = hn::Load(df, b.ic2[1][0] + j);
  VF f1r1 = hn::Load(df, b.ic1[1][1] + j), f1r2 = hn::Load(df, b.ic2[1][1] + j);
  VF f2l1 = hn::Load(df, b.ic1[2][0] + j), f2l2 = hn::Load(df, b.ic2[2][0] + j);
  VF f2r1 = hn::Load(df, b.ic1[2][1] + j), f2r2 = hn::Load(df, b.ic2[2][1] + j);

  const VI frac_mask = hn::Set(di, kFracMask);
  const VI one_i = hn::Set(di, 1);
  const VF q24_to_unit = hn::Set(df, 1.f / 16777216.f);
  const VF zero = hn::Zero(df);
  VI t_vec = hn::Set(di, static_cast<int32_t>(t_begin));

  for (size_t t = t_begin; t < t_end; ++t, t_vec = hn::Add(t_vec, one_i)) {
    // Lanes that play this frame.
    auto live = alive;
    VI step_now = step, step_frac_now = step_frac, gate_dec_now = gate_dec;
    VF slope_now = slope;
    if constexpr (kMasked) {
      const auto run = hn::Not(hn::Gt(start, t_vec));
      live = hn::And(live, run);
      step_now = hn::IfThenElseZero(run, step);
      step_frac_now = hn::IfThenElseZero(run, step_frac);
      gate_dec_now = hn::IfThenElseZero(run, gate_dec);
      slope_now = hn::IfThenElseZero(hn::RebindMask(df, run), slope);
    }

    // Bounds, before the read.
    const auto at_or_past = hn::Or(hn::Gt(frame, bound_frame),
                                   hn::AndNot(hn::Lt(frac, bound_frac), hn::Eq(frame, bound_frame)));
    const auto out = hn::And(hn::Xor(at_or_past, backward), live);
    if (HWY_UNLIKELY(!hn::AllFalse(di, out))) {
      const auto wrap = hn::And(out, loop);
      const auto kill = hn::AndNot(loop, out);
      const VI diff = hn::Sub(frac, loop_frac);  // borrow = sign bit
      frame = hn::IfThenElse(wrap, hn::Add(hn::Sub(frame, loop_frames), hn::ShiftRight<31>(diff)), frame);
      frac = hn::IfThenElse(wrap, hn::And(diff, frac_mask), frac);
      frame = hn::IfThenZeroElse(kill, frame);
      frac = hn::IfThenZeroElse(kill, frac);
      step = hn::IfThenZeroElse(kill, step);
      step_frac = hn::IfThenZeroElse(kill, step_frac);
      step_now = hn::IfThenZeroElse(kill, step_now);
      step_frac_now = hn::IfThenZeroElse(kill, step_frac_now);
      alive = hn::AndNot(kill, alive);
      live = hn::AndNot(kill, live);
    }
    const auto live_f = hn::RebindMask(df, live);

    // Read, then step.
    const VF x = hn::Mul(hn::ConvertTo(df, hn::ShiftRight<7>(frac)), q24_to_unit);
    VF y0, y1, y2, y3;
    FetchTaps(df, b.src_l + j, frame, y0, y1, y2, y3);
    VF yl = Hermite(df, x, y0, y1, y2, y3);
    VF yr = yl;
    if constexpr (kStereo) {
      FetchTaps(df, b.src_r + j, frame, y0, y1, y2, y3);
      yr = Hermite(df, x, y0, y1, y2, y3);
    }
    // Q31 fractions add below 2^32; bit 31 of the sum is the carry, and its
    // arithmetic shift is -1, so subtracting it adds the carry.
    const VI sum = hn::Add(frac, step_frac_now);
    frame = hn::Sub(hn::Add(frame, step_now), hn::ShiftRight<31>(sum));
    frac = hn::And(sum, frac_mask);

    // Envelope: one step of the current stage.
    const VF env_next = hn::Add(env, slope_now);
    const auto reached = hn::And(hn::Ge(hn::Mul(env_next, dir), target_dir), live_f);
    env = hn::IfThenElse(reached, target, env_next);
    auto ended = hn::FirstN(di, 0);  // none yet
    if (HWY_UNLIKELY(!hn::AllFalse(df, reached))) {
      const auto r = hn::RebindMask(di, reached);
      const auto from_attack = hn::And(r, hn::Eq(stage, hn::Zero(di)));
      const auto from_decay = hn::And(r, hn::Eq(stage, one_i));
      const auto from_release = hn::And(r, hn::Eq(stage, hn::Set(di, kStageRelease)));
      const auto fa = hn::RebindMask(df, from_attack), fd = hn::RebindMask(df, from_decay);
      const VF sustain = hn::Load(df, b.sustain + j);
      stage = hn::IfThenElse(from_attack, one_i, stage);
      slope = hn::IfThenElse(fa, hn::Load(df, b.decay_neg + j), slope);
      dir = hn::IfThenElse(fa, hn::Set(df, -1.f), dir);
      target_dir = hn::IfThenElse(fa, hn::Neg(sustain), target_dir);
      target = hn::IfThenElse(fa, sustain, target);
      stage = hn::IfThenElse(from_decay, hn::Set(di, kStageSustain), stage);
      slope = hn::IfThenZeroElse(fd, slope);
      dir = hn::IfThenElse(fd, hn::Set(df, 1.f), dir);
      target_dir = hn::IfThenElse(fd, hn::Set(df, std::numeric_limits<float>::infinity()), target_dir);
      ended = from_release;
    }
    // Gate: counts down in stages 0..2 of gated voices; at 0 the release
    // starts from the level reached.
    gate = hn::Sub(gate, gate_dec_now);
    const auto trig = hn::And(hn::Lt(gate, one_i), live);
    if (HWY_UNLIKELY(!hn::AllFalse(di, trig))) {
      const auto tf = hn::RebindMask(df, trig);
      const VF level = hn::Max(env, hn::Set(df, 1e-6f));
      VF release_dec;
#if HWY_ARCH_ARM_V7
      // ARMv7 NEON divides by reciprocal estimates: divide lane by lane so
      // the rate is the twin's, correctly rounded.
      HWY_ALIGN float lv[kL], rf[kL];
      hn::Store(level, df, lv);
      hn::Store(hn::Load(df, b.release_frames + j), df, rf);
      for (size_t k = 0; k < N; ++k) lv[k] /= rf[k];
      release_dec = hn::Load(df, lv);
#else
      release_dec = hn::Div(level, hn::Load(df, b.release_frames + j));
#endif
      stage = hn::IfThenElse(trig, hn::Set(di, kStageRelease), stage);
      slope = hn::IfThenElse(tf, hn::Neg(release_dec), slope);
      dir = hn::IfThenElse(tf, hn::Set(df, -1.f), dir);
      target_dir = hn::IfThenZeroElse(tf, target_dir);
      target = hn::IfThenZeroElse(tf, target);
      gate = hn::IfThenElse(trig, hn::Set(di, kNoGate), gate);
      gate_dec = hn::IfThenZeroElse(trig, gate_dec);
    }

    // Declick fade, from each lane's fade_at on.
    VF e = env;
    if (any_fade) {
      auto on = hn::RebindMask(df, hn::Not(hn::Gt(fade_at, t_vec)));
      if constexpr (kMasked) on = hn::And(on, live_f);
      const VF faded = hn::Sub(fade, hn::IfThenElseZero(on, fade_dec));
      const auto gone = hn::Le(faded, zero);
      fade = hn::IfThenZeroElse(gone, faded);
      ended = hn::Or(ended, hn::RebindMask(di, hn::And(gone, live_f)));
      e = hn::Mul(e, fade);
    }

    // Filters, then gain into the accumulators.
    if constexpr (kMasked) {
      // Not started: a fresh filter fed zeros stays exactly zero.
      yl = hn::IfThenElseZero(live_f, yl);
      if constexpr (kStereo) yr = hn::IfThenElseZero(live_f, yr);
    }
    if constexpr (kFilters >= 1) {
      yl = SvfTick(df, b, 0, j, yl, f0l1, f0l2);
      if constexpr (kStereo) yr = SvfTick(df, b, 0, j, yr, f0r1, f0r2);
    }
    if constexpr (kFilters >= 2) {
      yl = SvfTick(df, b, 1, j, yl, f1l1, f1l2);
      if constexpr (kStereo) yr = SvfTick(df, b, 1, j, yr, f1r1, f1r2);
    }
    if constexpr (kFilters >= 3) {
      yl = SvfTick(df, b, 2, j, yl, f2l1, f2l2);
      if constexpr (kStereo) yr = SvfTick(df, b, 2, j, yr, f2r1, f2r2);
    }
    const VF ol = hn::IfThenElseZero(live_f, hn::Mul(yl, e));
    const VF orr = kStereo ? hn::IfThenElseZero(live_f, hn::Mul(yr, e)) : ol;
    float* HWY_RESTRICT pl = acc_l + (t - pass_begin) * N;
    float* HWY_RESTRICT pr = acc_r + (t - pass_begin) * N;
    hn::Store(hn::MulAdd(ol, gain_l, hn::Load(df, pl)), df, pl);
    hn::Store(hn::MulAdd(orr, gain_r, hn::Load(df, pr)), df, pr);

    // Voices whose envelope or fade ended this frame: park them on frame 0.
    if (HWY_UNLIKELY(!hn::AllFalse(di, ended))) {
      alive = hn::AndNot(ended, alive);
      frame = hn::IfThenZeroElse(ended, frame);
      frac = hn::IfThenZeroElse(ended, frac);
      step = hn::IfThenZeroElse(ended, step);
      step_frac = hn::IfThenZeroElse(ended, step_frac);
    }
  }

  hn::Store(frame, di, b.frame + j);
  hn::Store(frac, di, b.frac + j);
  hn::Store(step, di, b.step + j);
  hn::Store(step_frac, di, b.step_frac + j);
  hn::Store(hn::VecFromMask(di, alive), di, b.alive + j);
  hn::Store(env, df, b.env + j);
  hn::Store(slope, df, b.slope + j);
  hn::Store(dir, df, b.dir + j);
  hn::Store(target_dir, df, b.target_dir + j);
  hn::Store(target, df, b.target + j);
  hn::Store(stage, di, b.stage + j);
  hn::Store(gate, di, b.gate + j);
  hn::Store(gate_dec, di, b.gate_dec + j);
  hn::Store(fade, df, b.fade + j);
  if constexpr (kFilters >= 1) {
    hn::Store(f0l1, df, b.ic1[0][0] + j), hn::Store(f0l2, df, b.ic2[0][0] + j);
    hn::Store(f0r1, df, b.ic1[0][1] + j), hn::Store(f0r2, df, b.ic2[0][1] + j);
  }
  if constexpr (kFilters >= 2) {
    hn::Store(f1l1, df, b.ic1[1][0] + j), hn::Store(f1l2, df, b.ic2[1][0] + j);
    hn::Store(f1r1, df, b.ic1[1][1] + j), hn::Store(f1r2, df, b.ic2[1][1] + j);
  }
  if constexpr (kFilters >= 3) {
    hn::Store(f2l1, df, b.ic1[2][0] + j), hn::Store(f2l2, df, b.ic2[2][0] + j);
    hn::Store(f2r1, df, b.ic1[2][1] + j), hn::Store(f2r2, df, b.ic2[2][1] + j);
  }
}

template <bool kStereo, int kFilters>
HWY_INLINE void RenderRange(LaneBlock& b, size_t j, size_t t_begin, size_t t_end, size_t pass_begin,
                            size_t last_start, bool any_fade, float* acc_l, float* acc_r) {
  const size_t masked_end = std::min(std::max(last_start, t_begin), t_end);
  if (masked_end > t_begin) {
    RenderVector<kStereo, kFilters, true>(b, j, t_begin, masked_end, pass_begin, any_fade, acc_l, acc_r);
  }
  if (t_end > masked_end) {
    RenderVector<kStereo, kFilters, false>(b, j, masked_end, t_end, pass_begin, any_fade, acc_l, acc_r);
  }
}

template <bool kStereo>
HWY_INLINE void RenderGroup(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t n, size_t frames,
                            float* out_l, float* out_r) {
  const VoiceTag df;
  const size_t N = hn::Lanes(df);
  // Lanes ordered by filter count (stable, so the order depends on the slots
  // only): a vector runs the filters its busiest lane needs, so voices
  // without filters should share vectors.
  uint32_t ordered[kL];
  size_t m = 0;
  for (int nf = 0; nf <= kMaxVoiceFilters; ++nf)
    for (size_t i = 0; i < n; ++i)
      if (std::min<int>(lanes.filter_count[slots[i]], kMaxVoiceFilters) == nf) ordered[m++] = slots[i];
  slots = ordered;
  LaneBlock b;
  LoadLanes(lanes, slots, n, kStereo, frames, b);
  const size_t padded = (n + N - 1) / N * N;
  HWY_ALIGN float acc[2 * kKernelPassFrames * kL];
  for (size_t p0 = 0; p0 < frames; p0 += kKernelPassFrames) {
    const size_t len = std::min(kKernelPassFrames, frames - p0);
    float* acc_l = acc;
    float* acc_r = acc + len * N;
    std::memset(acc, 0, 2 * len * N * sizeof(float));
    for (size_t j = 0; j < padded; j += N) {
      // Chunk-level decisions, once per vector and pass.
      bool any_alive = false, any_fade = false;
      size_t last_start = 0;
      int nf = 0;
      for (size_t k = j; k < j + N; ++k) {
        any_alive |= b.alive[k] != 0;
        any_fade |= b.fade_dec[k] != 0.f;
        last_start = std::max(last_start, static_cast<size_t>(b.start[k]));
        nf = std::max(nf, b.filter_count[k]);
      }
      if (!any_alive) continue;
      const size_t p1 = p0 + len;
      switch (nf) {
        case 0:
          RenderRange<kStereo, 0>(b, j, p0, p1, p0, last_start, any_fade, acc_l, acc_r);
          break;
        case 1:
          RenderRange<kStereo, 1>(b, j, p0, p1, p0, last_start, any_fade, acc_l, acc_r);
          break;
        case 2:
          RenderRange<kStereo, 2>(b, j, p0, p1, p0, last_start, any_fade, acc_l, acc_r);
          break;
        default:
          RenderRange<kStereo, 3>(b, j, p0, p1, p0, last_start, any_fade, acc_l, acc_r);
          break;
      }
    }
    ReduceLanesAdd(df, acc_l, len, out_l + p0);
    ReduceLanesAdd(df, acc_r, len, out_r + p0);
  }
  StoreLanes(b, lanes, slots, n);
}

}  // namespace engine_voices

// The per-target kernel (see RenderEngineSampleVoices in engine_voices.h).
inline void RenderEngineSampleVoicesT(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count,
                                      bool stereo, size_t frames, float* out_l, float* out_r) {
  for (size_t first = 0; first < count; first += engine_voices::kL) {
    const size_t n = std::min(engine_voices::kL, count - first);
    if (stereo) {
      engine_voices::RenderGroup<true>(lanes, slots + first, n, frames, out_l, out_r);
    } else {
      engine_voices::RenderGroup<false>(lanes, slots + first, n, frames, out_l, out_r);
    }
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
