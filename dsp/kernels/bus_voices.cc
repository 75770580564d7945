// Highway version of the bus-voice kernel (see bus_voices.h): a vector holds
// the same field of up to 16 voices; the phase is two uint32 words with a
// carry (unsigned compares through the sign flip, which every target has).
// Frames run in 16-frame segments (the coefficient period); each segment's
// outputs go to a frame-major tile on the stack and are transposed into the
// voices' buffers, which is what the engine's per-voice envelope reads.
#include "dsp/kernels/bus_voices.h"

#include <algorithm>

#include "dsp/fx/fx_common.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/bus_voices.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

using DF = hn::CappedTag<float, kMaxBusVoiceLanes>;
using DU = hn::RebindToUnsigned<DF>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VU = hn::Vec<DU>;
using MI = hn::Mask<DI>;

// a < b as unsigned words.
HWY_INLINE MI ULt(VU a, VU b) {
  const DU du;
  const DI di;
  const VU sign = hn::Set(du, 0x80000000u);
  return hn::Lt(hn::BitCast(di, hn::Xor(a, sign)), hn::BitCast(di, hn::Xor(b, sign)));
}

// The twin's Turn and TurnLeft (bus_voices_scalar.cc).
HWY_INLINE VF Turn(VU hi) {
  const DF d;
  const DI di;
  return hn::Mul(hn::ConvertTo(d, hn::BitCast(di, hn::ShiftRight<1>(hi))), hn::Set(d, 1.f / 2147483648.f));
}
HWY_INLINE VF TurnLeft(VU hi) {
  const DF d;
  const DI di;
  return hn::Mul(hn::ConvertTo(d, hn::BitCast(di, hn::ShiftRight<1>(hn::Not(hi)))),
                 hn::Set(d, 1.f / 2147483648.f));
}

HWY_INLINE VF Blep(VU hi, VF inv_dt) {
  const DF d;
  const VF one = hn::Set(d, 1.f);
  const VF lo = hn::Max(hn::Zero(d), hn::Sub(one, hn::Mul(Turn(hi), inv_dt)));
  const VF up = hn::Max(hn::Zero(d), hn::Sub(one, hn::Mul(TurnLeft(hi), inv_dt)));
  return hn::Sub(hn::Mul(up, up), hn::Mul(lo, lo));
}

// Square/pulse at width w: +-1 plus the residuals at both edges.
HWY_INLINE VF Pulse(VU hi, VU lo, VU w_hi, VU w_lo, VF inv_dt) {
  const DF d;
  const DU du;
  const DI di;
  const MI lo_below = ULt(lo, w_lo);
  const MI below = hn::Or(ULt(hi, w_hi), hn::And(hn::Eq(hn::BitCast(di, hi), hn::BitCast(di, w_hi)), lo_below));
  const VF sign = hn::IfThenElse(hn::RebindMask(d, below), hn::Set(d, 1.f), hn::Set(d, -1.f));
  const VU hi2 = hn::Add(hn::Sub(hi, w_hi), hn::BitCast(du, hn::VecFromMask(di, lo_below)));
  return hn::Sub(hn::Add(sign, Blep(hi, inv_dt)), Blep(hi2, inv_dt));
}

// SvfState::Tick across lanes, coefficients shared (broadcast; the compiler
// hoists the broadcasts out of the frame loop). No arrays or structs of
// vectors: scalable targets (SVE) cannot hold them.
HWY_INLINE VF Tick(const SvfCoefficients& c, VF& ic1, VF& ic2, VF v0) {
  const DF d;
  const VF v3 = hn::Sub(v0, ic2);
  const VF v1 = hn::Add(hn::Mul(hn::Set(d, c.a1), ic1), hn::Mul(hn::Set(d, c.a2), v3));
  const VF v2 = hn::Add(hn::Add(ic2, hn::Mul(hn::Set(d, c.a2), ic1)), hn::Mul(hn::Set(d, c.a3), v3));
  const VF two = hn::Set(d, 2.f);
  const VF s1 = hn::Sub(hn::Mul(two, v1), ic1);
  const VF s2 = hn::Sub(hn::Mul(two, v2), ic2);
  const auto silent = hn::Lt(hn::Add(hn::Abs(s1), hn::Abs(s2)), hn::Set(d, fx::kFlushBelow));
  ic1 = hn::IfThenZeroElse(silent, s1);
  ic2 = hn::IfThenZeroElse(silent, s2);
  return hn::Add(hn::Add(hn::Mul(hn::Set(d, c.m0), v0), hn::Mul(hn::Set(d, c.m1), v1)),
                 hn::Mul(hn::Set(d, c.m2), v2));
}

