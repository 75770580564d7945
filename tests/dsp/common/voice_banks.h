// Test helpers: voice banks that own their arrays (arena-backed, padded and
// aligned like the real ones), exact copies for twin comparisons, and a
// single-frequency DFT for the listening tests.
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstring>
#include <numbers>
#include <vector>

#include "dsp/arena.h"
#include "dsp/kernels/sample_voices.h"
#include "dsp/kernels/synth_voices.h"
#include "dsp/voices.h"

namespace gb::dsp::test_util {

class SampleBank {
 public:
  explicit SampleBank(size_t capacity)
      : capacity_(capacity), arena_(SampleVoicesBytes(capacity) + 64) {
    AllocateSampleVoices(arena_, capacity, voices_);
  }
  SampleBank(const SampleBank& other) : SampleBank(other.capacity_) {
    CopyFrom(other);
  }
  void CopyFrom(const SampleBank& o) {
    const size_t n = PaddedVoiceCount(capacity_) * 4;
    std::memcpy(voices_.frame, o.voices_.frame, n);
    std::memcpy(voices_.frac_q31, o.voices_.frac_q31, n);
    std::memcpy(voices_.step_frames, o.voices_.step_frames, n);
    std::memcpy(voices_.step_frac_q31, o.voices_.step_frac_q31, n);
    std::memcpy(voices_.age_frames, o.voices_.age_frames, n);
    std::memcpy(voices_.end_frames, o.voices_.end_frames, n);
    std::memcpy(voices_.attack_slope, o.voices_.attack_slope, n);
    std::memcpy(voices_.release_slope, o.voices_.release_slope, n);
    std::memcpy(voices_.gain_l, o.voices_.gain_l, n);
    std::memcpy(voices_.gain_r, o.voices_.gain_r, n);
  }
  const SampleVoices& voices() const { return voices_; }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  Arena arena_;
  SampleVoices voices_;
};

class SynthBank {
 public:
  explicit SynthBank(size_t capacity)
      : capacity_(capacity), arena_(SynthVoicesBytes(capacity) + 64) {
    AllocateSynthVoices(arena_, capacity, voices_);
  }
  SynthBank(const SynthBank& other) : SynthBank(other.capacity_) {
    const size_t n = PaddedVoiceCount(capacity_) * 4;
    const SynthVoices& o = other.voices_;
    std::memcpy(voices_.phase_q32, o.phase_q32, n);
    std::memcpy(voices_.phase_inc_q32, o.phase_inc_q32, n);
    std::memcpy(voices_.inv_dt, o.inv_dt, n);
    std::memcpy(voices_.a0, o.a0, n);
    std::memcpy(voices_.b1, o.b1, n);
    std::memcpy(voices_.c, o.c, n);
    std::memcpy(voices_.w1, o.w1, n);
    std::memcpy(voices_.w2, o.w2, n);
    std::memcpy(voices_.gain_l, o.gain_l, n);
    std::memcpy(voices_.gain_r, o.gain_r, n);
  }
  const SynthVoices& voices() const { return voices_; }

 private:
  size_t capacity_;
  Arena arena_;
  SynthVoices voices_;
};

// A looping sample that owns its guarded storage.
class OwnedLoop {
 public:
  explicit OwnedLoop(const std::vector<float>& mono)
      : storage_(LoopedSampleStorageFloats(mono.size())),
        loop_(MakeLoopedSample(mono.data(), mono.size(), storage_.data())) {}
  const LoopedSample& loop() const { return loop_; }

 private:
  std::vector<float> storage_;
  LoopedSample loop_;
};

// Amplitude of the sinusoid at `cycles_per_sample` in x[0, n): |DFT| * 2 / n.
// Exact for components with a whole number of cycles in n samples.
inline double SinusoidAmplitude(const float* x, size_t n,
                                double cycles_per_sample) {
  std::complex<double> acc = 0.0;
  const double w = -2.0 * std::numbers::pi * cycles_per_sample;
  for (size_t i = 0; i < n; ++i) {
    acc += double{x[i]} * std::polar(1.0, w * static_cast<double>(i));
  }
  return std::abs(acc) * 2.0 / static_cast<double>(n);
}

inline bool IsNormalOrZero(float x) {
  return x == 0.f || std::fpclassify(x) == FP_NORMAL;
}

}  // namespace gb::dsp::test_util
