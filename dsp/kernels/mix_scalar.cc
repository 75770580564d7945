// Scalar twin of the mix kernels: the oracle and the fallback.
#include "dsp/kernels/mix.h"

namespace gb::dsp {

void MixAddScalar(const float* src, float* dst, size_t count) {
  for (size_t i = 0; i < count; ++i) dst[i] += src[i];
}

}  // namespace gb::dsp
