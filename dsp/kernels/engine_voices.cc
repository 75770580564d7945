// Highway dispatch of the engine's sample-voice kernel: compiles
// engine_voices-inl.h once per target and exports it (see engine_voices.h).
#include "dsp/kernels/engine_voices.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "dsp/kernels/engine_voices.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "dsp/kernels/engine_voices-inl.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {

void RenderEngineSampleVoicesImpl(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count, bool stereo,
                                  size_t frames, float* out_l, float* out_r) {
  RenderEngineSampleVoicesT(lanes, slots, count, stereo, frames, out_l, out_r);
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {

HWY_EXPORT(RenderEngineSampleVoicesImpl);

void RenderEngineSampleVoices(const EngineVoiceLanes& lanes, const uint32_t* slots, size_t count, bool stereo,
                              size_t frames, float* out_l, float* out_r) {
  HWY_DYNAMIC_DISPATCH(RenderEngineSampleVoicesImpl)(lanes, slots, count, stereo, frames, out_l, out_r);
}

}  // namespace gb::dsp
#endif  // HWY_ONCE
