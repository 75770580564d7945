// Sample-voice kernels: every compiled Highway target against the scalar twin,
// then listening checks (envelope corners, pan law, loop wrap, no NaN or
// denormals) on the twin and on every target.
#include "dsp/kernels/sample_voices.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "dsp/kernels/target_info.h"
#include "dsp/voices.h"
#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"
#include "tests/dsp/common/voice_banks.h"

namespace gb::dsp {
namespace {

using test_util::IsNormalOrZero;
using test_util::OwnedLoop;
using test_util::SampleBank;

using Kernel = void (*)(const LoopedSample&, const SampleVoices&, size_t,
                        size_t, float*, float*);

// Tolerance of SIMD against twin, per output sample: 2e-6 of the sum of
// |gain| over the voices (samples are in [-1, 1], Hermite overshoots by at
// most 1.25x). The difference is fused multiply-adds in the interpolator
// (1-2 ulp per voice) and the summation order across lanes; positions and
// envelopes are computed identically. Seen: about 2e-7 of the sum.
constexpr double kTolPerUnitGain = 2e-6;

std::vector<float> RandomSample(size_t frames, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> s(frames);
  for (float& x : s) x = u(rng);
  return s;
}

// Busy random voices: mid-ramp, in hold, ended, odd and exotic rates.
void StartRandomVoices(const SampleBank& bank, size_t count,
                       int32_t loop_frames, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double special_rates[] = {0.0, 1.0, 2.0, -1.0, -0.0001,
                                  loop_frames - 0.5, 3.0 * loop_frames + 0.25};
  for (size_t i = 0; i < count; ++i) {
    SampleVoiceStart s;
    s.rate = i % 9 < 7 ? special_rates[i % 9 % 7] : 0.25 + 2.75 * u(rng);
    if (i % 5 == 0) s.rate = -3.0 + 6.0 * u(rng);
    s.start_frame = u(rng) * loop_frames;
    s.gain = u(rng);
    s.pan = -1.0 + 2.0 * u(rng);
    s.attack_frames = static_cast<int64_t>(300 * u(rng));
    s.release_frames = static_cast<int64_t>(300 * u(rng));
    s.length_frames = static_cast<int64_t>(2000 * u(rng));
    StartSampleVoice(bank.voices(), i, loop_frames, s);
    bank.voices().age_frames[i] =
        static_cast<int32_t>(u(rng) * static_cast<double>(s.length_frames));
  }
}

class SampleVoicesKernel : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(SampleVoicesKernel);

void ExpectMatchesTwin(Kernel simd, Kernel twin) {
  const size_t lanes = KernelFloatLanes();
  const std::vector<float> mono = RandomSample(997, 7);
  const OwnedLoop loop(mono);
  const size_t counts[] = {0, 1, lanes - 1, lanes, lanes + 1, 63, 512};
  const size_t blocks[] = {1, 7, 64, 65, 127, 333};
  double worst = 0.0;
  for (size_t count : counts) {
    SCOPED_TRACE(::testing::Message() << "voices " << count);
    SampleBank a(count);
    StartRandomVoices(a, count, loop.loop().loop_frames, 11 + count);
    SampleBank b(a);
    double gain_sum_l = 0.0, gain_sum_r = 0.0;
    for (size_t i = 0; i < count; ++i) {
      gain_sum_l += std::abs(double{a.voices().gain_l[i]});
      gain_sum_r += std::abs(double{a.voices().gain_r[i]});
    }
    const double tol_l = kTolPerUnitGain * (gain_sum_l + 1e-3);
    const double tol_r = kTolPerUnitGain * (gain_sum_r + 1e-3);
    for (size_t frames : blocks) {
      SCOPED_TRACE(::testing::Message() << "block " << frames);
      // Offset by one float: outputs need no alignment. Kernels add, so
      // start from the same non-zero contents.
      std::vector<float> al(frames + 1, 0.25f), ar(frames + 1, -0.5f);
      std::vector<float> bl = al, br = ar;
      simd(loop.loop(), a.voices(), count, frames, al.data() + 1,
           ar.data() + 1);
      twin(loop.loop(), b.voices(), count, frames, bl.data() + 1,
           br.data() + 1);
      for (size_t t = 0; t <= frames; ++t) {
        ASSERT_NEAR(al[t], bl[t], tol_l) << "L frame " << t;
        ASSERT_NEAR(ar[t], br[t], tol_r) << "R frame " << t;
        worst = std::max(worst, std::abs(double{al[t]} - double{bl[t]}) /
                                    (gain_sum_l + 1e-3));
      }
      for (size_t i = 0; i < count; ++i) {
        ASSERT_EQ(a.voices().frame[i], b.voices().frame[i]) << "voice " << i;
        ASSERT_EQ(a.voices().frac_q31[i], b.voices().frac_q31[i]);
        ASSERT_EQ(a.voices().age_frames[i], b.voices().age_frames[i]);
      }
    }
  }
  ::testing::Test::RecordProperty("worst_error_per_unit_gain",
                                  std::to_string(worst));
}

TEST_P(SampleVoicesKernel, CubicMatchesScalarTwin) {
  ExpectMatchesTwin(&RenderSampleVoicesCubic, &RenderSampleVoicesCubicScalar);
}

TEST_P(SampleVoicesKernel, LinearMatchesScalarTwin) {
  ExpectMatchesTwin(&RenderSampleVoicesLinear,
                    &RenderSampleVoicesLinearScalar);
}

TEST_P(SampleVoicesKernel, GatherCubicMatchesScalarTwin) {
  ExpectMatchesTwin(&RenderSampleVoicesCubicGather,
                    &RenderSampleVoicesCubicScalar);
}

TEST_P(SampleVoicesKernel, GatherLinearMatchesScalarTwin) {
  ExpectMatchesTwin(&RenderSampleVoicesLinearGather,
                    &RenderSampleVoicesLinearScalar);
}

// The two ways of fetching taps must agree exactly: same taps, same math.
TEST_P(SampleVoicesKernel, RowLoadsAndGathersAreBitIdentical) {
  const OwnedLoop loop(RandomSample(1001, 8));
  for (bool cubic : {true, false}) {
    SampleBank a(300);
    StartRandomVoices(a, 300, loop.loop().loop_frames, 21);
    SampleBank b(a);
    std::vector<float> al(200, 0.f), ar(200, 0.f), bl(200, 0.f), br(200, 0.f);
    (cubic ? RenderSampleVoicesCubic : RenderSampleVoicesLinear)(
        loop.loop(), a.voices(), 300, 200, al.data(), ar.data());
    (cubic ? RenderSampleVoicesCubicGather : RenderSampleVoicesLinearGather)(
        loop.loop(), b.voices(), 300, 200, bl.data(), br.data());
    EXPECT_EQ(al, bl);
    EXPECT_EQ(ar, br);
  }
}

TEST_P(SampleVoicesKernel, DispatchesToTheTargetUnderTest) {
  EXPECT_STREQ(KernelTargetName(), hwy::TargetName(GetParam()));
}

// --- Listening checks, run on the twin and on every target ----------------

struct NamedKernel {
  const char* name;
  Kernel fn;
  bool cubic;
};

std::vector<NamedKernel> AllKernels() {
  return {{"cubic", &RenderSampleVoicesCubic, true},
          {"linear", &RenderSampleVoicesLinear, false},
          {"cubic gather", &RenderSampleVoicesCubicGather, true},
          {"linear gather", &RenderSampleVoicesLinearGather, false},
          {"cubic twin", &RenderSampleVoicesCubicScalar, true},
          {"linear twin", &RenderSampleVoicesLinearScalar, false}};
}

// Renders one voice for `frames` frames in blocks of 64 (the last one odd).
void RenderOne(Kernel k, const LoopedSample& loop, const SampleBank& bank,
               size_t frames, std::vector<float>& l, std::vector<float>& r) {
  l.assign(frames, 0.f);
  r.assign(frames, 0.f);
  for (size_t t = 0; t < frames; t += 64) {
    const size_t n = std::min<size_t>(64, frames - t);
    k(loop, bank.voices(), 1, n, l.data() + t, r.data() + t);
  }
}

// Makes voice 0 play at full level, envelope held at 1 from the first frame.
void HoldEnvelopeOpen(const SampleBank& bank) {
  bank.voices().age_frames[0] = 1 << 20;
  bank.voices().end_frames[0] = 1 << 29;
}

TEST_P(SampleVoicesKernel, EnvelopeRampsReachExactlyZeroAndOne) {
  const OwnedLoop ones(std::vector<float>(16, 1.f));
  struct Case {
    int64_t attack, release, length;
  };
  const Case cases[] = {{240, 2400, 4800}, {1, 1, 10},    {241, 2399, 3001},
                        {0, 0, 5},         {64, 64, 128}, {7, 5, 9}};
  for (const NamedKernel& k : AllKernels()) {
    for (const Case& c : cases) {
      SCOPED_TRACE(::testing::Message()
                   << k.name << " A=" << c.attack << " R=" << c.release
                   << " T=" << c.length);
      SampleBank bank(1);
      // Pan hard left: gain_l = cos(0) = 1, gain_r = sin(0) = 0, exactly, so
      // the left output is the envelope itself.
      StartSampleVoice(bank.voices(), 0, 16,
                       {.rate = 1.37,
                        .gain = 1.0,
                        .pan = -1.0,
                        .attack_frames = c.attack,
                        .release_frames = c.release,
                        .length_frames = c.length});
      std::vector<float> env, right;
      RenderOne(k.fn, ones.loop(), bank, static_cast<size_t>(c.length) + 70,
                env, right);
      const auto a = static_cast<size_t>(std::max<int64_t>(c.attack, 1));
      const auto r = static_cast<size_t>(std::max<int64_t>(c.release, 1));
      const auto t_end = static_cast<size_t>(c.length);
      EXPECT_EQ(env[0], 0.f);
      EXPECT_EQ(env[t_end], 0.f) << "release ends exactly at the length";
      EXPECT_GT(env[t_end - 1], 0.f);
      for (size_t t = t_end; t < env.size(); ++t) ASSERT_EQ(env[t], 0.f);
      for (size_t t = 0; t < t_end; ++t) {
        // Analytic envelope; the kernels may differ by float rounding only.
        const double want =
            std::clamp(std::min(double(t) / double(a),
                                double(t_end - t) / double(r)),
                       0.0, 1.0);
        ASSERT_NEAR(env[t], want, 1e-6) << "frame " << t;
        ASSERT_EQ(right[t], 0.f);
      }
      if (a + r <= t_end) {  // attack and release do not overlap
        EXPECT_EQ(env[a], 1.f) << "attack reaches exactly 1";
        EXPECT_LT(env[a - 1], 1.f);
        EXPECT_EQ(env[t_end - r], 1.f) << "release starts from exactly 1";
        EXPECT_LT(env[t_end - r + 1], 1.f);
        for (size_t t = a; t <= t_end - r; ++t) ASSERT_EQ(env[t], 1.f);
        for (size_t t = 1; t <= a; ++t) ASSERT_GE(env[t], env[t - 1]);
        for (size_t t = t_end - r + 1; t <= t_end; ++t) {
          ASSERT_LE(env[t], env[t - 1]);
        }
      }
    }
  }
}

TEST_P(SampleVoicesKernel, EqualPowerPanKeepsPowerConstant) {
  const OwnedLoop ones(std::vector<float>(16, 1.f));
  for (const NamedKernel& k : AllKernels()) {
    for (double pan = -1.0; pan <= 1.0001; pan += 0.125) {
      SCOPED_TRACE(::testing::Message() << k.name << " pan " << pan);
      SampleBank bank(1);
      StartSampleVoice(bank.voices(), 0, 16,
                       {.rate = 0.7, .gain = 1.0, .pan = pan});
      HoldEnvelopeOpen(bank);
      std::vector<float> l, r;
      RenderOne(k.fn, ones.loop(), bank, 100, l, r);
      for (size_t t = 0; t < l.size(); ++t) {
        ASSERT_NEAR(double{l[t]} * double{l[t]} + double{r[t]} * double{r[t]}, 1.0, 1e-6);
      }
      const double angle = (pan + 1.0) * std::numbers::pi / 4;
      EXPECT_NEAR(l[50], std::cos(angle), 1e-7);
      EXPECT_NEAR(r[50], std::sin(angle), 1e-7);
    }
  }
}

// The test's own model of the read position: n * rate, reduced modulo the
// loop by multiplication (the kernels accumulate), in Q31.
struct Position {
  int64_t frame;
  double x;
};
Position ModelPosition(const SampleBank& bank, int64_t n, int64_t loop) {
  const int64_t rate_q31 = (int64_t{bank.voices().step_frames[0]} << 31) +
                           bank.voices().step_frac_q31[0];
  const int64_t p = (n * rate_q31) % (loop << 31);
  // The kernels use the top 24 of the 31 fraction bits.
  return {p >> 31, static_cast<double>((p & 0x7fffffff) >> 7) / 16777216.0};
}

TEST_P(SampleVoicesKernel, LoopingRampReadsTheRightValuesAcrossTheWrap) {
  constexpr int64_t kLoop = 100;
  std::vector<float> ramp(kLoop);
  for (int64_t i = 0; i < kLoop; ++i) ramp[i] = static_cast<float>(i);
  const OwnedLoop loop(ramp);
  auto at = [&](int64_t i) {
    return double{ramp[static_cast<size_t>(((i % kLoop) + kLoop) % kLoop)]};
  };
  const double rates[] = {1.0, 0.5, 0.75, 1.5, 2.0, -1.0, 1.0 / 3.0, 99.5};
  for (const NamedKernel& k : AllKernels()) {
    for (double rate : rates) {
      SCOPED_TRACE(::testing::Message() << k.name << " rate " << rate);
      SampleBank bank(1);
      StartSampleVoice(bank.voices(), 0, kLoop,
                       {.rate = rate, .gain = 1.0, .pan = -1.0});
      HoldEnvelopeOpen(bank);
      std::vector<float> out, unused;
      RenderOne(k.fn, loop.loop(), bank, 450, out, unused);
      for (int64_t n = 0; n < 450; ++n) {
        const Position p = ModelPosition(bank, n, kLoop);
        const double want =
            k.cubic ? double{CubicHermite(static_cast<float>(p.x),
                                          static_cast<float>(at(p.frame - 1)),
                                          static_cast<float>(at(p.frame)),
                                          static_cast<float>(at(p.frame + 1)),
                                          static_cast<float>(at(p.frame + 2)))}
                    : at(p.frame) + p.x * (at(p.frame + 1) - at(p.frame));
        ASSERT_NEAR(out[static_cast<size_t>(n)], want, 1e-4) << "frame " << n;
      }
      if (rate == 1.0) {  // whole frames: the sample itself, wrap included
        for (size_t n = 0; n < 450; ++n) ASSERT_EQ(out[n], float(n % 100));
      }
      if (rate == 0.5) {  // frame 199 reads halfway from 99 back to 0
        const float want =
            k.cubic ? CubicHermite(0.5f, 98.f, 99.f, 0.f, 1.f) : 49.5f;
        EXPECT_NEAR(out[199], want, 1e-5);
        EXPECT_EQ(out[200], 0.f);
      }
    }
  }
}

TEST_P(SampleVoicesKernel, TinyLoopsWrapEveryTap) {
  for (size_t frames : {1u, 2u, 3u}) {
    std::vector<float> mono(frames);
    for (size_t i = 0; i < frames; ++i) mono[i] = float(i + 1);
    const OwnedLoop loop(mono);
    for (const NamedKernel& k : AllKernels()) {
      SampleBank bank(1);
      StartSampleVoice(bank.voices(), 0, static_cast<int32_t>(frames),
                       {.rate = 0.625, .gain = 1.0, .pan = -1.0});
      HoldEnvelopeOpen(bank);
      std::vector<float> out, unused;
      RenderOne(k.fn, loop.loop(), bank, 200, out, unused);
      for (float v : out) {
        ASSERT_TRUE(std::isfinite(v));
        ASSERT_GE(v, 1.f - 1.25f * float(frames)) << k.name;
        ASSERT_LE(v, 1.25f * float(frames) + 1.f) << k.name;
      }
    }
  }
}

TEST_P(SampleVoicesKernel, BusyRenderHasNoNaNOrDenormals) {
  std::vector<float> mono = RandomSample(4000, 3);
  std::fill(mono.begin() + 1000, mono.begin() + 2000, 0.f);  // silence
  const OwnedLoop loop(mono);
  for (const NamedKernel& k : AllKernels()) {
    SampleBank bank(512);
    StartRandomVoices(bank, 512, 4000, 5);
    std::vector<float> l(100), r(100);
    for (int block = 0; block < 30; ++block) {
      std::fill(l.begin(), l.end(), 0.f);
      std::fill(r.begin(), r.end(), 0.f);
      k.fn(loop.loop(), bank.voices(), 512, l.size(), l.data(), r.data());
      for (size_t t = 0; t < l.size(); ++t) {
        ASSERT_TRUE(std::isfinite(l[t]) && IsNormalOrZero(l[t])) << k.name;
        ASSERT_TRUE(std::isfinite(r[t]) && IsNormalOrZero(r[t])) << k.name;
      }
    }
  }
}

TEST(SampleVoices, LoopedSampleGuardsWrapAround) {
  const std::vector<float> mono = {1.f, 2.f, 3.f, 4.f};
  std::vector<float> storage(LoopedSampleStorageFloats(mono.size()), -9.f);
  ASSERT_EQ(storage.size(), 1 + 4 + 3u);
  const LoopedSample s = MakeLoopedSample(mono.data(), 4, storage.data());
  EXPECT_EQ(s.loop_frames, 4);
  EXPECT_EQ(s.data[-1], 4.f);
  EXPECT_EQ(s.data[0], 1.f);
  EXPECT_EQ(s.data[3], 4.f);
  EXPECT_EQ(s.data[4], 1.f);
  EXPECT_EQ(s.data[5], 2.f);
  EXPECT_EQ(s.data[6], 3.f);
}

}  // namespace
}  // namespace gb::dsp
