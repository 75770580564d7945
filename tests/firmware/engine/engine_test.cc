// The engine, heard: onsets on their exact sample at any block size and
// tempo, chords at the right pitches, pan law, gain, envelopes, per-voice
// filters, no drift over long renders, bit-identical output whatever the
// thread count, and nothing non-finite.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "tests/firmware/engine/engine_test_util.h"

namespace gb::fw {
namespace {

using testing::Onsets;
using testing::RenderText;
using testing::Rms;
using testing::ToneAmplitude;

// Expected frame of an onset at cycle t: round(t * rate / cps), half up.
size_t FrameOf(Rational t, Rational cps, int64_t rate = 48000) {
  return static_cast<size_t>((t * Rational(rate) / cps + Rational::Make(1, 2)).FloorInt());
}

class OnsetsPerBlock : public ::testing::TestWithParam<size_t> {};

TEST_P(OnsetsPerBlock, LandOnTheExactSampleAtAnyBlockSize) {
  const size_t block = GetParam();
  struct Case {
    const char* text;
    Rational cps;
    std::vector<Rational> onsets;
  };
  const std::vector<Case> cases = {
      {"cps: 0.5\no1: s \"click*4\"", Rational::Make(1, 2), {0, Rational::Make(1, 4), Rational::Make(1, 2), Rational::Make(3, 4)}},
      {"cps: 0.5\no1: s \"click*1.5\"", Rational::Make(1, 2), {0, Rational::Make(2, 3)}},
      {"cps: 0.5\no1: s \"click(5,8)\"", Rational::Make(1, 2),
       {0, Rational::Make(2, 8), Rational::Make(3, 8), Rational::Make(5, 8), Rational::Make(6, 8)}},
      // 0.6 cycles per second: sevenths of a cycle fall between samples.
      {"cps: 0.6\no1: s \"click*7\"", Rational::Make(3, 5),
       {0, Rational::Make(1, 7), Rational::Make(2, 7), Rational::Make(3, 7), Rational::Make(4, 7), Rational::Make(5, 7),
        Rational::Make(6, 7)}},
      {"bpm: 137\no1: s \"click*3 click\"", Rational::Make(137, 60),
       {0, Rational::Make(1, 6), Rational::Make(1, 3), Rational::Make(1, 2)}},
  };
  for (const Case& c : cases) {
    auto out = RenderText(c.text, (Rational(1) / c.cps).ToDouble(), block);
    std::vector<size_t> want;
    for (const Rational& t : c.onsets) want.push_back(FrameOf(t, c.cps));
    EXPECT_EQ(Onsets(out.l), want) << c.text << " at block " << block;
  }
}

INSTANTIATE_TEST_SUITE_P(Blocks, OnsetsPerBlock, ::testing::Values(1, 7, 64, 128, 333, 512));

TEST(Engine, LongRendersDoNotDrift) {
  // 200 cycles at 5 cycles per second: the last onset is still exact.
  auto out = RenderText("cps: 5\no1: s \"click*3\"", 40.0, 256);
  auto on = Onsets(out.l);
  ASSERT_EQ(on.size(), 600u);
  for (size_t k = 0; k < on.size(); ++k)
    ASSERT_EQ(on[k], FrameOf(Rational::Make(static_cast<int64_t>(k), 3), Rational(5))) << "onset " << k;
}

TEST(Engine, PanLawAndGain) {
  // The click at pan 0 (left), 0.5 (centre), 1 (right), gain 0.5 for the last.
  auto out = RenderText("cps: 1\no1: s \"click click click click\" # pan \"0 0.5 1 0.5\" # gain \"1 1 1 0.5\"", 1.0);
  const size_t q = 12000;
  EXPECT_NEAR(out.l[0], 1.f, 1e-6);
  EXPECT_NEAR(out.r[0], 0.f, 1e-6);
  EXPECT_NEAR(out.l[q], std::sqrt(0.5f), 1e-6);
  EXPECT_NEAR(out.r[q], std::sqrt(0.5f), 1e-6);
  EXPECT_NEAR(out.l[2 * q], 0.f, 1e-6);
  EXPECT_NEAR(out.r[2 * q], 1.f, 1e-6);
  EXPECT_NEAR(out.l[3 * q], 0.5f * std::sqrt(0.5f), 1e-6);
  for (size_t k = 0; k < 4; ++k) {
    const float l = out.l[k * q], r = out.r[k * q];
    const float g = k == 3 ? 0.5f : 1.f;
    EXPECT_NEAR(l * l + r * r, g * g, 1e-5) << "equal power at step " << k;
  }
}

TEST(Engine, StereoSamplesKeepTheirChannels) {
  auto out = RenderText("cps: 1\no1: s \"dc\" # legato 0.5", 0.25);
  EXPECT_NEAR(out.l[1000], 0.5f * std::sqrt(0.5f), 1e-4);
  EXPECT_NEAR(out.r[1000], 0.25f * std::sqrt(0.5f), 1e-4);
}

TEST(Engine, SpeedNoteAndReverse) {
  // The 2 s sample at speed 2 lasts 1 s; note 12 doubles too; speed -1
  // plays it backwards, all of it.
  auto a = RenderText("cps: 0.25\no1: s \"dc\" # speed 2", 3.0);
  auto b = RenderText("cps: 0.25\no1: s \"dc\" # note 12", 3.0);
  auto c = RenderText("cps: 0.25\no1: s \"dc\" # speed -1", 3.0);
  auto last_sound = [](const std::vector<float>& x) {
    size_t last = 0;
    for (size_t i = 0; i < x.size(); ++i)
      if (std::fabs(x[i]) > 0.01f) last = i;
    return last;
  };
  EXPECT_NEAR(static_cast<double>(last_sound(a.l)), 48000.0, 3.0);
  EXPECT_NEAR(static_cast<double>(last_sound(b.l)), 48000.0, 3.0);
  EXPECT_NEAR(static_cast<double>(last_sound(c.l)), 96000.0, 3.0);
  EXPECT_GT(std::fabs(c.l[100]), 0.3f);
}

TEST(Engine, ChordVoicesAtTheRightFrequencies) {
  auto out = RenderText("cps: 1\n~x: sine 440\no1: note \"c4'maj\" # s \"~x\" # adsr 0.01 0 1 0.1", 1.0);
  const float* x = out.l.data() + 4800;
  const size_t n = 38400;  // 0.1 .. 0.9 s, inside the sustain
  const double c4 = 261.6256, e4 = 329.6276, g4 = 391.9954;
  const double a_c = ToneAmplitude(x, n, c4), a_e = ToneAmplitude(x, n, e4), a_g = ToneAmplitude(x, n, g4);
  // Each voice: sine at the synth level, equal-power centre pan.
  EXPECT_GT(a_c, 0.1);
  EXPECT_NEAR(a_e / a_c, 1.0, 0.02);
  EXPECT_NEAR(a_g / a_c, 1.0, 0.02);
  EXPECT_LT(ToneAmplitude(x, n, 440.0), 0.01 * a_c) << "the bus's own 440 Hz is replaced by the notes";
  EXPECT_LT(ToneAmplitude(x, n, 300.0), 0.01 * a_c);
}

TEST(Engine, EnvelopeShapes) {
  // ar 0.1 0.2 on a two-second event, legato 0.5: ramps up over 0.1 s,
  // holds, releases over 0.2 s after the gate (1 s).
  auto out = RenderText("cps: 0.5\no1: s \"dc\" # ar 0.1 0.2 # legato 0.5 # pan 0", 1.5);
  const float full = 0.5f;
  EXPECT_NEAR(out.l[2400], 0.5f * full, 0.01f) << "half way up the attack";
  EXPECT_NEAR(out.l[24000], full, 1e-4f) << "holding";
  EXPECT_NEAR(out.l[48000 + 4800], 0.5f * full, 0.01f) << "half way down the release";
  EXPECT_NEAR(out.l[48000 + 9700], 0.f, 1e-3f) << "released";
}

TEST(Engine, PerVoiceFilterMagnitudeAtCutoff) {
  // A 1 kHz sine through lpf 1000 with q = 0.7071 (Butterworth): -3 dB.
  auto dry = RenderText("cps: 1\n~x: sine 1000\no1: s \"~x\" # adsr 0 0 1 0.1", 1.0);
  auto wet = RenderText("cps: 1\n~x: sine 1000\no1: s \"~x\" # adsr 0 0 1 0.1 # lpf 1000 0.7071", 1.0);
  const double d = ToneAmplitude(dry.l.data() + 4800, 38400, 1000.0);
  const double w = ToneAmplitude(wet.l.data() + 4800, 38400, 1000.0);
  EXPECT_NEAR(w / d, std::sqrt(0.5), 0.02);
  auto hp = RenderText("cps: 1\n~x: sine 100\no1: s \"~x\" # adsr 0 0 1 0.1 # hpf 2000", 1.0);
  auto hp_dry = RenderText("cps: 1\n~x: sine 100\no1: s \"~x\" # adsr 0 0 1 0.1", 1.0);
  EXPECT_LT(ToneAmplitude(hp.l.data() + 4800, 38400, 100.0), 0.01 * ToneAmplitude(hp_dry.l.data() + 4800, 38400, 100.0))
      << "hpf 2000 removes 100 Hz (-52 dB, two octaves x 12 dB... at least -40 dB)";
}

TEST(Engine, SignalBusesModulateAndOutputsMix) {
  // A continuous output: a 220 Hz sine times 0.5, plus events on o1.
  auto out = RenderText("cps: 1\nout: sine 220 * 0.5\no1: s \"click\"", 1.0);
  EXPECT_NEAR(ToneAmplitude(out.l.data() + 4800, 38400, 220.0), 0.5, 0.01);
  EXPECT_GT(out.l[0] , 0.6f) << "the click at frame 0 on top";
}

TEST(Engine, BitIdenticalWithAnyThreadCount) {
  const std::string scene =
      "bpm: 130\n~lfo: sine 0.5\n~x: saw 220 # lpf (~lfo * 1500 + 300) 0.7\n"
      "o1: s \"~x*8\" # note \"<c4'min7 e4'maj7>\" # adsr 0.01 0.1 0.5 0.2\n"
      "o2: s \"click*16?\" # pan rand\no3: s \"dc*4\" # speed \"1 -1 2\" # cut 1\nout: saw 55 * 0.1\n";
  auto one = RenderText(scene, 4.0, 128, 1);
  ASSERT_FALSE(one.l.empty());
  for (size_t threads : {2u, 3u, 8u}) {
    auto many = RenderText(scene, 4.0, 128, threads);
    ASSERT_EQ(many.l.size(), one.l.size());
    EXPECT_EQ(0, std::memcmp(many.l.data(), one.l.data(), one.l.size() * sizeof(float))) << threads << " threads";
    EXPECT_EQ(0, std::memcmp(many.r.data(), one.r.data(), one.r.size() * sizeof(float))) << threads << " threads";
  }
  auto again = RenderText(scene, 4.0, 128, 1);
  EXPECT_EQ(0, std::memcmp(again.l.data(), one.l.data(), one.l.size() * sizeof(float))) << "run to run";
}

TEST(Engine, EverythingStaysFiniteAndSilenceIsSilent) {
  auto out = RenderText("cps: 2\n~x: saw 30 # lpf 20000 100\no1: s \"~x\" # note \"c-1 c9\" # hpf 10 50\n"
                        "o2: s \"click*64\" # speed 64 # lpf 5 100",
                        2.0);
  for (float v : out.l) ASSERT_TRUE(std::isfinite(v));
  auto quiet = RenderText("cps: 1\no1: s \"click\" # lpf 200 2", 3.0);
  // After the filter has rung out the output is exactly zero (no denormals).
  for (size_t i = 120000; i < quiet.l.size(); ++i) ASSERT_EQ(quiet.l[i], 0.f) << i;
}

}  // namespace
}  // namespace gb::fw
