// Highway version of the mix kernels. Element-wise adds: identical results on
// every target and to mix_scalar.cc.
#include "dsp/kernels/mix.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/mix.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void MixAddImpl(const float* HWY_RESTRICT src, float* HWY_RESTRICT dst,
                size_t count) {
  const hn::ScalableTag<float> d;
  const size_t N = hn::Lanes(d);
  size_t i = 0;
  for (; i + N <= count; i += N) {
    hn::StoreU(hn::Add(hn::LoadU(d, dst + i), hn::LoadU(d, src + i)), d,
               dst + i);
  }
  for (; i < count; ++i) dst[i] += src[i];
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(MixAddImpl);

void MixAdd(const float* src, float* dst, size_t count) {
  HWY_DYNAMIC_DISPATCH(MixAddImpl)(src, dst, count);
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
