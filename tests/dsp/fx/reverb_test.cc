// Reverb (Freeverb): impulse responses decay, longer for a larger room, with
// finite energy even at room 1; mix 0 is the dry signal bit for bit; the
// tail ends in exact zeros.
#include "dsp/fx/reverb.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;
using fx_test::Stereo;

struct Prepared {
  Arena arena{Reverb::ArenaBytes(kRate, fx_test::kBlock)};
  Reverb reverb;
  Prepared() { EXPECT_TRUE(reverb.Prepare(kRate, fx_test::kBlock, arena)); }
};

// Wet impulse response (mix 1), both channels fed.
Stereo ImpulseResponse(float room, float damping, size_t frames) {
  Prepared p;
  Stereo s(frames);
  s.l[0] = 1.f;
  s.r[0] = 1.f;
  fx_test::Render(p.reverb, ReverbParams{room, damping, 1.f}, s, 256);
  return s;
}

// Frames until the Schroeder backward-integrated energy falls `db` below
// its total (the standard decay-time measurement).
size_t DecayFrames(const std::vector<float>& ir, double db) {
  std::vector<double> tail(ir.size() + 1, 0.0);
  for (size_t i = ir.size(); i-- > 0;) tail[i] = tail[i + 1] + double{ir[i]} * double{ir[i]};
  const double limit = tail[0] * std::pow(10.0, -db / 10.0);
  for (size_t i = 0; i < ir.size(); ++i) {
    if (tail[i] < limit) return i;
  }
  return ir.size();
}

TEST(Reverb, ImpulseResponseEnergyDecaysWindowByWindow) {
  const Stereo ir = ImpulseResponse(0.7f, 0.5f, 5 * 48000);
  ASSERT_TRUE(fx_test::AllFinite(ir));
  const size_t window = 12000;  // 250 ms
  for (const std::vector<float>* ch : {&ir.l, &ir.r}) {
    double previous = fx_test::Energy(*ch, window, 2 * window);
    EXPECT_GT(previous, 0.0);
    for (size_t w = 2; w < ir.size() / window; ++w) {
      const double e = fx_test::Energy(*ch, w * window, (w + 1) * window);
      EXPECT_LT(e, previous) << w;
      previous = e;
    }
  }
  // The two sides are decorrelated (Freeverb's stereo spread), not copies.
  EXPECT_NE(ir.l, ir.r);
}

TEST(Reverb, LargerRoomsDecayLonger) {
  size_t previous = 0;
  for (float room : {0.f, 0.3f, 0.6f, 0.9f}) {
    const Stereo ir = ImpulseResponse(room, 0.5f, 12 * 48000);
    const size_t t30 = DecayFrames(ir.l, 30.0);
    EXPECT_GT(t30, previous + 2400) << room;  // at least 50 ms longer per step
    previous = t30;
  }
  // The documented figures: RT60 (2 x T30) 0.64 s at room 0 without damping;
  // damping shortens it.
  const size_t t30_room0 = DecayFrames(ImpulseResponse(0.f, 0.f, 4 * 48000).l, 30.0);
  EXPECT_NEAR(2.0 * static_cast<double>(t30_room0) / 48000.0, 0.65, 0.2);
  EXPECT_LT(DecayFrames(ImpulseResponse(0.6f, 1.f, 8 * 48000).l, 30.0),
            DecayFrames(ImpulseResponse(0.6f, 0.f, 8 * 48000).l, 30.0));
}

TEST(Reverb, EvenRoomOneHasAFiniteDecayingTail) {
  const Stereo ir = ImpulseResponse(1.f, 0.f, 40 * 48000);
  ASSERT_TRUE(fx_test::AllFinite(ir));
  const double first = fx_test::Energy(ir.l, 0, 48000);
  const double last = fx_test::Energy(ir.l, 39 * 48000, 40 * 48000);
  EXPECT_LT(last, first * 1e-6);  // more than 60 dB down after 39 s
}

TEST(Reverb, MixZeroIsExactlyDry) {
  Prepared p;
  Stereo s;
  s.l = fx_test::Noise(48000, 1.f, 1);
  s.r = fx_test::Noise(48000, 1.f, 2);
  const Stereo in = s;
  fx_test::Render(p.reverb, ReverbParams{0.9f, 0.2f, 0.f}, s);
  EXPECT_EQ(s.l, in.l);
  EXPECT_EQ(s.r, in.r);
}

TEST(Reverb, WetLevelIsNearTheInputLevel) {
  // Noise through room 0.5, fully wet: comparable loudness, so mix is a
  // balance rather than a level trap.
  Prepared p;
  Stereo s;
  s.l = fx_test::Noise(5 * 48000, 0.5f, 3);
  s.r = fx_test::Noise(5 * 48000, 0.5f, 4);
  const Stereo in = s;
  fx_test::Render(p.reverb, ReverbParams{0.5f, 0.5f, 1.f}, s);
  const double ratio_db = fx_test::Db(fx_test::Rms(s.l, 48000, s.size()) /
                                      fx_test::Rms(in.l, 48000, s.size()));
  EXPECT_NEAR(ratio_db, 0.0, 4.0);  // measured +2.8 dB
}

