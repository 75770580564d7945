// Chorus: identity at mix 0; with depth the output differs from the input and
// the two sides differ (opposite LFO phases); the swept delay stays within
// 5..25 ms; levels stay bounded.
#include "dsp/fx/chorus.h"

#include <cmath>
#include <numbers>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

struct Prepared {
  Arena arena{Chorus::ArenaBytes(kRate, fx_test::kBlock)};
  Chorus chorus;
  Prepared() { EXPECT_TRUE(chorus.Prepare(kRate, fx_test::kBlock, arena)); }
};

TEST(Chorus, MixZeroIsTheIdentity) {
  Prepared p;
  Stereo s;
  s.l = fx_test::Noise(48000, 1.f, 1);
  s.r = fx_test::Noise(48000, 1.f, 2);
  const Stereo in = s;
  fx_test::Render(p.chorus, ChorusParams{3.f, 1.f, 0.f}, s);
  EXPECT_EQ(s.l, in.l);
  EXPECT_EQ(s.r, in.r);
}

TEST(Chorus, WithDepthTheOutputDiffersFromTheInputAndLeftFromRight) {
  Prepared p;
  Stereo s = fx_test::Both(fx_test::Sine(330.0, 0.8, 2 * 48000));
  const Stereo in = s;
  fx_test::Render(p.chorus, ChorusParams{1.f, 0.7f, 0.5f}, s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  double diff_in = 0.0, diff_lr = 0.0;
  for (size_t i = 4800; i < s.size(); ++i) {
    diff_in += std::fabs(double{s.l[i]} - double{in.l[i]});
    diff_lr += std::fabs(double{s.l[i]} - double{s.r[i]});
  }
  const auto n = static_cast<double>(s.size() - 4800);
  EXPECT_GT(diff_in / n, 0.05);
  EXPECT_GT(diff_lr / n, 0.05);
  // Bounded: a mix of the input and its (interpolated) delayed copy.
  EXPECT_LT(fx_test::MaxAbs(s.l), 0.8f * 1.05f);
  EXPECT_LT(fx_test::MaxAbs(s.r), 0.8f * 1.05f);
}

TEST(Chorus, DepthZeroIsAFixedFifteenMillisecondDelay) {
  Prepared p;
  Stereo s(4000);
  s.l[10] = 1.f;
  s.r[10] = 1.f;
  fx_test::Render(p.chorus, ChorusParams{5.f, 0.f, 1.f}, s);
  // 0.015 * 48000 = 720 frames (up to float rounding of the centre).
  EXPECT_NEAR(s.l[730], 1.f, 1e-3f);
  EXPECT_NEAR(s.r[730], 1.f, 1e-3f);
}

TEST(Chorus, TheSweepStaysWithinFiveToTwentyFiveMilliseconds) {
  // Clicks every 1500 frames; the echo of each lands at the current delay.
  Prepared p;
  const size_t period = 1500, count = 64;
  Stereo s(period * count);
  for (size_t k = 0; k < count; ++k) s.l[k * period] = 1.f;
  fx_test::Render(p.chorus, ChorusParams{0.7f, 1.f, 1.f}, s);
  double lo = 1e9, hi = 0.0;
  for (size_t k = 0; k + 1 < count; ++k) {
    size_t peak = k * period;
    for (size_t i = k * period; i < (k + 1) * period; ++i) {
      if (std::fabs(s.l[i]) > std::fabs(s.l[peak])) peak = i;
    }
    const auto delay = static_cast<double>(peak - k * period);
    lo = std::min(lo, delay);
    hi = std::max(hi, delay);
  }
  EXPECT_GE(lo, 0.005 * 48000 - 1);
  EXPECT_LE(hi, 0.025 * 48000 + 1);
  EXPECT_LT(lo, 0.008 * 48000);  // it does sweep most of the range
  EXPECT_GT(hi, 0.022 * 48000);
}

TEST(Chorus, ParameterJumpsStayFiniteAndBounded) {
  Prepared p;
  Stereo s = fx_test::Both(fx_test::Noise(48000, 1.f, 3));
  fx_test::RenderWith(
      p.chorus,
      [](size_t b) {
        return b % 2 == 0 ? ChorusParams{20.f, 1.f, 1.f} : ChorusParams{0.f, 0.f, 0.f};
      },
      s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  EXPECT_LT(fx_test::MaxAbs(s.l), 1.5f);
}

TEST(Chorus, FastSinTurnsTracksSine) {
  for (int i = -1000; i <= 3000; ++i) {
    const float phase = static_cast<float>(i) / 1000.f;
    ASSERT_NEAR(FastSinTurns(phase), std::sin(2.0 * std::numbers::pi * double{phase}), 2e-4) << phase;
  }
}

}  // namespace
}  // namespace gb::dsp
