// Distortion: identity at drive 0 or mix 0, odd harmonics (3rd measured with
// a DFT bin) growing with drive, no even ones, and bounded peaks whatever
// the drive.
#include "dsp/fx/distortion.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

Stereo Distorted(const DistortionParams& params, float amplitude, double freq_hz = 1000.0) {
  Arena arena(64);
  Distortion dist;
  EXPECT_TRUE(dist.Prepare(kRate, fx_test::kBlock, arena));
  Stereo s = fx_test::Both(fx_test::Sine(freq_hz, amplitude, 48000));
  fx_test::Render(dist, params, s);
  return s;
}

TEST(Distortion, DriveZeroOrMixZeroIsTheIdentity) {
  Arena arena(64);
  Distortion dist;
  ASSERT_TRUE(dist.Prepare(kRate, fx_test::kBlock, arena));
  Stereo s;
  s.l = fx_test::Noise(48000, 2.f, 1);
  s.r = fx_test::Noise(48000, 2.f, 2);
  const Stereo in = s;
  fx_test::Render(dist, DistortionParams{0.f, 0.5f}, s);
  EXPECT_EQ(s.l, in.l);
  EXPECT_EQ(s.r, in.r);
  dist.Reset();
  fx_test::Render(dist, DistortionParams{10.f, 0.f}, s);
  EXPECT_EQ(s.l, in.l);
  EXPECT_EQ(s.r, in.r);
}

TEST(Distortion, ASineGainsOddHarmonicsThatGrowWithDrive) {
  // 1 kHz: a whole number of periods in the 1 s window, so each harmonic
  // sits on its own DFT bin.
  double previous_h3 = 0.0;
  for (float drive : {0.5f, 1.f, 3.f, 10.f}) {
    const Stereo s = Distorted(DistortionParams{drive, 1.f}, 0.8f);
    const double h1 = fx_test::ToneAmplitude(s.l, 0, s.size(), 1000.0);
    const double h2 = fx_test::ToneAmplitude(s.l, 0, s.size(), 2000.0);
    const double h3 = fx_test::ToneAmplitude(s.l, 0, s.size(), 3000.0);
    const double h5 = fx_test::ToneAmplitude(s.l, 0, s.size(), 5000.0);
    EXPECT_GT(h3 / h1, previous_h3) << drive;
    EXPECT_LT(fx_test::Db(h2 / h1), -90.0) << drive;  // odd curve: no even harmonics
    if (drive >= 3.f) {
      EXPECT_GT(fx_test::Db(h3 / h1), -20.0) << drive;
      EXPECT_GT(fx_test::Db(h5 / h1), -40.0) << drive;
    }
    previous_h3 = h3 / h1;
  }
  // Gentle at drive 0.5: 3rd harmonic well down, but there.
  const Stereo gentle = Distorted(DistortionParams{0.5f, 1.f}, 0.8f);
  const double ratio = fx_test::ToneAmplitude(gentle.l, 0, gentle.size(), 3000.0) /
                       fx_test::ToneAmplitude(gentle.l, 0, gentle.size(), 1000.0);
  EXPECT_LT(fx_test::Db(ratio), -30.0);
  EXPECT_GT(fx_test::Db(ratio), -60.0);
}

TEST(Distortion, PeaksStayBoundedWhateverTheDrive) {
  for (float drive : {0.01f, 0.3f, 1.f, 10.f, 100.f, 1000.f, 1e9f}) {
    for (float mix : {0.5f, 1.f}) {
      // Full scale in, full scale out at most.
      EXPECT_LE(fx_test::MaxAbs(Distorted(DistortionParams{drive, mix}, 1.f).l), 1.f + 1e-6f)
          << drive;
      // Hot input: never louder than it came in.
      EXPECT_LE(fx_test::MaxAbs(Distorted(DistortionParams{drive, mix}, 4.f).l), 4.f + 1e-5f)
          << drive;
    }
  }
  // Full scale stays full scale: the makeup gain undoes the curve's loss.
  EXPECT_NEAR(fx_test::MaxAbs(Distorted(DistortionParams{10.f, 1.f}, 1.f).l), 1.f, 1e-3f);
}

TEST(Distortion, DriveJumpsRampWithoutBlowingUp) {
  Arena arena(64);
  Distortion dist;
  ASSERT_TRUE(dist.Prepare(kRate, fx_test::kBlock, arena));
  Stereo s = fx_test::Both(fx_test::Sine(220.0, 0.9, 48000));
  fx_test::RenderWith(
      dist, [](size_t b) { return DistortionParams{b % 2 == 0 ? 0.f : 50.f, 1.f}; }, s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  EXPECT_LE(fx_test::MaxAbs(s.l), 1.f + 1e-6f);
}

TEST(Distortion, SoftClipIsAnOddMonotonicTanhLikeCurve) {
  float previous = -1.f;
  for (int i = -5000; i <= 5000; ++i) {
    const float x = static_cast<float>(i) / 1000.f;
    const float y = SoftClip(x);
    ASSERT_EQ(SoftClip(-x), -y) << x;
    // Monotonic and within +-1 up to float rounding of the rational form.
    ASSERT_GE(y, previous - 1e-6f) << x;
    ASSERT_LE(std::fabs(y), 1.f + 1e-6f) << x;
    ASSERT_NEAR(y, std::tanh(x), 0.025f) << x;
    previous = y;
  }
  EXPECT_EQ(SoftClip(0.f), 0.f);
  EXPECT_EQ(SoftClip(3.f), 1.f);
}

}  // namespace
}  // namespace gb::dsp
