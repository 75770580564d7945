// Highway versions of the sample-voice kernels (W1): one vector = one field of
// N voices; each voice vector streams through the block, fetching its four
// (cubic) or two (linear) taps per frame, and adds into a lane-wise
// accumulator that is reduced to stereo once per pass. Compiled once per
// target; must match sample_voices_scalar.cc within the tests' tolerance.
//
// Two ways to fetch the taps, same results bit for bit:
// - kGather: one GatherIndex per tap (4 or 2 per frame).
// - kRows: one unaligned 16-byte load per voice (its four consecutive taps),
//   then a 4x4 transpose within each 128-bit block. On the Zen 3 this was
//   tuned on, an 8-lane vgatherdps costs ~12 cycles, so four of them are
//   most of a cubic frame; the row loads plus 8 shuffles cost ~14 cycles for
//   all four taps of 8 voices (measured 3.5x faster). kRows needs 128-bit
//   blocks, so scalable (SVE, RVV) and 1-lane targets always gather.
#include <algorithm>
#include <cstring>

#include "dsp/kernels/sample_voices.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/sample_voices.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "dsp/kernels/voice_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

enum class Fetch { kGather, kRows };

#if HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE
constexpr bool kHaveRows = false;
#else
constexpr bool kHaveRows = true;
#endif

// The taps at frame-1 .. frame+2 of every lane (only y1, y2 when !kCubic).
template <Fetch kFetch, bool kCubic, class D, class VI, class V = hn::Vec<D>>
HWY_INLINE void FetchTaps(D df, const float* HWY_RESTRICT data, VI frame,
                          V& y0, V& y1, V& y2, V& y3) {
  if constexpr (kFetch == Fetch::kGather || !kHaveRows) {
    if constexpr (kCubic) y0 = hn::GatherIndex(df, data - 1, frame);
    y1 = hn::GatherIndex(df, data, frame);
    y2 = hn::GatherIndex(df, data + 1, frame);
    if constexpr (kCubic) y3 = hn::GatherIndex(df, data + 2, frame);
  } else {
#if !(HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE)
    constexpr size_t N = hn::MaxLanes(df);
    static_assert(N == 4 || N == 8 || N == 16);
    const hn::RebindToSigned<D> di;
    const hn::Full128<float> d4;
    HWY_ALIGN int32_t ix[N];
    hn::Store(frame, di, ix);
    // Row k holds, in 128-bit block b, the taps of voice 4b + k; cubic rows
    // start at frame-1, linear rows at frame (3 guard frames make both safe).
    const float* HWY_RESTRICT p = kCubic ? data - 1 : data;
    auto row = [&](size_t k) {
      if constexpr (N == 4) {
        return hn::LoadU(d4, p + ix[k]);
      } else if constexpr (N == 8) {
        return hn::Combine(df, hn::LoadU(d4, p + ix[k + 4]),
                           hn::LoadU(d4, p + ix[k]));
      } else {
        const hn::Half<D> d8;
        return hn::Combine(
            df,
            hn::Combine(d8, hn::LoadU(d4, p + ix[k + 12]),
                        hn::LoadU(d4, p + ix[k + 8])),
            hn::Combine(d8, hn::LoadU(d4, p + ix[k + 4]),
                        hn::LoadU(d4, p + ix[k])));
      }
    };
    const auto r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3);
    // Per block: t0 = a0 b0 a1 b1, t2 = c0 d0 c1 d1 (a..d = rows 0..3), then
    // 64-bit interleaves give a0 b0 c0 d0 = first tap, a1 b1 c1 d1 = second.
    const hn::Repartition<uint64_t, D> d64;
    auto lo64 = [&](V a, V b) {
      return hn::BitCast(df, hn::InterleaveLower(hn::BitCast(d64, a),
                                                 hn::BitCast(d64, b)));
    };
    auto hi64 = [&](V a, V b) {
      return hn::BitCast(df, hn::InterleaveUpper(d64, hn::BitCast(d64, a),
                                                 hn::BitCast(d64, b)));
    };
    const V t0 = hn::InterleaveLower(r0, r1);
    const V t2 = hn::InterleaveLower(r2, r3);
    if constexpr (kCubic) {
      const V t1 = hn::InterleaveUpper(df, r0, r1);
      const V t3 = hn::InterleaveUpper(df, r2, r3);
      y0 = lo64(t0, t2);
      y1 = hi64(t0, t2);
      y2 = lo64(t1, t3);
      y3 = hi64(t1, t3);
    } else {
      y1 = lo64(t0, t2);
      y2 = hi64(t0, t2);
    }
#endif
  }
}

