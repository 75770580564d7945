// Scalar twin of the synth-voice kernel: one voice, one frame at a time, in the
// textbook order. The oracle for the SIMD kernel; shares only the state layout
// and the inline formulas in synth_voices.h.
#include <cstdint>

#include "dsp/kernels/synth_voices.h"
#include "dsp/kernels/voice_layout.h"

namespace gb::dsp {

void RenderSynthVoicesScalar(const SynthVoices& voices, size_t voice_count,
                             size_t frames, float* out_l, float* out_r) {
  for (size_t v = 0; v < voice_count; ++v) {
    uint32_t phase = static_cast<uint32_t>(voices.phase_q32[v]);
    const uint32_t inc = static_cast<uint32_t>(voices.phase_inc_q32[v]);
    float w1 = voices.w1[v];
    float w2 = voices.w2[v];
    for (size_t t = 0; t < frames; ++t) {
      const float x = PolyBlepSaw(PhaseToUnit(static_cast<int32_t>(phase)),
                                  voices.inv_dt[v]);
      const float w = voices.a0[v] * x + voices.b1[v] * w1 - voices.c[v] * w2;
      const float y = w + 2.f * w1 + w2;
      w2 = w1;
      w1 = w;
      out_l[t] += y * voices.gain_l[v];
      out_r[t] += y * voices.gain_r[v];
      phase += inc;
      if ((t + 1) % kKernelPassFrames == 0 || t + 1 == frames) {
        w1 = ZapGremlins(w1);
        w2 = ZapGremlins(w2);
      }
    }
    voices.phase_q32[v] = static_cast<int32_t>(phase);
    voices.w1[v] = w1;
    voices.w2[v] = w2;
  }
}

}  // namespace gb::dsp
