// Engine voice kernel: every compiled Highway target against the scalar twin
// (voice counts 0, 1, lanes-1, lanes, lanes+1, 16, 63; odd block lengths;
// mono and stereo; rates both ways; loops; bounds crossed inside blocks;
// every envelope stage; gates; fades; start offsets; 0-3 filters), then the
// twin against the old double-precision playback and the Q31 position's
// exactness over long renders.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dsp/kernels/engine_voices.h"
#include "dsp/kernels/sample_voices.h"
#include "dsp/kernels/target_info.h"
#include "gtest/gtest.h"
#include "tests/dsp/engine/engine_voices_test_util.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "tests/dsp/engine/engine_voices_test.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

#include "dsp/kernels/engine_voices-inl.h"
#include "hwy/tests/hwy_gtest.h"

HWY_BEFORE_NAMESPACE();
namespace gb::dsp::HWY_NAMESPACE {

void TestSampleVoicesMatchTwin() {
  namespace hn = hwy::HWY_NAMESPACE;
  const size_t lanes = hn::Lanes(VoiceTag());
  const size_t counts[] = {0, 1, lanes - 1, lanes, lanes + 1, 16, 63};
  test_util::TwinCoverage cov;
  uint32_t seed = 1;
  for (bool stereo : {false, true}) {
    for (bool filters : {false, true}) {
      for (size_t count : counts) {
        for (int rep = 0; rep < 3; ++rep) {
          SCOPED_TRACE(::testing::Message() << hwy::TargetName(HWY_TARGET) << (stereo ? " stereo" : " mono")
                                            << (filters ? " filters" : "") << " voices " << count << " seed "
                                            << seed);
          test_util::ExpectKernelMatchesTwin(&RenderEngineSampleVoicesT, count, stereo, filters, seed++, cov);
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
  // Every corner was reached, more than once.
  EXPECT_GT(cov.attack_to_decay, 10u);
  EXPECT_GT(cov.decay_to_sustain, 10u);
  EXPECT_GT(cov.gate_releases, 10u);
  EXPECT_GT(cov.ended_by_bounds, 10u);
  EXPECT_GT(cov.ended_by_release, 10u);
  EXPECT_GT(cov.ended_by_fade, 10u);
  EXPECT_GT(cov.loop_wraps, 10u);
  EXPECT_GT(cov.started_inside_block, 10u);
  EXPECT_GT(cov.started_after_block, 10u);
  ::testing::Test::RecordProperty("worst_error_per_unit_gain", std::to_string(cov.worst_error_per_unit_gain));
  printf("%s: worst |simd - twin| per unit gain %.3g (tolerance %.3g, %.3g with filters)\n",
         hwy::TargetName(HWY_TARGET), cov.worst_error_per_unit_gain, test_util::kTwinTolPerUnitGain,
         test_util::kTwinTolPerUnitGain * test_util::kFilterGainBound);
}

// Slots need not be contiguous or sorted, and a slot's neighbours in memory
// (not passed) are left alone.
void TestSampleVoicesTouchOnlyTheirSlots() {
  const auto smp = test_util::RandomSample(500, 2, 9);
  test_util::LaneBank bank(40);
  std::mt19937 rng(3);
  for (uint32_t s = 0; s < 40; ++s) {
    ASSERT_TRUE(StartLane(bank.lanes(), s, test_util::RandomLaneStart(rng, *smp, true, 32, true)));
  }
  const uint32_t slots[] = {37, 2, 19, 3, 30, 11, 5};
  std::vector<int32_t> frames_before(bank.lanes().frame, bank.lanes().frame + 40);
  std::vector<float> l(100, 0.f), r(100, 0.f);
  RenderEngineSampleVoicesT(bank.lanes(), slots, std::size(slots), true, 100, l.data(), r.data());
  for (uint32_t s = 0; s < 40; ++s) {
    if (std::find(std::begin(slots), std::end(slots), s) != std::end(slots)) continue;
    EXPECT_EQ(bank.lanes().frame[s], frames_before[s]) << "slot " << s;
  }
}

}  // namespace gb::dsp::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace gb::dsp {
namespace {

HWY_BEFORE_TEST(EngineVoicesKernel);
HWY_EXPORT_AND_TEST_P(EngineVoicesKernel, TestSampleVoicesMatchTwin);
HWY_EXPORT_AND_TEST_P(EngineVoicesKernel, TestSampleVoicesTouchOnlyTheirSlots);
// Builds with HWY_COMPILE_ONLY_STATIC (armhf with GB_ARMHF_NEON, see
// toolchains/arm-linux-gnueabihf.cmake) report no targets to instantiate the
// suite with; the dispatched kernel is checked below either way.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EngineVoicesKernel);

// Whatever target RenderEngineSampleVoices dispatches to (the only one in
// static-target builds) against the twin, through the public entry point.
TEST(EngineVoicesDispatch, MatchesTwin) {
  const size_t lanes = KernelFloatLanes();
  test_util::TwinCoverage cov;
  uint32_t seed = 1000;
  for (bool stereo : {false, true}) {
    for (size_t count : {size_t{1}, lanes + 1, size_t{16}, size_t{63}}) {
      SCOPED_TRACE(::testing::Message() << KernelTargetName() << (stereo ? " stereo" : " mono") << " voices "
                                        << count);
      test_util::ExpectKernelMatchesTwin(&RenderEngineSampleVoices, count, stereo, true, seed++, cov);
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(cov.gate_releases + cov.ended_by_bounds + cov.loop_wraps, 0u);
}

// The pool's previous playback, double position and all, for one voice with
// no envelope: the twin's Q31 position must play the same.
std::vector<float> DoublePlayback(const float* d, double n, double begin, double end, double rate, bool loop,
                                  size_t frames) {
  const double lo = begin * n, hi = end * n;
  double pos = rate > 0 ? lo : hi - 1.0;
  std::vector<float> out(frames, 0.f);
  for (size_t i = 0; i < frames; ++i) {
    if (pos < lo || pos >= hi) {
      if (!loop) break;
      const double len = hi - lo;
      pos = lo + (pos - lo) - len * std::floor((pos - lo) / len);
    }
    const double fi = std::floor(pos);
    const auto k = static_cast<int64_t>(fi);
    out[i] = CubicHermite(static_cast<float>(pos - fi), d[k - 1], d[k], d[k + 1], d[k + 2]);
    pos += rate;
  }
  return out;
}

TEST(EngineVoicesTwin, PlaysLikeTheDoublePrecisionPlayback) {
  const auto smp = test_util::RandomSample(1000, 1, 11);
  struct Case {
    double begin, end, rate;
    bool loop;
  };
  // Where a position lands exactly on a bound in real arithmetic (a loop
  // of 40.8 frames stepped by 1.3: 408 steps are 13 loops), either side is
  // a rounding away in both representations, so fractional loop cases use
  // rates with no short decimal form (pi, sqrt 2), which never land there.
  // Integer and half-integer cases are exact in both and do hit the bounds.
  const double pi = 3.141592653589793, sqrt2 = 1.4142135623730951;
  const Case cases[] = {
      {0.0, 1.0, 1.0, false},       {0.0, 1.0, -1.0, false},       {0.0, 1.0, 0.91875, false},
      {0.1, 0.7, -2.37, false},     {0.2503, 0.2911, pi / 2, true}, {0.2503, 0.2911, -pi / 2, true},
      {0.5, 0.5031, 5.6 * sqrt2, true}, {0.0, 1.0, 64.0, true},       {0.0, 1.0, -63.5, true},
      {0.3, 0.30047, -sqrt2 / 5, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.begin << ".." << c.end << " rate " << c.rate << (c.loop ? " loop" : ""));
    const size_t frames = 3000;
    const std::vector<float> want =
        DoublePlayback(smp->channel(0), 1000.0, c.begin, c.end, c.rate, c.loop, frames);
    test_util::LaneBank bank(1);
    LaneStart ls;
    ls.l = smp->channel(0);
    ls.frames = 1000;
    ls.begin = c.begin;
    ls.end = c.end;
    ls.rate = c.rate;
    ls.loop = c.loop;
    ls.gain_l = ls.gain_r = 1.f;
    ASSERT_TRUE(StartLane(bank.lanes(), 0, ls));
    std::vector<float> l(frames, 0.f), r(frames, 0.f);
    const uint32_t slot = 0;
    RenderEngineSampleVoicesScalar(bank.lanes(), &slot, 1, false, frames, l.data(), r.data());
    for (size_t i = 0; i < frames; ++i) ASSERT_NEAR(l[i], want[i], 2e-5) << "frame " << i;
  }
}

TEST(EngineVoicesTwin, PositionIsExactOverLongRenders) {
  // 2^20 frames at 44.1 kHz played at 48 kHz: after ~a million frames the
  // position is exactly start + n * rate on the Q31 grid.
  const size_t n = size_t{1} << 20;
  auto smp = std::make_unique<Sample>("long", 44100.0, 1, n);
  test_util::LaneBank bank(1);
  LaneStart ls;
  ls.l = smp->channel(0);
  ls.frames = n;
  ls.rate = 44100.0 / 48000.0;
  ASSERT_TRUE(StartLane(bank.lanes(), 0, ls));
  const int64_t step = std::llround(ls.rate * 2147483648.0);
  std::vector<float> l(512), r(512);
  const uint32_t slot = 0;
  int64_t rendered = 0;
  for (int b = 0; b < 2000; ++b) {
    RenderEngineSampleVoices(bank.lanes(), &slot, 1, false, 512, l.data(), r.data());
    rendered += 512;
  }
  const int64_t want = rendered * step;
  const int64_t got = (int64_t{bank.lanes().frame[0]} << 31) + bank.lanes().frac_q31[0];
  EXPECT_EQ(got, want);
  EXPECT_NEAR(static_cast<double>(got) / 2147483648.0, static_cast<double>(rendered) * ls.rate, 1e-3);
}

TEST(EngineVoicesTwin, RepresentsSamplesUpTo2To30Frames) {
  // Bounds and loop length of the longest sample allowed, on the Q31 grid
  // (StartLane reads no sample data).
  const float dummy[64] = {};
  test_util::LaneBank bank(1);
  const EngineVoiceLanes& v = bank.lanes();
  LaneStart ls;
  ls.l = dummy + 32;
  ls.frames = (size_t{1} << 30) - 1;
  ls.begin = 0.25;
  ls.end = 1.0;
  ls.rate = -64.0;
  ls.loop = true;
  ASSERT_TRUE(StartLane(v, 0, ls));
  const int64_t lo = (int64_t{(1 << 30) - 1} << 31) / 4;  // 0.25 * n exactly
  const int64_t hi = int64_t{(1 << 30) - 1} << 31;
  EXPECT_EQ((int64_t{v.bound_frame[0]} << 31) + v.bound_frac_q31[0], hi);
  EXPECT_EQ((int64_t{v.loop_frames[0]} << 31) + v.loop_frac_q31[0], hi - lo);
  // The backward rate is stored reduced modulo the loop: len - 64 frames.
  EXPECT_EQ((int64_t{v.step_frames[0]} << 31) + v.step_frac_q31[0], hi - lo - (int64_t{64} << 31));
  ls.frames = size_t{1} << 30;
  EXPECT_FALSE(StartLane(v, 0, ls)) << "longer than the representation allows";
}

}  // namespace
}  // namespace gb::dsp
#endif  // HWY_ONCE
