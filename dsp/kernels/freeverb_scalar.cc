// Scalar twin of the Freeverb kernels (see freeverb.h): Freeverb's own loop,
// one frame at a time, combs in order. The oracle for freeverb.cc.
#include "dsp/fx/fx_common.h"
#include "dsp/kernels/freeverb.h"

namespace gb::dsp {

void FreeverbCombsScalar(float* const* line, float* lowpass, const float* input, const float* lowpass_in,
                         const float* damp, const float* feedback, float* acc, size_t n) {
  for (size_t i = 0; i < n; ++i) {
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

void FreeverbAllpassScalar(float* line, float* acc, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float delayed = line[i];
    line[i] = fx::FlushTiny(acc[i] + delayed * 0.5f);
    acc[i] = delayed - acc[i];
  }
}

}  // namespace gb::dsp
