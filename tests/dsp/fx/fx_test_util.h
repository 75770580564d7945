// Helpers for the dsp/fx tests: stereo buffers, test signals, block-wise
// rendering through any fx unit, and the measurements the tests listen with
// (RMS, single-bin DFT, largest sample-to-sample jump).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/arena.h"

namespace gb::dsp::fx_test {

inline constexpr float kRate = 48000.f;
inline constexpr size_t kBlock = 64;

struct Stereo {
  std::vector<float> l, r;
  explicit Stereo(size_t frames = 0) : l(frames, 0.f), r(frames, 0.f) {}
  size_t size() const { return l.size(); }
};

inline std::vector<float> Sine(double freq_hz, double amplitude, size_t frames,
                               double phase = 0.0) {
  std::vector<float> out(frames);
  for (size_t i = 0; i < frames; ++i) {
    out[i] = static_cast<float>(
        amplitude * std::sin(2.0 * std::numbers::pi * freq_hz * static_cast<double>(i) /
                                 static_cast<double>(kRate) + phase));
  }
  return out;
}

inline std::vector<float> Noise(size_t frames, float amplitude, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-amplitude, amplitude);
  std::vector<float> out(frames);
  for (float& x : out) x = dist(rng);
  return out;
}

inline Stereo Both(const std::vector<float>& mono) {
  Stereo s;
  s.l = mono;
  s.r = mono;
  return s;
}

// Renders `s` in place through `unit`, `block` frames at a time (the last
// block may be shorter), with the same target for every block.
template <typename Unit, typename Params>
void Render(Unit& unit, const Params& params, Stereo& s, size_t block = kBlock) {
  for (size_t i = 0; i < s.size(); i += block) {
    const size_t n = std::min(block, s.size() - i);
    unit.Process(params, s.l.data() + i, s.r.data() + i, n);
  }
}

// Same, with the target chosen per block by `params_at(block_index)`.
template <typename Unit, typename ParamsAt>
void RenderWith(Unit& unit, ParamsAt&& params_at, Stereo& s, size_t block = kBlock) {
  size_t b = 0;
  for (size_t i = 0; i < s.size(); i += block, ++b) {
    const size_t n = std::min(block, s.size() - i);
    unit.Process(params_at(b), s.l.data() + i, s.r.data() + i, n);
  }
}

inline double Rms(const std::vector<float>& x, size_t begin, size_t end) {
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += double{x[i]} * double{x[i]};
  return std::sqrt(sum / static_cast<double>(end - begin));
}

inline double Energy(const std::vector<float>& x, size_t begin, size_t end) {
  double sum = 0.0;
  for (size_t i = begin; i < end; ++i) sum += double{x[i]} * double{x[i]};
  return sum;
}

inline double Db(double ratio) { return 20.0 * std::log10(ratio); }

// Amplitude of the component at freq_hz over [begin, end) (a single DFT bin;
// exact for a sinusoid with a whole number of periods in the window).
inline double ToneAmplitude(const std::vector<float>& x, size_t begin, size_t end,
                            double freq_hz) {
  double re = 0.0, im = 0.0;
  const double w = 2.0 * std::numbers::pi * freq_hz / static_cast<double>(kRate);
  for (size_t i = begin; i < end; ++i) {
    re += double{x[i]} * std::cos(w * static_cast<double>(i));
    im += double{x[i]} * std::sin(w * static_cast<double>(i));
  }
  return 2.0 * std::hypot(re, im) / static_cast<double>(end - begin);
}

inline float MaxJump(const std::vector<float>& x, size_t begin = 1) {
  float m = 0.f;
  for (size_t i = std::max<size_t>(begin, 1); i < x.size(); ++i) {
    m = std::max(m, std::fabs(x[i] - x[i - 1]));
  }
  return m;
}

inline float MaxAbs(const std::vector<float>& x, size_t begin = 0) {
  float m = 0.f;
  for (size_t i = begin; i < x.size(); ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

inline bool AllFinite(const Stereo& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!std::isfinite(s.l[i]) || !std::isfinite(s.r[i])) return false;
  }
  return true;
}

}  // namespace gb::dsp::fx_test
