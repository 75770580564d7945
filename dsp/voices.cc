// Voice start-up arithmetic: where the doubles of the musical parameters become
// the fixed-point and float state the kernels stream through.
#include "dsp/voices.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace gb::dsp {

PanGains EqualPowerPan(double pan) {
  if (!std::isfinite(pan)) pan = 0.0;
  const double angle = (std::clamp(pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4;
  // cos(pi/2) is 6e-17 in double: snap such crumbs so hard pans are exact.
  auto snap = [](double g) { return std::abs(g) < 1e-12 ? 0.0 : g; };
  return {static_cast<float>(snap(std::cos(angle))),
          static_cast<float>(snap(std::sin(angle)))};
}

float RampSlope(int64_t ramp_frames) {
  const float frames = static_cast<float>(std::max<int64_t>(ramp_frames, 1));
  float slope = 1.f / frames;
  // The kernels compute float(age) * slope; make it reach 1 at age == frames.
  while (frames * slope < 1.f) slope = std::nextafter(slope, 2.f);
  return slope;
}

namespace {

constexpr double kQ31 = 2147483648.0;  // 2^31
constexpr double kQ32 = 4294967296.0;  // 2^32

// x reduced into [0, modulus).
double Wrap(double x, double modulus) {
  double r = std::fmod(x, modulus);
  if (r < 0.0) r += modulus;
  return r >= modulus ? 0.0 : r;
}

// Splits p in [0, loop) into an integer frame and a Q0.31 fraction.
void SplitQ31(double p, int32_t loop, int32_t& whole, int32_t& frac_q31) {
  double w = std::floor(p);
  int64_t f = std::llround((p - w) * kQ31);
  if (f >= int64_t{1} << 31) {  // rounded up to the next frame
    f = 0;
    w += 1.0;
  }
  if (w >= loop) w -= loop;
  whole = static_cast<int32_t>(w);
  frac_q31 = static_cast<int32_t>(f);
}

}  // namespace

void StartSampleVoice(const SampleVoices& v, size_t i, int32_t loop_frames,
                      const SampleVoiceStart& s) {
  const double loop = loop_frames;
  SplitQ31(Wrap(std::isfinite(s.start_frame) ? s.start_frame : 0.0, loop),
           loop_frames, v.frame[i], v.frac_q31[i]);
  SplitQ31(Wrap(std::isfinite(s.rate) ? s.rate : 0.0, loop), loop_frames,
           v.step_frames[i], v.step_frac_q31[i]);
  v.age_frames[i] = 0;
  v.end_frames[i] =
      static_cast<int32_t>(std::clamp<int64_t>(s.length_frames, 0,
                                               kMaxVoiceFrames));
  v.attack_slope[i] = RampSlope(s.attack_frames);
  v.release_slope[i] = RampSlope(s.release_frames);
  const PanGains pan = EqualPowerPan(s.pan);
  v.gain_l[i] = static_cast<float>(s.gain * double{pan.left});
  v.gain_r[i] = static_cast<float>(s.gain * double{pan.right});
}

RlpfCoefficients RlpfCoefficientsFor(double cutoff_norm, double rq) {
  const double cutoff = std::clamp(cutoff_norm, 1e-4, 0.45);
  const double pf = cutoff * 2.0 * std::numbers::pi;
  // tan(pi * cutoff * rq) must stay positive and finite, or C leaves (-1, 1).
  const double bandwidth = std::clamp(rq, 0.001, 0.45 / cutoff);
  const double d = std::tan(pf * bandwidth * 0.5);
  const double c = (1.0 - d) / (1.0 + d);
  const double b1 = (1.0 + c) * std::cos(pf);
  return {(1.0 + c - b1) * 0.25, b1, c};
}

void StartSynthVoice(const SynthVoices& v, size_t i, const SynthVoiceStart& s) {
  const double freq = std::clamp(std::isfinite(s.freq_norm) ? s.freq_norm : 0.0,
                                 0.0, 0.5);
  const auto inc =
      static_cast<uint32_t>(std::min<int64_t>(std::llround(freq * kQ32),
                                              int64_t{1} << 31));
  v.phase_q32[i] = 0;
  v.phase_inc_q32[i] = static_cast<int32_t>(inc);
  // 1/dt of the quantised increment; at 0 Hz use one step's worth, which keeps
  // it finite (the saw then sits at 0).
  v.inv_dt[i] = static_cast<float>(kQ32 / std::max<uint32_t>(inc, 1));
  const RlpfCoefficients k = RlpfCoefficientsFor(s.cutoff_norm, s.rq);
  v.a0[i] = static_cast<float>(k.a0);
  v.b1[i] = static_cast<float>(k.b1);
  v.c[i] = static_cast<float>(k.c);
  v.w1[i] = 0.f;
  v.w2[i] = 0.f;
  const PanGains pan = EqualPowerPan(s.pan);
  v.gain_l[i] = static_cast<float>(s.gain * double{pan.left});
  v.gain_r[i] = static_cast<float>(s.gain * double{pan.right});
}

namespace {

constexpr size_t kArrayAlign = 64;

template <typename T>
bool Carve(Arena& arena, size_t n, T*& out) {
  void* p = arena.Allocate(n * sizeof(T), kArrayAlign);
  if (p == nullptr) return false;
  std::memset(p, 0, n * sizeof(T));
  out = static_cast<T*>(p);
  return true;
}

}  // namespace

size_t SampleVoicesBytes(size_t capacity) {
  return 10 * (PaddedVoiceCount(capacity) * 4 + kArrayAlign);
}

size_t SynthVoicesBytes(size_t capacity) {
  return 10 * (PaddedVoiceCount(capacity) * 4 + kArrayAlign);
}

bool AllocateSampleVoices(Arena& arena, size_t capacity, SampleVoices& v) {
  const size_t n = PaddedVoiceCount(capacity);
  return Carve(arena, n, v.frame) && Carve(arena, n, v.frac_q31) &&
         Carve(arena, n, v.step_frames) && Carve(arena, n, v.step_frac_q31) &&
         Carve(arena, n, v.age_frames) && Carve(arena, n, v.end_frames) &&
         Carve(arena, n, v.attack_slope) && Carve(arena, n, v.release_slope) &&
         Carve(arena, n, v.gain_l) && Carve(arena, n, v.gain_r);
}

bool AllocateSynthVoices(Arena& arena, size_t capacity, SynthVoices& v) {
  const size_t n = PaddedVoiceCount(capacity);
  return Carve(arena, n, v.phase_q32) && Carve(arena, n, v.phase_inc_q32) &&
         Carve(arena, n, v.inv_dt) && Carve(arena, n, v.a0) &&
         Carve(arena, n, v.b1) && Carve(arena, n, v.c) &&
         Carve(arena, n, v.w1) && Carve(arena, n, v.w2) &&
         Carve(arena, n, v.gain_l) && Carve(arena, n, v.gain_r);
}

}  // namespace gb::dsp