template <BusOsc kOsc, size_t kFilters>
void RenderGroup(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t g0, size_t live,
                 const SvfCoefficients* coefs, size_t frames, float* const* out) {
  const DF d;
  const DU du;
  const DI di;
  const size_t n = hn::Lanes(d);
  const size_t segments = (frames + kBusVoiceSegment - 1) / kBusVoiceSegment;
  VU hi = hn::LoadU(du, lanes.phase_hi + g0);
  VU lo = hn::LoadU(du, lanes.phase_lo + g0);
  const VU inc_hi = hn::LoadU(du, lanes.inc_hi + g0);
  const VU inc_lo = hn::LoadU(du, lanes.inc_lo + g0);
  const VF inv_dt = hn::LoadU(d, lanes.inv_dt + g0);
  const VF dt4 = hn::LoadU(d, lanes.dt4 + g0);
  VF y = hn::LoadU(d, lanes.tri_y + g0);
  const bool pulse = kOsc == BusOsc::kPulse;
  const VU w_hi = hn::Set(du, pulse ? shape.width_hi : 0x80000000u);
  const VU w_lo = hn::Set(du, pulse ? shape.width_lo : 0u);
  VF ic1a = hn::LoadU(d, lanes.ic1[0] + g0), ic2a = hn::LoadU(d, lanes.ic2[0] + g0);
  VF ic1b = hn::LoadU(d, lanes.ic1[1] + g0), ic2b = hn::LoadU(d, lanes.ic2[1] + g0);
  HWY_ALIGN float tile[kBusVoiceSegment * kMaxBusVoiceLanes];
  for (size_t s = 0; s < segments; ++s) {
    const SvfCoefficients ca = kFilters > 0 ? coefs[s] : SvfCoefficients{};
    const SvfCoefficients cb = kFilters > 1 ? coefs[segments + s] : SvfCoefficients{};
    const size_t i0 = s * kBusVoiceSegment;
    const size_t len = std::min(kBusVoiceSegment, frames - i0);
    for (size_t j = 0; j < len; ++j) {
      VF x;
      if constexpr (kOsc == BusOsc::kSaw) {
        x = hn::Sub(hn::Sub(hn::Mul(hn::Set(d, 2.f), Turn(hi)), hn::Set(d, 1.f)), Blep(hi, inv_dt));
      } else if constexpr (kOsc == BusOsc::kTri) {
        const VF sq = Pulse(hi, lo, w_hi, w_lo, inv_dt);
        y = hn::Add(hn::Mul(hn::Set(d, 0.999f), y), hn::Mul(dt4, sq));
        y = hn::IfThenZeroElse(hn::Lt(hn::Abs(y), hn::Set(d, 1e-20f)), y);
        x = y;
      } else if constexpr (kOsc == BusOsc::kSine) {
        x = hn::Sin(d, hn::Mul(hn::Set(d, 6.28318530717958647692f), Turn(hi)));
      } else {
        x = Pulse(hi, lo, w_hi, w_lo, inv_dt);
      }
      if constexpr (kFilters > 0) x = Tick(ca, ic1a, ic2a, x);
      if constexpr (kFilters > 1) x = Tick(cb, ic1b, ic2b, x);
      hn::Store(x, d, tile + j * n);
      lo = hn::Add(lo, inc_lo);
      hi = hn::Sub(hn::Add(hi, inc_hi), hn::BitCast(du, hn::VecFromMask(di, ULt(lo, inc_lo))));
    }
    for (size_t v = 0; v < live; ++v) {
      float* o = out[g0 + v] + i0;
      for (size_t j = 0; j < len; ++j) o[j] = tile[j * n + v];
    }
  }
  hn::StoreU(hi, du, lanes.phase_hi + g0);
  hn::StoreU(lo, du, lanes.phase_lo + g0);
  hn::StoreU(y, d, lanes.tri_y + g0);
  hn::StoreU(ic1a, d, lanes.ic1[0] + g0);
  hn::StoreU(ic2a, d, lanes.ic2[0] + g0);
  hn::StoreU(ic1b, d, lanes.ic1[1] + g0);
  hn::StoreU(ic2b, d, lanes.ic2[1] + g0);
}

template <BusOsc kOsc, size_t kFilters>
void RenderAll(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count, const SvfCoefficients* coefs,
               size_t frames, float* const* out) {
  const DF d;
  const size_t n = hn::Lanes(d);
  for (size_t g0 = 0; g0 < count; g0 += n)
    RenderGroup<kOsc, kFilters>(shape, lanes, g0, std::min(n, count - g0), coefs, frames, out);
}

template <BusOsc kOsc>
void RenderOsc(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count, const SvfCoefficients* coefs,
               size_t frames, float* const* out) {
  switch (std::min(shape.filter_count, kMaxBusVoiceFilters)) {
    case 0: RenderAll<kOsc, 0>(shape, lanes, count, coefs, frames, out); break;
    case 1: RenderAll<kOsc, 1>(shape, lanes, count, coefs, frames, out); break;
    default: RenderAll<kOsc, 2>(shape, lanes, count, coefs, frames, out); break;
  }
}

}  // namespace

void RenderBusVoicesImpl(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count,
                         const SvfCoefficients* coefs, size_t frames, float* const* out) {
  count = std::min(count, kMaxBusVoiceLanes);
  switch (shape.osc) {
    case BusOsc::kSaw: RenderOsc<BusOsc::kSaw>(shape, lanes, count, coefs, frames, out); break;
    case BusOsc::kSquare: RenderOsc<BusOsc::kSquare>(shape, lanes, count, coefs, frames, out); break;
    case BusOsc::kPulse: RenderOsc<BusOsc::kPulse>(shape, lanes, count, coefs, frames, out); break;
    case BusOsc::kTri: RenderOsc<BusOsc::kTri>(shape, lanes, count, coefs, frames, out); break;
    case BusOsc::kSine: RenderOsc<BusOsc::kSine>(shape, lanes, count, coefs, frames, out); break;
  }
  // As SvfState::Flush after the block.
  for (size_t k = 0; k < std::min(shape.filter_count, kMaxBusVoiceFilters); ++k) {
    for (size_t v = 0; v < count; ++v) {
      lanes.ic1[k][v] = fx::SanitizeFeedback(lanes.ic1[k][v]);
      lanes.ic2[k][v] = fx::SanitizeFeedback(lanes.ic2[k][v]);
    }
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(RenderBusVoicesImpl);

void RenderBusVoices(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count,
                     const SvfCoefficients* coefs, size_t frames, float* const* out) {
  HWY_DYNAMIC_DISPATCH(RenderBusVoicesImpl)(shape, lanes, count, coefs, frames, out);
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