TEST(Reverb, TailEndsInExactZerosWithoutDenormals) {
  const Stereo ir = ImpulseResponse(0.5f, 0.5f, 30 * 48000);
  for (size_t i = 0; i < ir.size(); ++i) {
    ASSERT_NE(std::fpclassify(ir.l[i]), FP_SUBNORMAL) << i;
    ASSERT_NE(std::fpclassify(ir.r[i]), FP_SUBNORMAL) << i;
  }
  EXPECT_EQ(fx_test::MaxAbs(ir.l, 29 * 48000), 0.f);
  EXPECT_EQ(fx_test::MaxAbs(ir.r, 29 * 48000), 0.f);
}

TEST(Reverb, MovingParametersEveryBlockStaysFiniteAndSmooth) {
  Prepared p;
  Stereo s = fx_test::Both(fx_test::Sine(220.0, 0.5, 4 * 48000));
  fx_test::RenderWith(
      p.reverb,
      [](size_t b) {
        const float t = static_cast<float>(b % 97) / 96.f;
        return ReverbParams{t, 1.f - t, t};
      },
      s);
  ASSERT_TRUE(fx_test::AllFinite(s));
  EXPECT_LT(fx_test::MaxAbs(s.l), 2.f);
}

// Freeverb's own per-frame loop (as Reverb::Process was written before it ran
// in runs through dsp/kernels/freeverb.h), with fixed parameters.
Stereo ReferenceFreeverb(const Stereo& in, float room, float damping, float mix) {
  constexpr uint32_t kComb[8] = {1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617};
  constexpr uint32_t kAllpass[4] = {556, 441, 341, 225};
  auto len = [](uint32_t t) { return static_cast<size_t>(std::round(t * 48000.0 / 44100.0)); };
  struct Line {
    std::vector<float> b;
    size_t i = 0;
  };
  Line comb[2][8], ap[2][4];
  float lp[2][8] = {};
  for (int ch = 0; ch < 2; ++ch) {
    for (int k = 0; k < 8; ++k) comb[ch][k].b.assign(len(kComb[k] + (ch ? 23u : 0u)), 0.f);
    for (int k = 0; k < 4; ++k) ap[ch][k].b.assign(len(kAllpass[k] + (ch ? 23u : 0u)), 0.f);
  }
  const float fb = 0.7f + 0.28f * room, damp = 0.4f * damping;
  auto flush = [](float x) { return std::fabs(x) < 1e-15f ? 0.f : x; };
  Stereo out = in;
  std::vector<float>* io[2] = {&out.l, &out.r};
  for (size_t i = 0; i < in.size(); ++i) {
    const float input = (in.l[i] + in.r[i]) * 0.015f;
    for (int ch = 0; ch < 2; ++ch) {
      float acc = 0.f;
      for (int k = 0; k < 8; ++k) {
        Line& c = comb[ch][k];
        const float o = c.b[c.i];
        lp[ch][k] = o * (1.f - damp) + lp[ch][k] * damp;
        c.b[c.i] = flush(input + lp[ch][k] * fb);
        if (++c.i == c.b.size()) c.i = 0;
        acc += o;
      }
      for (Line& a : ap[ch]) {
        const float d = a.b[a.i];
        a.b[a.i] = flush(acc + d * 0.5f);
        acc = d - acc;
        if (++a.i == a.b.size()) a.i = 0;
      }
      const float dry = (*io[ch])[i];
      (*io[ch])[i] = dry + mix * (3.f * acc - dry);
    }
  }
  return out;
}

TEST(Reverb, MatchesFreeverbsPerFrameLoopAtAnyBlockSize) {
  const Stereo in{[] {
    Stereo s(2 * 48000);
    s.l = fx_test::Noise(s.size(), 0.5f, 11);
    s.r = fx_test::Noise(s.size(), 0.5f, 12);
    return s;
  }()};
  const Stereo want = ReferenceFreeverb(in, 0.9f, 0.3f, 0.6f);
  for (size_t block : {size_t{1}, size_t{7}, size_t{128}, size_t{245}, size_t{246}, size_t{1000}}) {
    Arena arena{Reverb::ArenaBytes(kRate, block)};
    Reverb reverb;
    ASSERT_TRUE(reverb.Prepare(kRate, block, arena));
    Stereo s = in;
    fx_test::Render(reverb, ReverbParams{0.9f, 0.3f, 0.6f}, s, block);
    // Equal to rounding (the comb kernel may contract multiply-adds).
    for (size_t i = 0; i < s.size(); ++i) {
      ASSERT_NEAR(s.l[i], want.l[i], 1e-5f) << "block " << block << " frame " << i;
      ASSERT_NEAR(s.r[i], want.r[i], 1e-5f) << "block " << block << " frame " << i;
    }
  }
}

TEST(Reverb, TooSmallArenaFailsAndPassesThrough) {
  Arena small(4096);
  Reverb reverb;
  EXPECT_FALSE(reverb.Prepare(kRate, fx_test::kBlock, small));
  Stereo s = fx_test::Both(fx_test::Noise(1000, 1.f, 3));
  const Stereo in = s;
  fx_test::Render(reverb, ReverbParams{}, s);
  EXPECT_EQ(s.l, in.l);
}

}  // namespace
}  // namespace gb::dsp
