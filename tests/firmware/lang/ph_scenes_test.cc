// A dozen realistic multi-output pattern files, the kind users drop into the
// groovebox, with their expected events written out by hand (first cycles).
#include <cmath>

#include <gtest/gtest.h>

#include "firmware/lang/describe.h"
#include "firmware/pattern/pattern.h"
#include "tests/firmware/lang/ph_test_util.h"

namespace gb::fw {
namespace {

using testing::Lines;
using testing::MustCompile;
using testing::OutputOnsets;

TEST(PhScenes, DrumAndBass) {
  auto s = MustCompile(R"ph(-- drum and bass at 165 bpm, one bar per cycle
cps: 0.6875
o1: s "[bd ~ ~ ~] [~ ~ bd ~] [~ ~ ~ ~] [~ bd ~ ~]"
o2: s "~ sn ~ sn" # gain 0.9
o3: s "hh*8" # gain "0.8 0.5" # pan "0.4 0.6"
o4: s "bass:3(3,8)" # speed "<1 1.5>" # lpf 600 0.3
)ph");
  EXPECT_DOUBLE_EQ(s->cps, 0.6875);
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd", "3/8 s=bd", "13/16 s=bd"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"1/4 gain=0.9 s=sn", "3/4 gain=0.9 s=sn"}));
  EXPECT_EQ(OutputOnsets(*s, "o3"),
            (Lines{"0 gain=0.8 pan=0.4 s=hh", "1/8 gain=0.8 pan=0.4 s=hh", "1/4 gain=0.8 pan=0.4 s=hh",
                   "3/8 gain=0.8 pan=0.4 s=hh", "1/2 gain=0.5 pan=0.6 s=hh", "5/8 gain=0.5 pan=0.6 s=hh",
                   "3/4 gain=0.5 pan=0.6 s=hh", "7/8 gain=0.5 pan=0.6 s=hh"}));
  EXPECT_EQ(OutputOnsets(*s, "o4", 2),
            (Lines{"0 cutoff=600 n=3 resonance=0.3 s=bass speed=1", "3/8 cutoff=600 n=3 resonance=0.3 s=bass speed=1",
                   "3/4 cutoff=600 n=3 resonance=0.3 s=bass speed=1", "1 cutoff=600 n=3 resonance=0.3 s=bass speed=1.5",
                   "11/8 cutoff=600 n=3 resonance=0.3 s=bass speed=1.5",
                   "7/4 cutoff=600 n=3 resonance=0.3 s=bass speed=1.5"}));
}

TEST(PhScenes, House) {
  auto s = MustCompile(R"ph(bpm: 124
o1: s "bd*4"
o2: s "~ cp ~ cp"
o3: s "[~ hh]*4" # gain 0.7
o4: s "~ oh ~ oh" $ late 0.125
o5: n "<0 3 5 7>" # s "arpy" # legato 1
)ph");
  EXPECT_NEAR(s->cps, 124.0 / 60.0, 1e-12);
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd", "1/4 s=bd", "1/2 s=bd", "3/4 s=bd"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"1/4 s=cp", "3/4 s=cp"}));
  EXPECT_EQ(OutputOnsets(*s, "o3"), (Lines{"1/8 gain=0.7 s=hh", "3/8 gain=0.7 s=hh", "5/8 gain=0.7 s=hh", "7/8 gain=0.7 s=hh"}));
  EXPECT_EQ(OutputOnsets(*s, "o4"), (Lines{"3/8 s=oh", "7/8 s=oh"}));
  EXPECT_EQ(OutputOnsets(*s, "o5", 4),
            (Lines{"0 legato=1 n=0 s=arpy", "1 legato=1 n=3 s=arpy", "2 legato=1 n=5 s=arpy", "3 legato=1 n=7 s=arpy"}));
}

TEST(PhScenes, EuclideanPolyrhythm) {
  auto s = MustCompile(R"ph(-- Strudel's rotation: (k,n,r) moves the pattern r steps later
o1: s "bd(3,8)"
o2: s "sn(5,8,2)"
o3: s "808lt(4,17,2)" # gain 0.8
o4: s "hh(<3 5>,8)"
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd", "3/8 s=bd", "3/4 s=bd"}));
  // (5,8) is x.xx.xx. ; two steps later: x.x.xx.x
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 s=sn", "1/4 s=sn", "1/2 s=sn", "5/8 s=sn", "7/8 s=sn"}));
  // (4,17) is x...x...x...x.... ; two steps later.
  EXPECT_EQ(OutputOnsets(*s, "o3"), (Lines{"2/17 gain=0.8 s=808lt", "6/17 gain=0.8 s=808lt", "10/17 gain=0.8 s=808lt",
                                          "14/17 gain=0.8 s=808lt"}));
  EXPECT_EQ(OutputOnsets(*s, "o4", 2), (Lines{"0 s=hh", "3/8 s=hh", "3/4 s=hh", "1 s=hh", "5/4 s=hh", "11/8 s=hh",
                                             "13/8 s=hh", "7/4 s=hh"}));
}

TEST(PhScenes, ChordProgressionOnABusInstrument) {
  auto s = MustCompile(R"ph(bpm: 90
~pad: supersaw 110 0.3 5 # lpf 1200 0.4
o1: s "~pad" # note "<c4'maj7 a3'min7 d4'min7 g3'dom7>" # adsr 0.2 0.3 0.6 1 # gain 0.5
o2: s "~pad*2" # note "<c3 a2 d3 g2>" # gain 0.4
o3: n "0 .. 7" # s "arpy" # gain 0.3
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1", 4),
            (Lines{"0 attack=0.2 decay=0.3 gain=0.5 note=c4'maj7 release=1 s=~pad sustain=0.6",
                   "1 attack=0.2 decay=0.3 gain=0.5 note=a3'min7 release=1 s=~pad sustain=0.6",
                   "2 attack=0.2 decay=0.3 gain=0.5 note=d4'min7 release=1 s=~pad sustain=0.6",
                   "3 attack=0.2 decay=0.3 gain=0.5 note=g3'dom7 release=1 s=~pad sustain=0.6"}));
  EXPECT_EQ(OutputOnsets(*s, "o2", 2), (Lines{"0 gain=0.4 note=c3 s=~pad", "1/2 gain=0.4 note=c3 s=~pad",
                                             "1 gain=0.4 note=a2 s=~pad", "3/2 gain=0.4 note=a2 s=~pad"}));
  Lines arp;
  for (int k = 0; k < 8; ++k)
    arp.push_back((k == 0 ? std::string("0") : k % 2 ? std::to_string(k) + "/8" : k == 4 ? "1/2" : std::to_string(k / 2) + "/4") +
                  " gain=0.3 n=" + std::to_string(k) + " s=arpy");
  EXPECT_EQ(OutputOnsets(*s, "o3"), arp);
  EXPECT_EQ(DescribeSignal(*s->buses.at("pad").signal), "lpf(supersaw(110, 0.3, 5), 1200, 0.4)");
}

TEST(PhScenes, PhononBenchmarkScene) {
  auto s = MustCompile(R"ph(bpm: 120
~lfo: sine 0.25
~x: saw 440 # lpf (~lfo * 2000 + 500) 0.8
o1: s "~x(7,17)" # note "c4'min7 f3'min7" # delay 0.334 0.3 # reverb 0.9 0.5
o2: s "bd(4,17)"
o3: s "808lt(4,17,2)" # gain 0.8
)ph");
  // (7,17): x..x.x..x.x..x.x. -> steps 0 3 5 8 10 13 15; the chord changes at 1/2.
  EXPECT_EQ(OutputOnsets(*s, "o1"),
            (Lines{"0 note=c4'min7 s=~x", "3/17 note=c4'min7 s=~x", "5/17 note=c4'min7 s=~x", "8/17 note=c4'min7 s=~x",
                   "10/17 note=f3'min7 s=~x", "13/17 note=f3'min7 s=~x", "15/17 note=f3'min7 s=~x"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 s=bd", "4/17 s=bd", "8/17 s=bd", "12/17 s=bd"}));
  const EventsSpec* o1 = testing::Events(*s, "o1");
  ASSERT_EQ(o1->effects.size(), 2u);
  EXPECT_EQ(o1->effects[0].name, "delay");
  EXPECT_EQ(o1->effects[1].name, "reverb");
  EXPECT_EQ(DescribeSignal(*s->buses.at("x").signal), "lpf(saw(440), ((~lfo * 2000) + 500), 0.8)");
}

TEST(PhScenes, ChoppedBreak) {
  auto s = MustCompile(R"ph(o1: chop 4 $ s "drum:1 drum:2"
o2: striate 2 $ s "arpy"
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1"),
            (Lines{"0 begin=0 end=0.25 n=1 s=drum", "1/8 begin=0.25 end=0.5 n=1 s=drum", "1/4 begin=0.5 end=0.75 n=1 s=drum",
                   "3/8 begin=0.75 end=1 n=1 s=drum", "1/2 begin=0 end=0.25 n=2 s=drum",
                   "5/8 begin=0.25 end=0.5 n=2 s=drum", "3/4 begin=0.5 end=0.75 n=2 s=drum",
                   "7/8 begin=0.75 end=1 n=2 s=drum"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 begin=0 end=0.5 s=arpy", "1/2 begin=0.5 end=1 s=arpy"}));
}

TEST(PhScenes, JuxAndOff) {
  auto s = MustCompile(R"ph(o1: jux (iter 4) $ s "arpy*4" # n "0 1 2 3"
o2: off 0.125 rev $ s "hh sn"
)ph");
  // Cycle 1: the right channel is iterated one quarter.
  EXPECT_EQ(OutputOnsets(*s, "o1", 2),
            (Lines{"0 n=0 pan=0 s=arpy", "0 n=0 pan=1 s=arpy", "1/4 n=1 pan=0 s=arpy", "1/4 n=1 pan=1 s=arpy",
                   "1/2 n=2 pan=0 s=arpy", "1/2 n=2 pan=1 s=arpy", "3/4 n=3 pan=0 s=arpy", "3/4 n=3 pan=1 s=arpy",
                   "1 n=0 pan=0 s=arpy", "1 n=1 pan=1 s=arpy", "5/4 n=1 pan=0 s=arpy", "5/4 n=2 pan=1 s=arpy",
                   "3/2 n=2 pan=0 s=arpy", "3/2 n=3 pan=1 s=arpy", "7/4 n=0 pan=1 s=arpy", "7/4 n=3 pan=0 s=arpy"}));
  // off: the copy is delayed 1/8 and then reversed within the cycle: rev of
  // [hh@1/8..5/8, sn@5/8..9/8(-> -3/8..1/8)] -> sn at 3/8... see the events:
  // late 1/8 gives sn [-3/8,1/8) hh [1/8,5/8) sn [5/8,9/8); rev maps [b,e) to
  // [1-e, 1-b): sn [7/8,11/8) hh [3/8,7/8) sn [-1/8,3/8).
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 s=hh", "3/8 s=hh", "1/2 s=sn", "7/8 s=sn"}));
}

TEST(PhScenes, EveryWhenmodChunk) {
  auto s = MustCompile(R"ph(o1: every 3 (fast 2) $ s "bd sn"
o2: whenmod 4 2 rev $ n "0 1 2" # s "arpy"
o3: chunk 4 (hurry 2) $ s "cp*4"
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1", 2), (Lines{"0 s=bd", "1/4 s=sn", "1/2 s=bd", "3/4 s=sn", "1 s=bd", "3/2 s=sn"}));
  auto o2 = OutputOnsets(*s, "o2", 4);
  EXPECT_EQ(o2, (Lines{"0 n=0 s=arpy", "1/3 n=1 s=arpy", "2/3 n=2 s=arpy", "1 n=0 s=arpy", "4/3 n=1 s=arpy",
                       "5/3 n=2 s=arpy", "2 n=2 s=arpy", "7/3 n=1 s=arpy", "8/3 n=0 s=arpy", "3 n=2 s=arpy",
                       "10/3 n=1 s=arpy", "11/3 n=0 s=arpy"}));
  // chunk 4 in cycle 1: the second quarter plays twice as fast with speed 2.
  EXPECT_EQ(OutputOnsets(*s, "o3", 2),
            (Lines{"0 s=cp speed=2", "1/8 s=cp speed=2", "1/4 s=cp", "1/2 s=cp", "3/4 s=cp", "1 s=cp",
                   "5/4 s=cp speed=2", "11/8 s=cp speed=2", "3/2 s=cp", "7/4 s=cp"}));
}

TEST(PhScenes, RandomnessIsStrudels) {
  auto s = MustCompile(R"ph(o1: degradeBy 0.5 $ s "hh*8"
o2: s "[bd | sn | cp]*4"
)ph");
  // Each hh survives iff rand(t) > 0.5, Strudel's xorshift of the onset time.
  Lines want;
  for (int k = 0; k < 32; ++k) {
    Rational t = Rational::Make(k, 8);
    std::string b = t.den() == 1 ? std::to_string(t.num()) : t.ToString();
    if (RandAt(t) > 0.5) want.push_back(b + " s=hh");
  }
  EXPECT_EQ(OutputOnsets(*s, "o1", 4), want);
  EXPECT_GT(want.size(), 8u) << "about half of 32 survive";
  EXPECT_LT(want.size(), 24u);
  auto o2 = OutputOnsets(*s, "o2", 4);
  ASSERT_EQ(o2.size(), 16u);
  int bd = 0, sn = 0, cp = 0;
  for (const auto& l : o2) {
    bd += l.find("s=bd") != std::string::npos;
    sn += l.find("s=sn") != std::string::npos;
    cp += l.find("s=cp") != std::string::npos;
  }
  EXPECT_GT(bd, 0);
  EXPECT_GT(sn, 0);
  EXPECT_GT(cp, 0);
  // Same file, same events: randomness is a function of time, not state.
  EXPECT_EQ(OutputOnsets(*MustCompile("o2: s \"[bd | sn | cp]*4\""), "o2", 4), o2);
}

TEST(PhScenes, PolymeterAndAlternation) {
  auto s = MustCompile(R"ph(o1: s "{bd sn, hh hh hh}%4"
o2: s "<bd [bd bd]> . sn"
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd", "0 s=hh", "1/4 s=hh", "1/4 s=sn", "1/2 s=bd", "1/2 s=hh",
                                          "3/4 s=hh", "3/4 s=sn"}));
  EXPECT_EQ(OutputOnsets(*s, "o2", 2), (Lines{"0 s=bd", "1/2 s=sn", "1 s=bd", "5/4 s=bd", "3/2 s=sn"}));
}

TEST(PhScenes, SwingAndLinger) {
  auto s = MustCompile(R"ph(o1: swingBy (1/3) 4 $ s "hh*8"
o2: linger 0.25 $ n "0 1 2 3 4 5 6 7" # s "arpy"
)ph");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=hh", "1/6 s=hh", "1/4 s=hh", "5/12 s=hh", "1/2 s=hh", "2/3 s=hh",
                                          "3/4 s=hh", "11/12 s=hh"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 n=0 s=arpy", "1/8 n=1 s=arpy", "1/4 n=0 s=arpy", "3/8 n=1 s=arpy",
                                          "1/2 n=0 s=arpy", "5/8 n=1 s=arpy", "3/4 n=0 s=arpy", "7/8 n=1 s=arpy"}));
}

TEST(PhScenes, SignalOutputsAndFeedback) {
  auto s = MustCompile(R"ph(tempo: 1
~wob: sine 4 * 0.5 + 0.5
~echo: ~echo * 0.6 + ~src
~src: square 110 * ~wob
out: (saw 55 + saw 55.5) * 0.2 # lpf 800
o2: ~echo # reverb 0.5
)ph");
  ASSERT_EQ(s->outputs.size(), 2u);
  EXPECT_EQ(DescribeSignal(*s->outputs[0].signal), "lpf(((saw(55) + saw(55.5)) * 0.2), 800, 1)");
  EXPECT_EQ(DescribeSignal(*s->outputs[1].signal), "reverb(~echo, 0.5, 0.5, 0.3)");
  EXPECT_EQ(DescribeSignal(*s->buses.at("echo").signal), "((~echo(previous block) * 0.6) + ~src)");
}

}  // namespace
}  // namespace gb::fw
