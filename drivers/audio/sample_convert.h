// Float -> device sample conversion for the audio thread: no allocation, no
// syscalls, clipping instead of wrap-around. Integer formats scale by 2^(bits-1)
// and clip the top at 2^(bits-1)-1, so -1.0 reaches the most negative code and
// a value read back through the usual 1/2^(bits-1) (libsndfile, ALSA's plug)
// is the same value. NaN becomes 0 (silence), never a full-scale click.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drivers/audio/audio_sink.h"

namespace gb::drivers {

int16_t FloatToS16(float x);
int32_t FloatToS24(float x);  // in [-2^23, 2^23 - 1], sign-extended in 32 bits
int32_t FloatToS32(float x);
float ClipFloat(float x);     // to [-1, 1]

// Converts `samples` (frames x channels) values from `in` into `out`, laid out
// as `fmt` (BytesPerSample(fmt) bytes each, little endian). The format is
// chosen once per call, not per sample.
void ConvertFromFloat(const float* in, size_t samples, SampleFormat fmt, void* out);

}  // namespace gb::drivers
