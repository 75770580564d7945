// Svf, SvfMono and the per-voice SvfState: measured magnitude responses
// against the analytic bilinear-transformed 2nd-order prototypes, stability at
// the limits of cutoff and q, and click-free cutoff sweeps.
#include "dsp/fx/svf.h"

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

// |H(e^jw)| of the filter as documented in svf.h: the analog prototype at the
// prewarped frequency Omega = tan(pi f / fs) / tan(pi fc / fs).
double AnalyticGain(SvfMode mode, double f_hz, double cutoff_hz, double q) {
  const double omega = std::tan(std::numbers::pi * f_hz / double{kRate}) /
                       std::tan(std::numbers::pi * cutoff_hz / double{kRate});
  const std::complex<double> s(0.0, omega);
  const double k = 1.0 / q;
  const std::complex<double> den = s * s + k * s + 1.0;
  switch (mode) {
    case SvfMode::kLowPass: return std::abs(1.0 / den);
    case SvfMode::kHighPass: return std::abs(s * s / den);
    case SvfMode::kBandPass: return std::abs(k * s / den);
    case SvfMode::kNotch: return std::abs((s * s + 1.0) / den);
  }
  return 0.0;
}

// Steady-state gain at f_hz: 0.25 s to settle, then the RMS ratio over one
// second (a whole number of periods for integer frequencies).
double MeasuredGain(SvfMode mode, double f_hz, double cutoff_hz, double q) {
  const size_t settle = 12000, window = 48000;
  Stereo s = fx_test::Both(fx_test::Sine(f_hz, 0.5, settle + window));
  const std::vector<float> in = s.l;
  Arena arena(1024);
  Svf svf;
  EXPECT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  const SvfParams p{mode, static_cast<float>(cutoff_hz), static_cast<float>(q)};
  fx_test::Render(svf, p, s);
  EXPECT_EQ(s.l, s.r);
  return fx_test::Rms(s.l, settle, settle + window) / fx_test::Rms(in, settle, settle + window);
}

const char* Name(SvfMode mode) {
  switch (mode) {
    case SvfMode::kLowPass: return "lpf";
    case SvfMode::kHighPass: return "hpf";
    case SvfMode::kBandPass: return "bpf";
    case SvfMode::kNotch: return "notch";
  }
  return "?";
}

TEST(Svf, MagnitudeResponseMatchesTheAnalyticSecondOrderFilterWithinATenthOfADb) {
  const double cutoff_hz = 1000.0;
  const double freqs[] = {50, 200, 500, 800, 1000, 1250, 2000, 5000, 12000, 20000};
  for (SvfMode mode : {SvfMode::kLowPass, SvfMode::kHighPass, SvfMode::kBandPass,
                       SvfMode::kNotch}) {
    for (double q : {0.7071, 1.0, 4.0}) {
      for (double f : freqs) {
        const double want = AnalyticGain(mode, f, cutoff_hz, q);
        const double got = MeasuredGain(mode, f, cutoff_hz, q);
        if (want < 1e-3) {  // deep in a stop band: only "very quiet" is meaningful
          EXPECT_LT(got, 2e-3) << Name(mode) << " q=" << q << " f=" << f;
        } else {
          EXPECT_NEAR(fx_test::Db(got), fx_test::Db(want), 0.1)
              << Name(mode) << " q=" << q << " f=" << f;
        }
      }
    }
  }
}

TEST(Svf, LowPassAtCutoffIsTwentyLogQ) {
  // The stated q convention: gain at the cutoff = q (Butterworth -3 dB).
  for (double q : {0.5, 0.7071, 1.0, 2.0, 8.0}) {
    EXPECT_NEAR(fx_test::Db(MeasuredGain(SvfMode::kLowPass, 1000, 1000, q)), fx_test::Db(q),
                0.05)
        << q;
    EXPECT_NEAR(fx_test::Db(MeasuredGain(SvfMode::kHighPass, 1000, 1000, q)), fx_test::Db(q),
                0.05)
        << q;
  }
  EXPECT_NEAR(fx_test::Db(MeasuredGain(SvfMode::kLowPass, 1000, 1000, 0.7071)), -3.01, 0.05);
}

TEST(Svf, HighPassPassesAboveCutoffAndStopsBelow) {
  EXPECT_NEAR(fx_test::Db(MeasuredGain(SvfMode::kHighPass, 10000, 500, 0.7071)), 0.0, 0.05);
  EXPECT_LT(fx_test::Db(MeasuredGain(SvfMode::kHighPass, 50, 500, 0.7071)), -39.0);
}

