// Helpers shared by the audio sink tests: wall-clock timing, a best-effort
// SCHED_FIFO for the writing thread (as the firmware's audio thread gets), and
// test signals with clicks at known frames.
#pragma once

#include <pthread.h>
#include <sched.h>

#include <chrono>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <vector>

namespace gb::drivers::testing {

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Raises the calling thread to SCHED_FIFO, as the firmware does for its audio
// thread; returns false where that is not allowed, and the tests go on.
inline bool TryRealtime(int priority = 20) {
  sched_param sp{};
  sp.sched_priority = priority;
  return pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
}

// Back to SCHED_OTHER (tests share the process with gtest's own work).
inline void NormalPriority() {
  sched_param sp{};
  sp.sched_priority = 0;
  pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
}

// `frames` x `channels` of a sine at `amp`; phase continues across calls.
class Sine {
 public:
  Sine(double freq_hz, int rate_hz, float amp) : step_(2.0 * std::numbers::pi * freq_hz / rate_hz), amp_(amp) {}
  void Fill(float* out, size_t frames, int channels) {
    for (size_t i = 0; i < frames; ++i) {
      const float v = amp_ * static_cast<float>(std::sin(phase_));
      phase_ += step_;
      for (int c = 0; c < channels; ++c) out[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] = v;
    }
  }

 private:
  double phase_ = 0.0, step_;
  float amp_;
};

// Silence with a `width`-frame click of `amp` on every channel at each frame in
// `at`, for frames [first, first + frames) of the stream.
inline void FillClicks(float* out, size_t first, size_t frames, int channels,
                       const std::vector<size_t>& at, size_t width, float amp) {
  const auto ch = static_cast<size_t>(channels);
  for (size_t i = 0; i < frames * ch; ++i) out[i] = 0.f;
  for (size_t onset : at) {
    for (size_t k = onset; k < onset + width; ++k) {
      if (k >= first && k < first + frames) {
        for (size_t c = 0; c < ch; ++c) out[(k - first) * ch + c] = amp;
      }
    }
  }
}

}  // namespace gb::drivers::testing
