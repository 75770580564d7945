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

// The vector of voices: as wide as the target allows, up to kMaxVoiceLanes
// (SVE may offer 2048-bit vectors; voice arrays are padded, and the kernels'
// stack buffers sized, for 16 lanes).
using VoiceTag = hn::CappedTag<float, kMaxVoiceLanes>;

// out[t] += sum over lanes of acc[t * N .. t * N + N), for t < frames.
// Where vectors are whole 128-bit blocks, four frames at a time: a 4x4
// transpose-add within each block leaves lane k of every block holding that
// block's share of frame t + k, then the blocks are folded together. About
// half the work of a SumOfLanes per frame; the order of the additions is fixed
// per target, so results stay deterministic.
template <class D>
HWY_INLINE void ReduceLanesAdd(D d, const float* HWY_RESTRICT acc,
                               size_t frames, float* HWY_RESTRICT out) {
  const size_t N = hn::Lanes(d);
  size_t t = 0;
#if !(HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE)
  constexpr size_t kLanes = hn::MaxLanes(d);
  if constexpr (kLanes == 4 || kLanes == 8 || kLanes == 16) {
    using V = hn::Vec<D>;
    const hn::Repartition<uint64_t, D> d64;
    const hn::Full128<float> d4;
    for (; t + 4 <= frames; t += 4) {
      const V v0 = hn::Load(d, acc + (t + 0) * N);
      const V v1 = hn::Load(d, acc + (t + 1) * N);
      const V v2 = hn::Load(d, acc + (t + 2) * N);
      const V v3 = hn::Load(d, acc + (t + 3) * N);
      // a = v0_0+v0_2, v1_0+v1_2, v0_1+v0_3, v1_1+v1_3 (per block), b alike.
      const V a = hn::Add(hn::InterleaveLower(v0, v1),
                          hn::InterleaveUpper(d, v0, v1));
      const V b = hn::Add(hn::InterleaveLower(v2, v3),
                          hn::InterleaveUpper(d, v2, v3));
      const auto a64 = hn::BitCast(d64, a);
      const auto b64 = hn::BitCast(d64, b);
      const V sums = hn::Add(hn::BitCast(d, hn::InterleaveLower(a64, b64)),
                             hn::BitCast(d, hn::InterleaveUpper(d64, a64, b64)));
      hn::Vec<decltype(d4)> folded;
      if constexpr (kLanes == 4) {
        folded = sums;
      } else if constexpr (kLanes == 8) {
        folded = hn::Add(hn::LowerHalf(d4, sums), hn::UpperHalf(d4, sums));
      } else {
        const hn::Half<D> d8;
        const auto h = hn::Add(hn::LowerHalf(d8, sums), hn::UpperHalf(d8, sums));
        folded = hn::Add(hn::LowerHalf(d4, h), hn::UpperHalf(d4, h));
      }
      hn::StoreU(hn::Add(hn::LoadU(d4, out + t), folded), d4, out + t);
    }
  }
#endif
  for (; t < frames; ++t) {
    out[t] += hn::GetLane(hn::SumOfLanes(d, hn::Load(d, acc + t * N)));
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // include guard
