// Mixing kernels for block buffers: the fixed-order sum of per-chunk outputs.
// Element-wise float adds, so every target gives bit-identical results.
// Audio thread and DSP workers only.
#pragma once

#include <cstddef>

namespace gb::dsp {

// dst[i] += src[i] for i < count. Any alignment; dst and src must not overlap.
void MixAdd(const float* src, float* dst, size_t count);
void MixAddScalar(const float* src, float* dst, size_t count);

}  // namespace gb::dsp
