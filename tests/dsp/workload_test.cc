// Workload renderer: renders are bit-identical for 1, 2, 3 and 8 threads; the
// Highway render matches the scalar-twin render; a few voices match an
// independent double-precision model of the README's definitions; bad
// parameters are refused.
#include "dsp/workload.h"

#include <cmath>
#include <complex>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace gb::dsp {
namespace {

constexpr double kRate = 48000.0;

std::vector<float> KickLike(size_t frames) {
  std::vector<float> s(frames);
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
  for (size_t i = 0; i < frames; ++i) {
    const double t = double(i) / kRate;
    s[i] = static_cast<float>(0.9 * std::exp(-t * 8) *
                              std::sin(2 * std::numbers::pi * 55 * t)) +
           noise(rng);
  }
  return s;
}

// Parameters in the README's ranges (rates 0.5 .. 2, pans -1 .. 1).
struct Voices {
  std::vector<SampleVoiceParams> sample;
  std::vector<SynthVoiceParams> synth;
};
Voices MakeVoices(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Voices v;
  for (size_t i = 0; i < n; ++i) {
    v.sample.push_back({.rate = 0.5 + 1.5 * u(rng),
                        .gain = 0.02 + 0.1 * u(rng),
                        .pan = -1 + 2 * u(rng)});
    const double freq = 50 * std::pow(40.0, u(rng));
    v.synth.push_back({.freq_hz = freq,
                       .cutoff_hz = freq * (2 + 6 * u(rng)),
                       .rq = 0.25,
                       .gain = 0.0625,
                       .pan = -1 + 2 * u(rng)});
  }
  return v;
}

WorkloadParams Params(WorkloadKind kind, const Voices& v,
                      const std::vector<float>& sample, double time_s,
                      size_t threads) {
  WorkloadParams p;
  p.kind = kind;
  p.time_s = time_s;
  p.threads = threads;
  p.sample = sample;
  p.sample_voices = v.sample;
  p.synth_voices = v.synth;
  return p;
}

struct Stereo {
  std::vector<float> l, r;
};
Stereo Render(const WorkloadParams& p) {
  Stereo out;
  out.l.assign(WorkloadFrames(p), -1.f);
  out.r.assign(WorkloadFrames(p), -1.f);
  const Status s = RenderWorkload(p, out.l, out.r);
  EXPECT_TRUE(s.ok()) << s.error;
  return out;
}

const WorkloadKind kKinds[] = {WorkloadKind::kSampleCubic,
                               WorkloadKind::kSampleLinear,
                               WorkloadKind::kSynth};

TEST(Workload, RenderIsBitIdenticalWithOneTwoThreeOrEightThreads) {
  const std::vector<float> sample = KickLike(20000);
  const Voices v = MakeVoices(300, 1);  // 5 chunks, the last one partial
  for (WorkloadKind kind : kKinds) {
    WorkloadParams p = Params(kind, v, sample, 0.06, 1);
    p.attack_s = 0.002;
    p.release_s = 0.01;
    const Stereo one = Render(p);
    for (size_t threads : {2, 3, 8}) {
      p.threads = threads;
      const Stereo many = Render(p);
      ASSERT_EQ(0, std::memcmp(one.l.data(), many.l.data(),
                               one.l.size() * sizeof(float)))
          << "kind " << int(kind) << " threads " << threads;
      ASSERT_EQ(0, std::memcmp(one.r.data(), many.r.data(),
                               one.r.size() * sizeof(float)));
    }
  }
}

TEST(Workload, HighwayRenderMatchesScalarTwinRender) {
  const std::vector<float> sample = KickLike(20000);
  const Voices v = MakeVoices(130, 2);
  for (WorkloadKind kind : kKinds) {
    WorkloadParams p = Params(kind, v, sample, 0.05, 2);
    const Stereo simd = Render(p);
    p.scalar_kernels = true;
    const Stereo twin = Render(p);
    // Sum of |gain| is at most 130 * 0.12; tolerances as in the kernel tests.
    const double tol = kind == WorkloadKind::kSynth ? 2e-5 * 130 * 0.0625
                                                    : 2e-6 * 130 * 0.12;
    for (size_t t = 0; t < simd.l.size(); ++t) {
      ASSERT_NEAR(simd.l[t], twin.l[t], tol) << int(kind) << " frame " << t;
      ASSERT_NEAR(simd.r[t], twin.r[t], tol) << int(kind) << " frame " << t;
    }
  }
}

// README W1, straight from its words, in double: position n * rate on a loop,
// interpolation taps wrapping, linear envelope, gain, equal-power pan.
double ModelW1(const std::vector<float>& s, const SampleVoiceParams& v,
               bool cubic, size_t n, size_t total, double attack_s,
               double release_s) {
  const auto len = static_cast<double>(s.size());
  double pos = std::fmod(double(n) * v.rate, len);
  const auto i = static_cast<int64_t>(pos);
  const double x = pos - double(i);
  auto at = [&](int64_t k) {
    return double{s[static_cast<size_t>((k % int64_t(s.size()) + int64_t(s.size())) %
                                        int64_t(s.size()))]};
  };
  double y;
  if (cubic) {
    const double y0 = at(i - 1), y1 = at(i), y2 = at(i + 1), y3 = at(i + 2);
    const double c1 = 0.5 * (y2 - y0);
    const double c2 = y0 - 2.5 * y1 + 2 * y2 - 0.5 * y3;
    const double c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
    y = ((c3 * x + c2) * x + c1) * x + y1;
  } else {
    y = at(i) + x * (at(i + 1) - at(i));
  }
  const double t = double(n) / kRate, end = double(total) / kRate;
  const double env =
      std::clamp(std::min(t / attack_s, (end - t) / release_s), 0.0, 1.0);
  return y * env * v.gain;
}

TEST(Workload, SampleVoicesMatchADoublePrecisionModelOfTheReadme) {
  const std::vector<float> sample = KickLike(96000);
  const std::vector<SampleVoiceParams> voices = {
      {.rate = 1.1777782833303594, .gain = 0.10201978121062744,
       .pan = -0.25417669000682475},
      {.rate = 0.6935808423423041, .gain = 0.07903956242125489,
       .pan = 0.4916466199863505},
      {.rate = 1.6337689076894872, .gain = 0.05605934363188231, .pan = 1.0}};
  for (bool cubic : {true, false}) {
    WorkloadParams p;
    p.kind = cubic ? WorkloadKind::kSampleCubic : WorkloadKind::kSampleLinear;
    p.time_s = 2.1;  // the fastest voice wraps the 96 000-frame loop twice
    p.sample = sample;
    p.sample_voices = voices;
    const Stereo out = Render(p);
    const size_t total = out.l.size();
    ASSERT_EQ(total, 100800u);
    for (size_t n = 0; n < total; n += 7) {
      double l = 0, r = 0;
      for (const SampleVoiceParams& v : voices) {
        const double y = ModelW1(sample, v, cubic, n, total, 0.005, 0.05);
        l += y * std::cos((v.pan + 1) * std::numbers::pi / 4);
        r += y * std::sin((v.pan + 1) * std::numbers::pi / 4);
      }
      // Float samples and state vs double model: rate quantisation (2^-31)
      // and float arithmetic stay well under 1e-5 at these gains.
      ASSERT_NEAR(out.l[n], l, 1e-5) << (cubic ? "cubic" : "linear") << n;
      ASSERT_NEAR(out.r[n], r, 1e-5) << n;
    }
    EXPECT_EQ(out.l[0], 0.f);  // every envelope starts at 0
  }
}

TEST(Workload, SynthVoicesMatchADoublePrecisionModelOfTheReadme) {
  const std::vector<SynthVoiceParams> voices = {
      {.freq_hz = 468.3780501052385, .cutoff_hz = 3058.164876518191,
       .rq = 0.25, .gain = 0.0625, .pan = -0.25417669000682475},
      {.freq_hz = 124.64658967067346, .cutoff_hz = 630.5287619117913,
       .rq = 0.25, .gain = 0.0625, .pan = 0.4916466199863505}};
  WorkloadParams p;
  p.kind = WorkloadKind::kSynth;
  p.time_s = 0.5;
  p.synth_voices = voices;
  const Stereo out = Render(p);
  std::vector<double> l(out.l.size()), r(out.l.size());
  for (const SynthVoiceParams& v : voices) {
    const double pf = v.cutoff_hz * 2 * std::numbers::pi / kRate;
    const double d = std::tan(pf * v.rq / 2), c = (1 - d) / (1 + d);
    const double b1 = (1 + c) * std::cos(pf), a0 = (1 + c - b1) / 4;
    const double dt = v.freq_hz / kRate;
    double w1 = 0, w2 = 0;
    for (size_t n = 0; n < l.size(); ++n) {
      const double t = std::fmod(double(n) * dt, 1.0);
      double blep = 0;
      if (t < dt) {
        const double x = t / dt;
        blep = x + x - x * x - 1;
      } else if (t > 1 - dt) {
        const double x = (t - 1) / dt;
        blep = x * x + x + x + 1;
      }
      const double saw = 0.5 * (2 * t - 1 - blep);
      const double w = a0 * saw + b1 * w1 - c * w2;
      const double y = w + 2 * w1 + w2;
      w2 = w1;
      w1 = w;
      l[n] += y * v.gain * std::cos((v.pan + 1) * std::numbers::pi / 4);
      r[n] += y * v.gain * std::sin((v.pan + 1) * std::numbers::pi / 4);
    }
  }
  for (size_t n = 0; n < l.size(); ++n) {
    // Float phase (exact Q32) and float filter vs double: a few 1e-6.
    ASSERT_NEAR(out.l[n], l[n], 2e-5) << n;
    ASSERT_NEAR(out.r[n], r[n], 2e-5) << n;
  }
}

TEST(Workload, BlockSizeDoesNotChangeTheRender) {
  const std::vector<float> sample = KickLike(5000);
  const Voices v = MakeVoices(70, 3);
  for (WorkloadKind kind : kKinds) {
    WorkloadParams p = Params(kind, v, sample, 0.03, 1);
    const Stereo b64 = Render(p);
    p.block_frames = 61;
    const Stereo b61 = Render(p);
    // Same voices, same order; only the kernels' 64-frame passes (and so
    // the synth's zap points) shift, which stays far below this bound.
    for (size_t t = 0; t < b64.l.size(); ++t) {
      ASSERT_NEAR(b64.l[t], b61.l[t], 1e-6) << int(kind) << " " << t;
    }
  }
}

TEST(Workload, LongRequestsRenderAsConsecutiveBlocks) {
  const std::vector<float> sample = KickLike(3000);
  const Voices v = MakeVoices(40, 4);
  for (WorkloadKind kind : kKinds) {
    WorkloadParams p = Params(kind, v, sample, 0.02, 2);
    const Stereo whole = Render(p);  // 960 frames in 64-frame blocks
    WorkloadRenderer r;
    ASSERT_TRUE(r.Prepare(p).ok());
    std::vector<float> l(whole.l.size()), rr(whole.r.size());
    r.RenderBlock(l.data(), rr.data(), 700);  // 10 blocks and a 60-frame one
    r.RenderBlock(l.data() + 700, rr.data() + 700, 260);
    // Block boundaries differ after frame 700; sample voices do not care,
    // the synth's zap points move (far below this bound).
    for (size_t t = 0; t < l.size(); ++t) {
      ASSERT_NEAR(l[t], whole.l[t], 1e-6) << int(kind) << " " << t;
      ASSERT_NEAR(rr[t], whole.r[t], 1e-6) << int(kind) << " " << t;
    }
  }
}

TEST(Workload, RefusesBadParameters) {
  const std::vector<float> sample(10, 0.f);
  const std::vector<SampleVoiceParams> bad_rate = {{.rate = std::nan("")}};
  std::vector<float> l(480), r(480);
  WorkloadParams p;
  p.time_s = 0.01;
  p.sample_voices = bad_rate;
  EXPECT_FALSE(RenderWorkload(p, l, r).ok()) << "no sample";
  p.sample = sample;
  EXPECT_FALSE(RenderWorkload(p, l, r).ok()) << "NaN rate";
  p.sample_voices = {};
  p.block_frames = 0;
  EXPECT_FALSE(RenderWorkload(p, l, r).ok()) << "block 0";
  p.block_frames = 64;
  p.sample_rate_hz = 0;
  EXPECT_FALSE(RenderWorkload(p, l, r).ok()) << "rate 0";
  p.sample_rate_hz = kRate;
  std::vector<float> short_l(100);
  EXPECT_FALSE(RenderWorkload(p, short_l, r).ok()) << "short output";
  const Status ok = RenderWorkload(p, l, r);
  EXPECT_TRUE(ok.ok()) << ok.error;
  for (float x : l) ASSERT_EQ(x, 0.f);  // no voices: silence
}

}  // namespace
}  // namespace gb::dsp
