// Vector helpers shared by the voice kernels: the lane-wise accumulator that
// voice vectors sum into, and its reduction into a stereo block. Included once
// per Highway target (per-target include guard below).
#if defined(GB_DSP_KERNELS_VOICE_SIMD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef GB_DSP_KERNELS_VOICE_SIMD_INL_H_
#undef GB_DSP_KERNELS_VOICE_SIMD_INL_H_
#else
#define GB_DSP_KERNELS_VOICE_SIMD_INL_H_
#endif

#include <cstddef>

#include "dsp/kernels/voice_layout.h"
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

inline constexpr size_t kSubBlockFrames = kKernelPassFrames;

// out[t] += sum over lanes of acc[t * N .. t * N + N), for t < frames.
// Sums four frames at once where vectors are whole 128-bit blocks: a 4x4
// transpose-add within each block, then the blocks are folded together; this
// costs about a third of a SumOfLanes per frame.
template <class D>
HWY_INLINE void ReduceLanesAdd(D d, const float* HWY_RESTRICT acc,
                               size_t frames, float* HWY_RESTRICT out) {
  const size_t N = hn::Lanes(d);
  for (size_t t = 0; t < frames; ++t) {
    out[t] += hn::GetLane(hn::SumOfLanes(d, hn::Load(d, acc + t * N)));
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