// Renders one whole vector of voices starting at voice `first` for `frames`
// (<= kSubBlockFrames) frames into the lane-wise accumulators.
template <Fetch kFetch, bool kCubic>
HWY_INLINE void RenderVoiceVector(const LoopedSample& sample,
                                  const SampleVoices& v, size_t first,
                                  size_t frames, float* HWY_RESTRICT acc_l,
                                  float* HWY_RESTRICT acc_r) {
  const VoiceTag df;
  const hn::RebindToSigned<decltype(df)> di;
  using V = hn::Vec<decltype(df)>;
  const size_t N = hn::Lanes(df);
  const float* HWY_RESTRICT data = sample.data;

  auto frame = hn::LoadU(di, v.frame + first);
  auto frac = hn::LoadU(di, v.frac_q31 + first);
  auto age = hn::LoadU(di, v.age_frames + first);
  const auto step = hn::LoadU(di, v.step_frames + first);
  const auto step_frac = hn::LoadU(di, v.step_frac_q31 + first);
  const auto end = hn::LoadU(di, v.end_frames + first);
  const auto attack = hn::LoadU(df, v.attack_slope + first);
  const auto release = hn::LoadU(df, v.release_slope + first);
  const auto gain_l = hn::LoadU(df, v.gain_l + first);
  const auto gain_r = hn::LoadU(df, v.gain_r + first);

  const auto loop = hn::Set(di, sample.loop_frames);
  const auto last = hn::Set(di, sample.loop_frames - 1);
  const auto frac_bits = hn::Set(di, 0x7fffffff);
  const auto one_i = hn::Set(di, 1);
  const auto q24_to_unit = hn::Set(df, 1.f / 16777216.f);
  const auto zero = hn::Zero(df);
  const auto one = hn::Set(df, 1.f);

  for (size_t t = 0; t < frames; ++t) {
    // Fraction: top 24 of the 31 bits, so the conversion is exact and < 1.
    const auto x = hn::Mul(hn::ConvertTo(df, hn::ShiftRight<7>(frac)),
                           q24_to_unit);
    V y0, y1, y2, y3;
    FetchTaps<kFetch, kCubic>(df, data, frame, y0, y1, y2, y3);
    V y;
    if constexpr (kCubic) {
      // CubicHermite() with fused multiply-adds.
      const auto c1 = hn::Mul(hn::Set(df, 0.5f), hn::Sub(y2, y0));
      const auto c2 = hn::NegMulAdd(
          hn::Set(df, 0.5f), y3,
          hn::MulAdd(hn::Set(df, 2.f), y2,
                     hn::NegMulAdd(hn::Set(df, 2.5f), y1, y0)));
      const auto c3 = hn::MulAdd(hn::Set(df, 1.5f), hn::Sub(y1, y2),
                                 hn::Mul(hn::Set(df, 0.5f), hn::Sub(y3, y0)));
      y = hn::MulAdd(hn::MulAdd(hn::MulAdd(c3, x, c2), x, c1), x, y1);
    } else {
      y = hn::MulAdd(x, hn::Sub(y2, y1), y1);
    }

    // Envelope, exactly as the scalar twin computes it.
    const auto up = hn::Mul(hn::ConvertTo(df, age), attack);
    const auto down = hn::Mul(hn::ConvertTo(df, hn::Sub(end, age)), release);
    const auto env = hn::Max(zero, hn::Min(hn::Min(up, down), one));
    y = hn::Mul(y, env);

    float* HWY_RESTRICT pl = acc_l + t * N;
    float* HWY_RESTRICT pr = acc_r + t * N;
    hn::Store(hn::MulAdd(y, gain_l, hn::Load(df, pl)), df, pl);
    hn::Store(hn::MulAdd(y, gain_r, hn::Load(df, pr)), df, pr);

    // Advance: add the Q0.31 fractions; bit 31 of the sum is the carry, and
    // its arithmetic shift is -1, so subtracting it adds the carry.
    const auto sum = hn::Add(frac, step_frac);
    frame = hn::Sub(hn::Add(frame, step), hn::ShiftRight<31>(sum));
    frac = hn::And(sum, frac_bits);
    // frame < 2 * loop (step < loop), so one conditional wrap suffices.
    frame = hn::Sub(frame, hn::IfThenElseZero(hn::Gt(frame, last), loop));
    age = hn::Add(age, one_i);
  }

  hn::StoreU(frame, di, v.frame + first);
  hn::StoreU(frac, di, v.frac_q31 + first);
  hn::StoreU(hn::Min(age, end), di, v.age_frames + first);
}

