// Scalar twin of the bus-voice kernel (see bus_voices.h): one voice at a time,
// one frame at a time, written for clarity. The oracle for bus_voices.cc.
#include <algorithm>
#include <cmath>

#include "dsp/fx/fx_common.h"
#include "dsp/kernels/bus_voices.h"

namespace gb::dsp {
namespace {

constexpr float kTwoPi = 6.28318530717958647692f;
constexpr float kQ31 = 1.f / 2147483648.f;

// The phase's turn t (top 31 bits) and 1 - t (from the complement, so it
// keeps its precision just below the wrap, where the residual needs it).
float Turn(uint32_t hi) { return static_cast<float>(static_cast<int32_t>(hi >> 1)) * kQ31; }
float TurnLeft(uint32_t hi) { return static_cast<float>(static_cast<int32_t>(~hi >> 1)) * kQ31; }

// The VM's PolyBlep(t, dt): -(1 - t/dt)^2 just after the wrap, (1 - (1-t)/dt)^2
// just before it, 0 elsewhere (both ramps clamp to 0 outside their span).
float Blep(uint32_t hi, float inv_dt) {
  const float lo = std::max(0.f, 1.f - Turn(hi) * inv_dt);
  const float up = std::max(0.f, 1.f - TurnLeft(hi) * inv_dt);
  return up * up - lo * lo;
}

// phase < width, both Q0.64.
bool Below(uint32_t hi, uint32_t lo, uint32_t w_hi, uint32_t w_lo) {
  return hi < w_hi || (hi == w_hi && lo < w_lo);
}

// The phase minus the width (mod 1), top word.
uint32_t MinusWidthHi(uint32_t hi, uint32_t lo, uint32_t w_hi, uint32_t w_lo) {
  return hi - w_hi - (lo < w_lo ? 1u : 0u);
}

}  // namespace

void SetBusVoiceStep(BusVoiceLanes& lanes, size_t lane, double dt) {
  dt = std::clamp(dt, 1e-9, 0.5);
  const auto q = static_cast<uint64_t>(dt * 18446744073709551616.0);  // exact: dt * 2^64 < 2^63
  lanes.inc_hi[lane] = static_cast<uint32_t>(q >> 32);
  lanes.inc_lo[lane] = static_cast<uint32_t>(q);
  lanes.inv_dt[lane] = static_cast<float>(1.0 / dt);
  lanes.dt4[lane] = 4.f * static_cast<float>(dt);
}

void RenderBusVoicesScalar(const BusVoiceShape& shape, BusVoiceLanes& lanes, size_t count,
                           const SvfCoefficients* coefs, size_t frames, float* const* out) {
  const size_t segments = (frames + kBusVoiceSegment - 1) / kBusVoiceSegment;
  const size_t nf = std::min(shape.filter_count, kMaxBusVoiceFilters);
  const uint32_t w_hi = shape.osc == BusOsc::kPulse ? shape.width_hi : 0x80000000u;
  const uint32_t w_lo = shape.osc == BusOsc::kPulse ? shape.width_lo : 0u;
  for (size_t v = 0; v < std::min(count, kMaxBusVoiceLanes); ++v) {
    uint32_t hi = lanes.phase_hi[v], lo = lanes.phase_lo[v];
    const uint32_t inc_hi = lanes.inc_hi[v], inc_lo = lanes.inc_lo[v];
    const float inv_dt = lanes.inv_dt[v];
    float y = lanes.tri_y[v];
    SvfState f[kMaxBusVoiceFilters];
    for (size_t k = 0; k < nf; ++k) f[k] = SvfState{lanes.ic1[k][v], lanes.ic2[k][v]};
    for (size_t i = 0; i < frames; ++i) {
      float x;
      switch (shape.osc) {
        case BusOsc::kSaw:
          x = (2.f * Turn(hi) - 1.f) - Blep(hi, inv_dt);
          break;
        case BusOsc::kSquare:
        case BusOsc::kPulse:
          x = (Below(hi, lo, w_hi, w_lo) ? 1.f : -1.f) + Blep(hi, inv_dt) -
              Blep(MinusWidthHi(hi, lo, w_hi, w_lo), inv_dt);
          break;
        case BusOsc::kTri: {
          const float sq = (Below(hi, lo, w_hi, w_lo) ? 1.f : -1.f) + Blep(hi, inv_dt) -
                           Blep(MinusWidthHi(hi, lo, w_hi, w_lo), inv_dt);
          y = 0.999f * y + lanes.dt4[v] * sq;
          y = std::fabs(y) < 1e-20f ? 0.f : y;
          x = y;
          break;
        }
        case BusOsc::kSine:
        default:
          x = std::sin(kTwoPi * Turn(hi));
          break;
      }
      for (size_t k = 0; k < nf; ++k) x = f[k].Tick(coefs[k * segments + i / kBusVoiceSegment], x);
      out[v][i] = x;
      lo += inc_lo;
      hi += inc_hi + (lo < inc_lo ? 1u : 0u);
    }
    lanes.phase_hi[v] = hi;
    lanes.phase_lo[v] = lo;
    lanes.tri_y[v] = y;
    for (size_t k = 0; k < nf; ++k) {
      f[k].Flush();
      lanes.ic1[k][v] = f[k].ic1;
      lanes.ic2[k][v] = f[k].ic2;
    }
  }
}

}  // namespace gb::dsp
