// Bitcrush: at most 2^bits distinct output levels (integer and fractional
// bits), two's-complement grids, silence stays silent, and rate_divisor n
// holds each value for n frames.
#include "dsp/fx/bitcrush.h"

#include <cmath>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

Stereo Crushed(const BitcrushParams& params, Stereo s) {
  Arena arena(64);
  Bitcrush crush;
  EXPECT_TRUE(crush.Prepare(kRate, fx_test::kBlock, arena));
  fx_test::Render(crush, params, s);
  return s;
}

TEST(Bitcrush, OutputTakesAtMostTwoToTheBitsLevels) {
  // A sine a little past full scale visits every level.
  const Stereo in = fx_test::Both(fx_test::Sine(97.0, 1.2, 48000));
  for (float bits : {1.f, 2.f, 2.5f, 3.f, 3.7f, 4.f, 6.f, 8.f}) {
    const Stereo out = Crushed(BitcrushParams{bits, 1.f}, in);
    const std::set<float> levels(out.l.begin(), out.l.end());
    const auto limit = static_cast<size_t>(std::floor(std::exp2(bits)));
    EXPECT_LE(levels.size(), limit) << bits;
    EXPECT_GE(levels.size(), limit - 1) << bits;  // and it uses (nearly) all of them
    EXPECT_TRUE(levels.count(0.f) == 1) << bits;
  }
}

TEST(Bitcrush, IntegerBitsAreTwosComplementPcm) {
  const Stereo in = fx_test::Both(fx_test::Noise(48000, 1.5f, 1));
  const Stereo out = Crushed(BitcrushParams{8.f, 1.f}, in);
  for (size_t i = 0; i < out.size(); ++i) {
    const float code = out.l[i] * 128.f;
    ASSERT_EQ(code, std::round(code)) << i;
    ASSERT_GE(code, -128.f);
    ASSERT_LE(code, 127.f);
    // Nearest code, except where the input clips.
    if (std::fabs(in.l[i]) < 127.f / 128.f) {
      ASSERT_NEAR(out.l[i], in.l[i], 0.5f / 128.f + 1e-7f);
    }
  }
  // 1 bit: {-1, 0}.
  const Stereo one = Crushed(BitcrushParams{1.f, 1.f}, in);
  for (float y : one.l) ASSERT_TRUE(y == -1.f || y == 0.f) << y;
}

TEST(Bitcrush, RateDivisorHoldsEachValueForNFrames) {
  const Stereo in = fx_test::Both(fx_test::Noise(4800, 1.f, 2));
  for (int n : {1, 2, 3, 4, 7, 64, 100}) {
    const Stereo out = Crushed(BitcrushParams{32.f, static_cast<float>(n)}, in);
    for (size_t i = 0; i < out.size(); ++i) {
      const size_t start = i - i % static_cast<size_t>(n);
      // The held value is the input at the start of its hold (32 bits: the
      // grid is finer than the input's float resolution near full scale).
      ASSERT_NEAR(out.l[i], in.l[start], 1e-9f) << n << " " << i;
    }
  }
  // Fractional: 2.5 frames per new value on average.
  const Stereo frac = Crushed(BitcrushParams{32.f, 2.5f}, in);
  size_t changes = 0;
  for (size_t i = 1; i < frac.size(); ++i) changes += frac.l[i] != frac.l[i - 1];
  EXPECT_NEAR(static_cast<double>(changes), 4800.0 / 2.5, 2.0);
}

TEST(Bitcrush, SilenceStaysSilentAndOddInputsStayFinite) {
  const Stereo silence(4800);
  for (float bits : {1.f, 1.5f, 4.f, 16.f, 32.f}) {
    const Stereo out = Crushed(BitcrushParams{bits, 3.f}, silence);
    EXPECT_EQ(fx_test::MaxAbs(out.l), 0.f) << bits;
  }
  Stereo odd(8);
  odd.l = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 0.5f, -0.5f, 0.f};
  odd.r = odd.l;
  const Stereo out = Crushed(BitcrushParams{NAN, NAN}, odd);
  EXPECT_TRUE(fx_test::AllFinite(out));
  EXPECT_EQ(out.l[0], 0.f);
}

}  // namespace
}  // namespace gb::dsp