template <Fetch kFetch, bool kCubic>
void RenderSampleVoicesT(const LoopedSample& sample, const SampleVoices& voices,
                         size_t voice_count, size_t frames, float* out_l,
                         float* out_r) {
  if (voice_count == 0 || frames == 0) return;
  const VoiceTag df;
  const size_t N = hn::Lanes(df);
  HWY_ALIGN float acc[2 * kSubBlockFrames * kMaxVoiceLanes];

  // The last, partial vector runs on a padded copy whose spare lanes hold
  // silent voices (envelope 0, gain 0, frame 0), so the hot loop is unmasked.
  const size_t full = voice_count / N * N;
  const size_t tail = voice_count - full;
  HWY_ALIGN int32_t t_i[6][kMaxVoiceLanes];
  HWY_ALIGN float t_f[4][kMaxVoiceLanes];
  const SampleVoices tv{t_i[0], t_i[1], t_i[2], t_i[3], t_i[4],
                        t_i[5], t_f[0], t_f[1], t_f[2], t_f[3]};
  if (tail != 0) {
    std::memset(t_i, 0, sizeof(t_i));
    std::memset(t_f, 0, sizeof(t_f));
    const SampleVoices src = voices.Slice(full);
    const int32_t* ints[6] = {src.frame,         src.frac_q31,
                              src.step_frames,   src.step_frac_q31,
                              src.age_frames,    src.end_frames};
    const float* floats[4] = {src.attack_slope, src.release_slope, src.gain_l,
                              src.gain_r};
    for (size_t k = 0; k < 6; ++k) {
      std::memcpy(t_i[k], ints[k], tail * sizeof(int32_t));
    }
    for (size_t k = 0; k < 4; ++k) {
      std::memcpy(t_f[k], floats[k], tail * sizeof(float));
    }
  }

  for (size_t f0 = 0; f0 < frames; f0 += kSubBlockFrames) {
    const size_t n = std::min(kSubBlockFrames, frames - f0);
    float* acc_l = acc;
    float* acc_r = acc + n * N;
    std::memset(acc, 0, 2 * n * N * sizeof(float));
    for (size_t i = 0; i < full; i += N) {
      RenderVoiceVector<kFetch, kCubic>(sample, voices, i, n, acc_l, acc_r);
    }
    if (tail != 0) {
      RenderVoiceVector<kFetch, kCubic>(sample, tv, 0, n, acc_l, acc_r);
    }
    ReduceLanesAdd(df, acc_l, n, out_l + f0);
    ReduceLanesAdd(df, acc_r, n, out_r + f0);
  }

  if (tail != 0) {
    const SampleVoices dst = voices.Slice(full);
    const size_t i32 = tail * sizeof(int32_t);
    std::memcpy(dst.frame, tv.frame, i32);
    std::memcpy(dst.frac_q31, tv.frac_q31, i32);
    std::memcpy(dst.age_frames, tv.age_frames, i32);
  }
}

#define GB_SAMPLE_KERNEL(name, fetch, cubic)                                \
  void name(const LoopedSample& sample, const SampleVoices& voices,         \
            size_t voice_count, size_t frames, float* out_l, float* out_r) { \
    RenderSampleVoicesT<fetch, cubic>(sample, voices, voice_count, frames,  \
                                      out_l, out_r);                        \
  }
GB_SAMPLE_KERNEL(RenderSampleVoicesCubicImpl, Fetch::kRows, true)
GB_SAMPLE_KERNEL(RenderSampleVoicesLinearImpl, Fetch::kRows, false)
GB_SAMPLE_KERNEL(RenderSampleVoicesCubicGatherImpl, Fetch::kGather, true)
GB_SAMPLE_KERNEL(RenderSampleVoicesLinearGatherImpl, Fetch::kGather, false)
#undef GB_SAMPLE_KERNEL

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(RenderSampleVoicesCubicImpl);
HWY_EXPORT(RenderSampleVoicesLinearImpl);
HWY_EXPORT(RenderSampleVoicesCubicGatherImpl);
HWY_EXPORT(RenderSampleVoicesLinearGatherImpl);

#define GB_SAMPLE_DISPATCH(name)                                             \
  void name(const LoopedSample& sample, const SampleVoices& voices,          \
            size_t voice_count, size_t frames, float* out_l, float* out_r) { \
    HWY_DYNAMIC_DISPATCH(name##Impl)                                         \
    (sample, voices, voice_count, frames, out_l, out_r);                     \
  }
GB_SAMPLE_DISPATCH(RenderSampleVoicesCubic)
GB_SAMPLE_DISPATCH(RenderSampleVoicesLinear)
GB_SAMPLE_DISPATCH(RenderSampleVoicesCubicGather)
GB_SAMPLE_DISPATCH(RenderSampleVoicesLinearGather)
#undef GB_SAMPLE_DISPATCH

}  // namespace gb::dsp
#endif  // HWY_ONCE
