// Voice start-up: pan law, envelope slopes, rate reduction into the Q31 split
// form, oscillator increments and RLPF coefficients as the README defines
// them, and arena-carved voice arrays.
#include "dsp/voices.h"

#include <cmath>
#include <cstdint>
#include <numbers>

#include "gtest/gtest.h"

namespace gb::dsp {
namespace {

TEST(EqualPowerPan, KeepsLeftSquaredPlusRightSquaredAtOne) {
  for (int i = -100; i <= 100; ++i) {
    const double pan = i / 100.0;
    const PanGains g = EqualPowerPan(pan);
    EXPECT_NEAR(double{g.left} * double{g.left} + double{g.right} * double{g.right}, 1.0,
                2e-7)
        << pan;
    const double angle = (pan + 1.0) * std::numbers::pi / 4;
    EXPECT_NEAR(g.left, std::cos(angle), 1e-7);
    EXPECT_NEAR(g.right, std::sin(angle), 1e-7);
  }
}

TEST(EqualPowerPan, HardPansAreExactAndOutOfRangeClamps) {
  EXPECT_EQ(EqualPowerPan(-1.0).left, 1.f);
  EXPECT_EQ(EqualPowerPan(-1.0).right, 0.f);
  EXPECT_EQ(EqualPowerPan(1.0).left, 0.f);
  EXPECT_EQ(EqualPowerPan(1.0).right, 1.f);
  EXPECT_EQ(EqualPowerPan(0.0).left, EqualPowerPan(0.0).right);
  EXPECT_EQ(EqualPowerPan(7.0).right, 1.f);
  EXPECT_EQ(EqualPowerPan(-7.0).left, 1.f);
  EXPECT_EQ(EqualPowerPan(std::nan("")).left, EqualPowerPan(0.0).left);
}

TEST(RampSlope, RampReachesExactlyOneAfterItsFrames) {
  for (int64_t frames = 1; frames < 200000; frames += frames < 5000 ? 1 : 997) {
    const float slope = RampSlope(frames);
    const auto f = static_cast<float>(frames);
    ASSERT_GE(f * slope, 1.f) << frames;
    ASSERT_LT((f - 1.f) * slope, 1.f) << frames;
    ASSERT_NEAR(slope, 1.0 / frames, 2e-7 / frames) << frames;
  }
  EXPECT_EQ(RampSlope(0), 1.f);
  EXPECT_EQ(RampSlope(-5), 1.f);
}

SampleVoiceStart Rate(double rate) {
  return {.rate = rate, .length_frames = 10};
}

TEST(StartSampleVoice, SplitsTheRateIntoFramesAndQ31ReducedModuloTheLoop) {
  Arena arena(SampleVoicesBytes(1));
  SampleVoices v;
  ASSERT_TRUE(AllocateSampleVoices(arena, 1, v));
  struct Case {
    double rate;
    int32_t frames, frac_q31;
  };
  const Case cases[] = {{1.0, 1, 0},
                        {1.5, 1, 1 << 30},
                        {0.25, 0, 1 << 29},
                        {-0.5, 99, 1 << 30},    // backwards = forwards mod 100
                        {250.25, 50, 1 << 29},  // whole loops dropped
                        {300.0, 0, 0},
                        {99.99999999999, 0, 0}};  // rounds up to a whole loop
  for (const Case& c : cases) {
    StartSampleVoice(v, 0, 100, Rate(c.rate));
    EXPECT_EQ(v.step_frames[0], c.frames) << c.rate;
    EXPECT_EQ(v.step_frac_q31[0], c.frac_q31) << c.rate;
  }
  StartSampleVoice(v, 0, 100, {.start_frame = 101.75, .gain = 0.5, .pan = -1.0});
  EXPECT_EQ(v.frame[0], 1);
  EXPECT_EQ(v.frac_q31[0], 3 << 29);
  EXPECT_EQ(v.gain_l[0], 0.5f);
  EXPECT_EQ(v.gain_r[0], 0.f);
  EXPECT_EQ(v.age_frames[0], 0);
}

TEST(StartSynthVoice, OscillatorIncrementAndRlpfFollowTheReadme) {
  Arena arena(SynthVoicesBytes(1));
  SynthVoices v;
  ASSERT_TRUE(AllocateSynthVoices(arena, 1, v));
  const double cutoff_hz = 3058.164876518191, rq = 0.25;
  StartSynthVoice(v, 0, {.freq_norm = 12000.0 / 48000.0,
                         .cutoff_norm = cutoff_hz / 48000.0,
                         .rq = rq,
                         .gain = 0.0625,
                         .pan = 0.0});
  EXPECT_EQ(uint32_t(v.phase_inc_q32[0]), 1u << 30);
  EXPECT_EQ(v.inv_dt[0], 4.f);
  // README: pf = cutoff 2 pi / 48000, D = tan(pf rq / 2), C = (1-D)/(1+D),
  // B1 = (1+C) cos(pf), A0 = (1 + C - B1) / 4.
  const double pf = cutoff_hz * 2 * std::numbers::pi / 48000;
  const double d = std::tan(pf * rq / 2);
  const double c = (1 - d) / (1 + d);
  const double b1 = (1 + c) * std::cos(pf);
  EXPECT_EQ(v.c[0], static_cast<float>(c));
  EXPECT_EQ(v.b1[0], static_cast<float>(b1));
  EXPECT_EQ(v.a0[0], static_cast<float>((1 + c - b1) / 4));
  EXPECT_NEAR(v.gain_l[0], 0.0625 * std::sqrt(0.5), 1e-8);
  EXPECT_EQ(v.gain_l[0], v.gain_r[0]);

  StartSynthVoice(v, 0, {.freq_norm = 0.9});  // above Nyquist: clamped
  EXPECT_EQ(uint32_t(v.phase_inc_q32[0]), 1u << 31);
  StartSynthVoice(v, 0, {.freq_norm = 0.0});  // 0 Hz: finite 1/dt
  EXPECT_EQ(v.phase_inc_q32[0], 0);
  EXPECT_TRUE(std::isfinite(v.inv_dt[0]));
}

TEST(AllocateVoices, CarvesAlignedZeroedPaddedArraysOrFails) {
  Arena arena(SampleVoicesBytes(100) + SynthVoicesBytes(100));
  SampleVoices s;
  SynthVoices y;
  ASSERT_TRUE(AllocateSampleVoices(arena, 100, s));
  ASSERT_TRUE(AllocateSynthVoices(arena, 100, y));
  for (const void* p : {static_cast<const void*>(s.frame),
                        static_cast<const void*>(s.gain_r),
                        static_cast<const void*>(y.phase_q32),
                        static_cast<const void*>(y.gain_r)}) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  }
  for (size_t i = 0; i < PaddedVoiceCount(100); ++i) {
    ASSERT_EQ(s.end_frames[i], 0);
    ASSERT_EQ(y.gain_l[i], 0.f);
  }
  Arena small(256);
  EXPECT_FALSE(AllocateSampleVoices(small, 100, s));
}

}  // namespace
}  // namespace gb::dsp
