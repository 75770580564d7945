// Compressor: a steady tone over threshold settles at threshold +
// (level - threshold) / ratio within 1 dB; below threshold with makeup 0 the
// signal is untouched; attack and release act as the stated time constants;
// the two channels share one gain.
#include "dsp/fx/compressor.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

struct Prepared {
  Arena arena{64};
  Compressor comp;
  Prepared() { EXPECT_TRUE(comp.Prepare(kRate, fx_test::kBlock, arena)); }
};

double PeakDb(const std::vector<float>& x, size_t begin) {
  return fx_test::Db(fx_test::MaxAbs(x, begin));
}

TEST(Compressor, SteadyToneSettlesAtThresholdPlusExcessOverRatio) {
  for (float ratio : {2.f, 4.f, 10.f}) {
    for (float in_db : {-12.f, -6.f, 0.f}) {
      Prepared p;
      const float threshold_db = -20.f;
      Stereo s = fx_test::Both(
          fx_test::Sine(1000.0, std::pow(10.0, double{in_db} / 20.0), 48000));
      fx_test::Render(p.comp, CompressorParams{threshold_db, ratio, 0.005f, 0.2f, 0.f}, s);
      const double want = threshold_db + (in_db - threshold_db) / ratio;
      EXPECT_NEAR(PeakDb(s.l, 24000), want, 1.0) << ratio << " " << in_db;
      EXPECT_NEAR(PeakDb(s.r, 24000), want, 1.0) << ratio << " " << in_db;
    }
  }
}

TEST(Compressor, BelowThresholdWithoutMakeupIsUntouched) {
  Prepared p;
  Stereo s;
  s.l = fx_test::Sine(440.0, 0.05, 48000);  // -26 dB peak
  s.r = fx_test::Noise(48000, 0.05f, 1);
  const Stereo in = s;
  fx_test::Render(p.comp, CompressorParams{-20.f, 8.f, 0.001f, 0.05f, 0.f}, s);
  EXPECT_EQ(s.l, in.l);
  EXPECT_EQ(s.r, in.r);
  EXPECT_EQ(p.comp.gain_reduction_db(), 0.f);
}

TEST(Compressor, MakeupGainIsAppliedInDb) {
  Prepared p;
  Stereo s = fx_test::Both(fx_test::Sine(440.0, 0.05, 4800));
  const Stereo in = s;
  fx_test::Render(p.comp, CompressorParams{-20.f, 4.f, 0.01f, 0.1f, 6.f}, s);
  for (size_t i = 0; i < s.size(); ++i) {
    ASSERT_NEAR(s.l[i], in.l[i] * 1.9952623f, 1e-6f) << i;
  }
}

// Gain reduction (dB) over time for a DC level that steps from `from` to
// `to` (linear) at frame 48000.
std::vector<double> ReductionForStep(float from, float to, const CompressorParams& params) {
  Prepared p;
  Stereo s(2 * 48000);
  for (size_t i = 0; i < s.size(); ++i) s.l[i] = s.r[i] = i < 48000 ? from : to;
  const Stereo in = s;
  fx_test::Render(p.comp, params, s, 32);
  std::vector<double> reduction(s.size());
  for (size_t i = 0; i < s.size(); ++i) reduction[i] = -fx_test::Db(s.l[i] / in.l[i]);
  return reduction;
}

TEST(Compressor, AttackAndReleaseAreTheStatedTimeConstants) {
  // 0 dBFS against a -20 dB threshold at ratio 4: 15 dB of reduction. After
  // one time constant a step has moved 1 - 1/e = 63 % of the way.
  const CompressorParams params{-20.f, 4.f, 0.01f, 0.1f, 0.f};
  const std::vector<double> attack = ReductionForStep(0.01f, 1.f, params);
  EXPECT_NEAR(attack[48000 - 1], 0.0, 1e-9);
  EXPECT_NEAR(attack[48000 + 480], 15.0 * (1.0 - std::exp(-1.0)), 0.5);
  EXPECT_NEAR(attack.back(), 15.0, 0.01);

  const std::vector<double> release = ReductionForStep(1.f, 0.01f, params);
  EXPECT_NEAR(release[48000 - 1], 15.0, 0.01);
  EXPECT_NEAR(release[48000 + 4800], 15.0 * std::exp(-1.0), 0.5);
  EXPECT_LT(release.back(), 0.01);
}

TEST(Compressor, ChannelsAreLinked) {
  // Loud left, quiet right: the right is turned down by the same gain.
  Prepared p;
  Stereo s;
  s.l = fx_test::Sine(500.0, 1.0, 48000);
  s.r = fx_test::Sine(700.0, 0.01, 48000);
  const Stereo in = s;
  fx_test::Render(p.comp, CompressorParams{-20.f, 4.f, 0.005f, 0.1f, 0.f}, s);
  for (size_t i = 100; i < s.size(); i += 97) {
    if (std::fabs(in.l[i]) < 0.1f || std::fabs(in.r[i]) < 1e-3f) continue;
    ASSERT_NEAR(s.l[i] / in.l[i], s.r[i] / in.r[i], 1e-5f) << i;
  }
  EXPECT_GT(p.comp.gain_reduction_db(), 10.f);
}

TEST(Compressor, ExtremeSettingsStayFinite) {
  Prepared p;
  Stereo s = fx_test::Both(fx_test::Noise(48000, 4.f, 2));
  fx_test::RenderWith(
      p.comp,
      [](size_t b) {
        const float odd[] = {NAN, INFINITY, -INFINITY, 0.f, 1e30f, -1e30f};
        return CompressorParams{odd[b % 6], odd[(b + 1) % 6], odd[(b + 2) % 6],
                                odd[(b + 3) % 6], odd[(b + 4) % 6]};
      },
      s);
  EXPECT_TRUE(fx_test::AllFinite(s));
}

}  // namespace
}  // namespace gb::dsp