TEST(Svf, NotchKillsItsCentreFrequency) {
  for (double q : {0.5, 1.0, 5.0}) {
    for (double fc : {100.0, 1000.0, 9000.0}) {
      EXPECT_LT(fx_test::Db(MeasuredGain(SvfMode::kNotch, fc, fc, q)), -30.0) << q << " " << fc;
      // Well away from the centre it passes (as the analytic response says).
      for (double f : {fc / 8.0, fc * 8.0}) {
        if (f > 20000.0) continue;
        const double want = AnalyticGain(SvfMode::kNotch, f, fc, q);
        EXPECT_GT(want, 0.9);
        EXPECT_NEAR(fx_test::Db(MeasuredGain(SvfMode::kNotch, f, fc, q)), fx_test::Db(want), 0.1);
      }
    }
  }
}

TEST(Svf, BandPassPeaksAtCutoffWithUnityGain) {
  for (double q : {0.7071, 2.0, 10.0}) {
    const double at = MeasuredGain(SvfMode::kBandPass, 2000, 2000, q);
    EXPECT_NEAR(fx_test::Db(at), 0.0, 0.05) << q;
    EXPECT_LT(MeasuredGain(SvfMode::kBandPass, 1500, 2000, q), at) << q;
    EXPECT_LT(MeasuredGain(SvfMode::kBandPass, 2500, 2000, q), at) << q;
  }
}

TEST(Svf, StaysFiniteAtMaxResonanceAndNearNyquist) {
  const float top_hz = kSvfMaxCutoffRatio * kRate;
  for (SvfMode mode : {SvfMode::kLowPass, SvfMode::kHighPass, SvfMode::kBandPass,
                       SvfMode::kNotch}) {
    for (float cutoff : {top_hz, 20000.f, 5.f, 1000.f}) {
      Stereo s;
      s.l = fx_test::Noise(96000, 1.f, 1);
      s.r = fx_test::Sine(cutoff, 1.0, 96000);  // right on the resonance
      Arena arena(1024);
      Svf svf;
      ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
      fx_test::Render(svf, SvfParams{mode, cutoff, kSvfMaxQ}, s);
      ASSERT_TRUE(fx_test::AllFinite(s)) << Name(mode) << " " << cutoff;
      // Resonant gain is at most q (band-pass: 1), plus the noise's spread.
      EXPECT_LT(fx_test::MaxAbs(s.l), 4.f * kSvfMaxQ) << Name(mode) << " " << cutoff;
      EXPECT_LT(fx_test::MaxAbs(s.r), 1.5f * kSvfMaxQ) << Name(mode) << " " << cutoff;
    }
  }
  // Out-of-range and NaN parameters clamp rather than blow up.
  Stereo s = fx_test::Both(fx_test::Noise(48000, 1.f, 2));
  Arena arena(1024);
  Svf svf;
  ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::RenderWith(
      svf,
      [](size_t b) {
        const float odd[] = {1e9f, -5.f, 0.f, NAN, INFINITY, 30000.f};
        return SvfParams{SvfMode::kLowPass, odd[b % 6], odd[(b / 6) % 6]};
      },
      s);
  EXPECT_TRUE(fx_test::AllFinite(s));
}

