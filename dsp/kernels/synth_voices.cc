// Highway version of the synth-voice kernel (W2): per voice vector, a PolyBLEP
// saw and SuperCollider's RLPF streamed through the block, per-voice constants
// hoisted out of the frame loop, adding into a lane-wise accumulator reduced to
// stereo once per pass. Must match synth_voices_scalar.cc within tolerance.
#include <algorithm>
#include <cstring>

#include "dsp/kernels/synth_voices.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/synth_voices.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "dsp/kernels/voice_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D, class V>
HWY_INLINE V ZapGremlinsV(D d, V x) {
  const auto a = hn::Abs(x);
  const auto keep = hn::And(hn::Gt(a, hn::Set(d, 1e-15f)),
                            hn::Lt(a, hn::Set(d, 1e15f)));
  return hn::IfThenElseZero(keep, x);
}

HWY_INLINE void RenderVoiceVector(const SynthVoices& v, size_t first,
                                  size_t frames, float* HWY_RESTRICT acc_l,
                                  float* HWY_RESTRICT acc_r) {
  const VoiceTag df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::RebindToUnsigned<decltype(df)> du;
  const size_t N = hn::Lanes(df);

  auto phase = hn::BitCast(du, hn::LoadU(di, v.phase_q32 + first));
  const auto inc = hn::BitCast(du, hn::LoadU(di, v.phase_inc_q32 + first));
  const auto a0 = hn::LoadU(df, v.a0 + first);
  const auto b1 = hn::LoadU(df, v.b1 + first);
  const auto c = hn::LoadU(df, v.c + first);

  // PolyBlepSaw() at twice its level (2t - 1 - hi^2 + lo^2), so the filter
  // runs at twice the level too and the 0.5 moves into the gains. Scaling by
  // a power of two is exact and the filter is linear: this saves a multiply
  // per frame; the stored state stays at the twin's level.
  const auto half = hn::Set(df, 0.5f);
  const auto two = hn::Set(df, 2.f);
  auto w1 = hn::Mul(two, hn::LoadU(df, v.w1 + first));
  auto w2 = hn::Mul(two, hn::LoadU(df, v.w2 + first));
  const auto inv_dt = hn::LoadU(df, v.inv_dt + first);
  const auto gain_l = hn::Mul(half, hn::LoadU(df, v.gain_l + first));
  const auto gain_r = hn::Mul(half, hn::LoadU(df, v.gain_r + first));
  const auto q24_to_unit = hn::Set(df, 1.f / 16777216.f);
  const auto zero = hn::Zero(df);
  const auto one = hn::Set(df, 1.f);
  const auto minus_one = hn::Set(df, -1.f);

  for (size_t t = 0; t < frames; ++t) {
    const auto u = hn::Mul(
        hn::ConvertTo(df, hn::BitCast(di, hn::ShiftRight<8>(phase))),
        q24_to_unit);
    const auto lo = hn::Max(zero, hn::NegMulAdd(u, inv_dt, one));
    const auto hi = hn::Max(zero, hn::MulAdd(hn::Sub(u, one), inv_dt, one));
    const auto ramp = hn::MulAdd(two, u, minus_one);  // 2t - 1
    const auto x = hn::MulAdd(lo, lo, hn::NegMulAdd(hi, hi, ramp));

    // RLPF: w = a0 x + b1 w1 - c w2; y = w + 2 w1 + w2.
    const auto w = hn::MulAdd(b1, w1, hn::NegMulAdd(c, w2, hn::Mul(a0, x)));
    const auto y = hn::Add(hn::MulAdd(two, w1, w), w2);
    w2 = w1;
    w1 = w;

    float* HWY_RESTRICT pl = acc_l + t * N;
    float* HWY_RESTRICT pr = acc_r + t * N;
    hn::Store(hn::MulAdd(y, gain_l, hn::Load(df, pl)), df, pl);
    hn::Store(hn::MulAdd(y, gain_r, hn::Load(df, pr)), df, pr);

    phase = hn::Add(phase, inc);  // wraps modulo 2^32: one turn
  }

  hn::StoreU(hn::BitCast(di, phase), di, v.phase_q32 + first);
  // Once per pass, as SuperCollider zaps once per block.
  hn::StoreU(ZapGremlinsV(df, hn::Mul(half, w1)), df, v.w1 + first);
  hn::StoreU(ZapGremlinsV(df, hn::Mul(half, w2)), df, v.w2 + first);
}

void RenderSynthVoicesImpl(const SynthVoices& voices, size_t voice_count,
                           size_t frames, float* out_l, float* out_r) {
  if (voice_count == 0 || frames == 0) return;
  const VoiceTag df;
  const size_t N = hn::Lanes(df);
  HWY_ALIGN float acc[2 * kSubBlockFrames * kMaxVoiceLanes];

  // The last, partial vector runs on a padded copy whose spare lanes are
  // silent voices (all zero: no phase increment, no gain).
  const size_t full = voice_count / N * N;
  const size_t tail = voice_count - full;
  HWY_ALIGN int32_t t_phase[kMaxVoiceLanes];
  HWY_ALIGN int32_t t_inc[kMaxVoiceLanes];
  HWY_ALIGN float t_f[8][kMaxVoiceLanes];
  const SynthVoices tv{t_phase, t_inc,   t_f[0], t_f[1], t_f[2], t_f[3],
                       t_f[4],  t_f[5],  t_f[6], t_f[7]};
  if (tail != 0) {
    std::memset(t_phase, 0, sizeof(t_phase));
    std::memset(t_inc, 0, sizeof(t_inc));
    std::memset(t_f, 0, sizeof(t_f));
    const SynthVoices src = voices.Slice(full);
    std::memcpy(t_phase, src.phase_q32, tail * sizeof(int32_t));
    std::memcpy(t_inc, src.phase_inc_q32, tail * sizeof(int32_t));
    const float* fields[8] = {src.inv_dt, src.a0, src.b1, src.c,
                              src.w1,     src.w2, src.gain_l, src.gain_r};
    for (size_t f = 0; f < 8; ++f) {
      std::memcpy(t_f[f], fields[f], tail * sizeof(float));
    }
  }

  for (size_t f0 = 0; f0 < frames; f0 += kSubBlockFrames) {
    const size_t n = std::min(kSubBlockFrames, frames - f0);
    float* acc_l = acc;
    float* acc_r = acc + n * N;
    std::memset(acc, 0, 2 * n * N * sizeof(float));
    for (size_t i = 0; i < full; i += N) {
      RenderVoiceVector(voices, i, n, acc_l, acc_r);
    }
    if (tail != 0) RenderVoiceVector(tv, 0, n, acc_l, acc_r);
    ReduceLanesAdd(df, acc_l, n, out_l + f0);
    ReduceLanesAdd(df, acc_r, n, out_r + f0);
  }

  if (tail != 0) {
    const SynthVoices dst = voices.Slice(full);
    std::memcpy(dst.phase_q32, t_phase, tail * sizeof(int32_t));
    std::memcpy(dst.w1, tv.w1, tail * sizeof(float));
    std::memcpy(dst.w2, tv.w2, tail * sizeof(float));
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(RenderSynthVoicesImpl);

void RenderSynthVoices(const SynthVoices& voices, size_t voice_count,
                       size_t frames, float* out_l, float* out_r) {
  HWY_DYNAMIC_DISPATCH(RenderSynthVoicesImpl)
  (voices, voice_count, frames, out_l, out_r);
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
