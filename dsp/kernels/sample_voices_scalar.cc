// Scalar twins of the sample-voice kernels: one voice at a time, one frame at a
// time, written for clarity. They are the oracle the SIMD kernels are tested
// against, so they share the state layout but none of the vector code.
#include <algorithm>
#include <cstdint>

#include "dsp/kernels/sample_voices.h"

namespace gb::dsp {

LoopedSample MakeLoopedSample(const float* mono, size_t frames,
                              float* storage) {
  float* data = storage + kLoopGuardFramesBefore;
  std::copy(mono, mono + frames, data);
  data[-1] = mono[frames - 1];
  for (size_t k = 0; k < kLoopGuardFramesAfter; ++k) {
    data[frames + k] = mono[k % frames];
  }
  return {data, static_cast<int32_t>(frames)};
}

namespace {

template <bool kCubic>
void RenderScalar(const LoopedSample& sample, const SampleVoices& voices,
                  size_t voice_count, size_t frames, float* out_l,
                  float* out_r) {
  const float* s = sample.data;
  for (size_t v = 0; v < voice_count; ++v) {
    int32_t frame = voices.frame[v];
    uint32_t frac = static_cast<uint32_t>(voices.frac_q31[v]);
    int32_t age = voices.age_frames[v];
    const int32_t end = voices.end_frames[v];
    for (size_t t = 0; t < frames; ++t) {
      const float x = static_cast<float>(frac >> 7) * (1.f / 16777216.f);
      float y;
      if constexpr (kCubic) {
        y = CubicHermite(x, s[frame - 1], s[frame], s[frame + 1],
                         s[frame + 2]);
      } else {
        y = s[frame] + x * (s[frame + 1] - s[frame]);
      }

      const float up = static_cast<float>(age) * voices.attack_slope[v];
      const float down =
          static_cast<float>(end - age) * voices.release_slope[v];
      const float env = std::max(0.f, std::min(std::min(up, down), 1.f));
      y *= env;
      out_l[t] += y * voices.gain_l[v];
      out_r[t] += y * voices.gain_r[v];

      frac += static_cast<uint32_t>(voices.step_frac_q31[v]);
      frame += voices.step_frames[v] + static_cast<int32_t>(frac >> 31);
      frac &= 0x7fffffffu;
      if (frame >= sample.loop_frames) frame -= sample.loop_frames;
      ++age;
    }
    voices.frame[v] = frame;
    voices.frac_q31[v] = static_cast<int32_t>(frac);
    voices.age_frames[v] = std::min(age, end);
  }
}

}  // namespace

void RenderSampleVoicesCubicScalar(const LoopedSample& sample,
                                   const SampleVoices& voices,
                                   size_t voice_count, size_t frames,
                                   float* out_l, float* out_r) {
  RenderScalar<true>(sample, voices, voice_count, frames, out_l, out_r);
}

void RenderSampleVoicesLinearScalar(const LoopedSample& sample,
                                    const SampleVoices& voices,
                                    size_t voice_count, size_t frames,
                                    float* out_l, float* out_r) {
  RenderScalar<false>(sample, voices, voice_count, frames, out_l, out_r);
}

}  // namespace gb::dsp