TEST(Svf, SweepingTheCutoffEveryBlockAtMaxResonanceStaysFinite) {
  Stereo s = fx_test::Both(fx_test::Noise(4 * 48000, 1.f, 3));
  Arena arena(1024);
  Svf svf;
  ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::RenderWith(
      svf,
      [](size_t b) {
        // 5 Hz .. 23.5 kHz and back, every block a big step.
        const float t = static_cast<float>(b % 200) / 199.f;
        const float tri = t < 0.5f ? 2.f * t : 2.f - 2.f * t;
        return SvfParams{SvfMode::kBandPass, 5.f * std::pow(4700.f, tri), kSvfMaxQ};
      },
      s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  EXPECT_LT(fx_test::MaxAbs(s.l), 50.f);
}

TEST(Svf, CutoffJumpsAreRampedWithoutClicks) {
  // A 440 Hz sine through a low-pass whose cutoff leaps 6.3 octaves, between
  // 150 Hz and 12 kHz, every other block (64 frames). The input's largest
  // step is 2 pi 440 / 48000 * 0.5 = 0.029. Switching the coefficients
  // without a ramp makes steps of ~0.29 (checked below, so this test can
  // tell a click); the ramp must keep them within twice the input's.
  const size_t n = 48000;
  const auto cutoff_at = [](size_t b) { return (b / 2) % 2 == 0 ? 150.f : 12000.f; };
  Stereo s = fx_test::Both(fx_test::Sine(440.0, 0.5, n));
  const float in_jump = fx_test::MaxJump(s.l);

  std::vector<float> unramped = s.l;
  SvfState state;
  for (size_t b = 0; b < n / fx_test::kBlock; ++b) {
    state.Process(SvfCoefficients::Make(SvfMode::kLowPass, cutoff_at(b), 0.7071f, kRate),
                  unramped.data() + b * fx_test::kBlock, fx_test::kBlock);
  }
  EXPECT_GT(fx_test::MaxJump(unramped), 5.f * in_jump);

  Arena arena(1024);
  Svf svf;
  ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::RenderWith(
      svf, [&](size_t b) { return SvfParams{SvfMode::kLowPass, cutoff_at(b), 0.7071f}; }, s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  EXPECT_LT(fx_test::MaxJump(s.l), 2.f * in_jump);

  // Same with a mode change (low-pass <-> high-pass) every block: the output
  // mix is ramped too.
  Stereo m = fx_test::Both(fx_test::Sine(440.0, 0.5, n));
  svf.Reset();
  fx_test::RenderWith(
      svf,
      [](size_t b) {
        return SvfParams{b % 2 == 0 ? SvfMode::kLowPass : SvfMode::kHighPass, 440.f, 0.7071f};
      },
      m);
  EXPECT_LT(fx_test::MaxJump(m.l), 2.f * in_jump);
}

TEST(Svf, MonoAndPerVoiceFormsMatchTheStereoUnit) {
  const std::vector<float> in = fx_test::Noise(4096, 1.f, 4);
  const SvfParams p{SvfMode::kBandPass, 700.f, 3.f};
  Arena arena(1024);

  Stereo s = fx_test::Both(in);
  Svf svf;
  ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::Render(svf, p, s);

  std::vector<float> mono = in;
  SvfMono svf_mono;
  ASSERT_TRUE(svf_mono.Prepare(kRate, fx_test::kBlock, arena));
  for (size_t i = 0; i < mono.size(); i += fx_test::kBlock) {
    svf_mono.ProcessMono(p, mono.data() + i, fx_test::kBlock);
  }
  EXPECT_EQ(mono, s.l);

  // Per voice: fixed coefficients, sample by sample through Tick.
  const SvfCoefficients c = SvfCoefficients::Make(p.mode, p.cutoff_hz, p.q, kRate);
  SvfState voice;
  std::vector<float> ticked(in.size());
  for (size_t i = 0; i < in.size(); ++i) ticked[i] = voice.Tick(c, in[i]);
  for (size_t i = 0; i < in.size(); ++i) ASSERT_NEAR(ticked[i], s.l[i], 1e-6f) << i;
}

TEST(Svf, CoefficientsFollowTheDocumentedMapping) {
  const SvfCoefficients c = SvfCoefficients::Make(SvfMode::kHighPass, 1000.f, 2.f, kRate);
  EXPECT_NEAR(c.g, std::tan(std::numbers::pi * 1000.0 / 48000.0), 1e-7);
  EXPECT_FLOAT_EQ(c.k, 0.5f);
  EXPECT_FLOAT_EQ(c.m0, 1.f);
  EXPECT_FLOAT_EQ(c.m1, -0.5f);
  EXPECT_FLOAT_EQ(c.m2, -1.f);
  // Clamps: q to [0.1, 100], cutoff to [5 Hz, 0.49 fs]; NaN -> defaults.
  EXPECT_FLOAT_EQ(SvfCoefficients::Make(SvfMode::kLowPass, 1000.f, 1e6f, kRate).k, 0.01f);
  EXPECT_FLOAT_EQ(SvfCoefficients::Make(SvfMode::kLowPass, 1000.f, 0.f, kRate).k, 10.f);
  EXPECT_FLOAT_EQ(SvfCoefficients::Make(SvfMode::kLowPass, 1e9f, 1.f, kRate).g,
                  SvfCoefficients::Make(SvfMode::kLowPass, 0.49f * kRate, 1.f, kRate).g);
  EXPECT_FLOAT_EQ(SvfCoefficients::Make(SvfMode::kLowPass, NAN, NAN, kRate).g,
                  SvfCoefficients::Make(SvfMode::kLowPass, 1000.f, 1.f, kRate).g);
}

TEST(Svf, SilenceAfterSoundDecaysToExactZeros) {
  Stereo s(48000);
  const std::vector<float> burst = fx_test::Noise(4800, 1.f, 5);
  std::copy(burst.begin(), burst.end(), s.l.begin());
  std::copy(burst.begin(), burst.end(), s.r.begin());
  Arena arena(1024);
  Svf svf;
  ASSERT_TRUE(svf.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::Render(svf, SvfParams{SvfMode::kLowPass, 40.f, 2.f}, s);
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_NE(std::fpclassify(s.l[i]), FP_SUBNORMAL) << i;
  }
  for (size_t i = s.size() - 4800; i < s.size(); ++i) ASSERT_EQ(s.l[i], 0.f) << i;
}

}  // namespace
}  // namespace gb::dsp
