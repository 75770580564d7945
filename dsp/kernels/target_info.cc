// Reports the dispatched Highway target through the same dynamic dispatch the
// kernels use, so it always names the code that actually runs.
#include "dsp/kernels/target_info.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/target_info.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "dsp/kernels/voice_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

const char* KernelTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }
size_t KernelFloatLanesImpl() { return hn::Lanes(VoiceTag()); }

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(KernelTargetNameImpl);
HWY_EXPORT(KernelFloatLanesImpl);

const char* KernelTargetName() {
  return HWY_DYNAMIC_DISPATCH(KernelTargetNameImpl)();
}
size_t KernelFloatLanes() {
  return HWY_DYNAMIC_DISPATCH(KernelFloatLanesImpl)();
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
