// Highway version of the Freeverb kernels (see freeverb.h). Combs in lanes:
// two groups of 4 combs, 4 frames at a time. Each comb's 4 delayed samples
// are one load (a run never wraps); their sum over combs, added row by row in
// comb order, is acc exactly as the twin sums it; a 4x4 transpose turns the
// rows into one vector per frame (a lane per comb), where the low-pass
// recursion runs for 4 combs at once, and the written values are transposed
// back and stored. 128-bit vectors on every target (4 combs per vector is
// what the transposes need; the 8 recursions in 2 vectors already hide the
// latency of the chain, which is what bounded the per-frame loop).
//
// Results equal the twin to rounding: a target with FMA may contract the
// multiply-adds (tests state the tolerance); the allpass is element-wise.
#include "dsp/kernels/freeverb.h"

#include "dsp/fx/fx_common.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/freeverb.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D, class V>
HWY_INLINE V FlushTinyV(D d, V x) {
  return hn::IfThenZeroElse(hn::Lt(hn::Abs(x), hn::Set(d, fx::kFlushBelow)), x);
}

// In place: rows r0..r3 (r_k = 4 frames of comb k) become columns (c_j = frame
// j across the 4 combs), and back (the transpose is its own inverse).
#if !(HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE)
template <class D, class V>
HWY_INLINE void Transpose4(D d, V& v0, V& v1, V& v2, V& v3) {
  const V t0 = hn::InterleaveLower(d, v0, v1);  // 00 10 01 11
  const V t1 = hn::InterleaveLower(d, v2, v3);  // 20 30 21 31
  const V t2 = hn::InterleaveUpper(d, v0, v1);  // 02 12 03 13
  const V t3 = hn::InterleaveUpper(d, v2, v3);  // 22 32 23 33
  v0 = hn::ConcatLowerLower(d, t1, t0);         // 00 10 20 30
  v1 = hn::ConcatUpperUpper(d, t1, t0);         // 01 11 21 31
  v2 = hn::ConcatLowerLower(d, t3, t2);
  v3 = hn::ConcatUpperUpper(d, t3, t2);
}
#endif

void FreeverbCombsImpl(float* const* HWY_RESTRICT line, float* HWY_RESTRICT lowpass,
                       const float* HWY_RESTRICT input, const float* HWY_RESTRICT lowpass_in,
                       const float* HWY_RESTRICT damp, const float* HWY_RESTRICT feedback,
                       float* HWY_RESTRICT acc, size_t n) {
  size_t i = 0;
#if !(HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE)  // (no 4-lane tag there: the loop below does it all)
  const hn::FixedTag<float, 4> d;
  using V = hn::Vec<decltype(d)>;
  float* const l0 = line[0];
  float* const l1 = line[1];
  float* const l2 = line[2];
  float* const l3 = line[3];
  float* const l4 = line[4];
  float* const l5 = line[5];
  float* const l6 = line[6];
  float* const l7 = line[7];
  V lp_a = hn::LoadU(d, lowpass);      // combs 0..3
  V lp_b = hn::LoadU(d, lowpass + 4);  // combs 4..7
  for (; i + 4 <= n; i += 4) {
    V a0 = hn::LoadU(d, l0 + i), a1 = hn::LoadU(d, l1 + i), a2 = hn::LoadU(d, l2 + i), a3 = hn::LoadU(d, l3 + i);
    V b0 = hn::LoadU(d, l4 + i), b1 = hn::LoadU(d, l5 + i), b2 = hn::LoadU(d, l6 + i), b3 = hn::LoadU(d, l7 + i);
    V sum = hn::Add(hn::Zero(d), a0);
    sum = hn::Add(sum, a1);
    sum = hn::Add(sum, a2);
    sum = hn::Add(sum, a3);
    sum = hn::Add(sum, b0);
    sum = hn::Add(sum, b1);
    sum = hn::Add(sum, b2);
    sum = hn::Add(sum, b3);
    hn::StoreU(sum, d, acc + i);
    Transpose4(d, a0, a1, a2, a3);
    Transpose4(d, b0, b1, b2, b3);
    V* const col_a[4] = {&a0, &a1, &a2, &a3};
    V* const col_b[4] = {&b0, &b1, &b2, &b3};
    for (size_t j = 0; j < 4; ++j) {
      const V li = hn::Set(d, lowpass_in[i + j]);
      const V dm = hn::Set(d, damp[i + j]);
      const V fb = hn::Set(d, feedback[i + j]);
      const V in = hn::Set(d, input[i + j]);
      lp_a = hn::Add(hn::Mul(*col_a[j], li), hn::Mul(lp_a, dm));
      lp_b = hn::Add(hn::Mul(*col_b[j], li), hn::Mul(lp_b, dm));
      *col_a[j] = FlushTinyV(d, hn::Add(in, hn::Mul(lp_a, fb)));
      *col_b[j] = FlushTinyV(d, hn::Add(in, hn::Mul(lp_b, fb)));
    }
    Transpose4(d, a0, a1, a2, a3);
    Transpose4(d, b0, b1, b2, b3);
    hn::StoreU(a0, d, l0 + i);
    hn::StoreU(a1, d, l1 + i);
    hn::StoreU(a2, d, l2 + i);
    hn::StoreU(a3, d, l3 + i);
    hn::StoreU(b0, d, l4 + i);
    hn::StoreU(b1, d, l5 + i);
    hn::StoreU(b2, d, l6 + i);
    hn::StoreU(b3, d, l7 + i);
  }
  hn::StoreU(lp_a, d, lowpass);
  hn::StoreU(lp_b, d, lowpass + 4);
#endif
  // The last n % 4 frames: the twin's loop.
  for (; i < n; ++i) {
    float sum = 0.f;
    for (int k = 0; k < kFreeverbCombs; ++k) {
      const float out = line[k][i];
      lowpass[k] = out * lowpass_in[i] + lowpass[k] * damp[i];
      line[k][i] = fx::FlushTiny(input[i] + lowpass[k] * feedback[i]);
      sum += out;
    }
    acc[i] = sum;
  }
}

void FreeverbAllpassImpl(float* HWY_RESTRICT line, float* HWY_RESTRICT acc, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  const auto half = hn::Set(d, 0.5f);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    const auto delayed = hn::LoadU(d, line + i);
    const auto x = hn::LoadU(d, acc + i);
    hn::StoreU(FlushTinyV(d, hn::Add(x, hn::Mul(delayed, half))), d, line + i);
    hn::StoreU(hn::Sub(delayed, x), d, acc + i);
  }
  for (; i < n; ++i) {
    const float delayed = line[i];
    line[i] = fx::FlushTiny(acc[i] + delayed * 0.5f);
    acc[i] = delayed - acc[i];
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(FreeverbCombsImpl);
HWY_EXPORT(FreeverbAllpassImpl);

void FreeverbCombs(float* const* line, float* lowpass, const float* input, const float* lowpass_in,
                   const float* damp, const float* feedback, float* acc, size_t n) {
  HWY_DYNAMIC_DISPATCH(FreeverbCombsImpl)(line, lowpass, input, lowpass_in, damp, feedback, acc, n);
}

void FreeverbAllpass(float* line, float* acc, size_t n) {
  HWY_DYNAMIC_DISPATCH(FreeverbAllpassImpl)(line, acc, n);
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
