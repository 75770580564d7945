// The .ph language: every statement form, both directions of $, operator
// precedence, forward bus references, chords, keyword arguments, and the
// errors a broken file must produce (file, line, column, what was expected).
#include <cstdio>

#include <gtest/gtest.h>

#include "firmware/lang/describe.h"
#include "firmware/pattern/notes.h"
#include "tests/firmware/lang/ph_test_util.h"

namespace gb::fw {
namespace {

using testing::CompileErrorOf;
using testing::Lines;
using testing::MustCompile;
using testing::OutputOnsets;

TEST(PhStatements, TempoFormsSetCyclesPerSecond) {
  EXPECT_DOUBLE_EQ(MustCompile("bpm: 120\no1: s \"bd\"")->cps, 2.0);
  EXPECT_DOUBLE_EQ(MustCompile("tempo: 0.75\no1: s \"bd\"")->cps, 0.75);
  EXPECT_DOUBLE_EQ(MustCompile("cps: 0.25\no1: s \"bd\"")->cps, 0.25);
  EXPECT_DOUBLE_EQ(MustCompile("o1: s \"bd\"")->cps, 0.5) << "default tempo";
}

TEST(PhStatements, OutputNamesAndOrder) {
  auto s = MustCompile("o3: s \"cp\"\nout: s \"bd\"\nd1: s \"sn\"\nout16: s \"hh\"");
  ASSERT_EQ(s->outputs.size(), 4u);
  EXPECT_EQ(s->outputs[0].name, "out");
  EXPECT_EQ(s->outputs[0].index, 0);
  EXPECT_EQ(s->outputs[1].name, "d1");
  EXPECT_EQ(s->outputs[1].index, 1);
  EXPECT_EQ(s->outputs[2].index, 3);
  EXPECT_EQ(s->outputs[3].index, 16);
}

TEST(PhStatements, CommentsAndContinuationLines) {
  auto s = MustCompile(
      "-- a drum loop\n"
      "o1: s \"bd sn\" -- two steps\n"
      "  # gain 0.5   -- continued\n"
      "-- comment lines do not end the statement\n"
      "    # pan 1\n"
      "o2: s \"hh\"\n");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 gain=0.5 pan=1 s=bd", "1/2 gain=0.5 pan=1 s=sn"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 s=hh"}));
}

TEST(PhStatements, HashIsNeverAComment) {
  auto s = MustCompile("o1: s \"bd\" # speed 2 -- only -- starts a comment");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd speed=2"}));
}

TEST(PhStatements, HushSilences) {
  auto s = MustCompile("o1: s \"bd\"\no2: s \"sn\"\nhush1");
  ASSERT_EQ(s->outputs.size(), 1u);
  EXPECT_EQ(s->outputs[0].name, "o2");
  EXPECT_FALSE(s->hush_all);
  EXPECT_TRUE(MustCompile("o1: s \"bd\"\nhush")->hush_all);
}

TEST(PhStatements, BusDefinitionsBothForms) {
  auto s = MustCompile("~a: saw 110\n~b $ sine 2\nout: ~a * ~b");
  ASSERT_EQ(s->buses.size(), 2u);
  ASSERT_TRUE(s->buses.at("a").signal);
  ASSERT_TRUE(s->buses.at("b").signal);
  EXPECT_EQ(DescribeSignal(*s->outputs[0].signal), "(~a * ~b)");
}

TEST(PhStatements, BusesMayBeUsedBeforeTheirDefinition) {
  auto s = MustCompile("o1: s \"~x*2\" # note \"c4'maj\"\n~x: saw 220 # lpf ~cut 0.5\n~cut: ~lfo * 1000 + 400\n~lfo: sine 0.5");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 note=c4'maj s=~x", "1/2 note=c4'maj s=~x"}));
  EXPECT_EQ(DescribeSignal(*s->buses.at("x").signal), "lpf(saw(220), ~cut, 0.5)");
  EXPECT_EQ(DescribeSignal(*s->buses.at("cut").signal), "((~lfo * 1000) + 400)");
}

TEST(PhStatements, SelfReferenceIsFeedbackForSignalsOnly) {
  auto s = MustCompile("~fb: saw 100 + ~fb * 0.5\nout: ~fb");
  EXPECT_EQ(DescribeSignal(*s->buses.at("fb").signal), "(saw(100) + (~fb(previous block) * 0.5))");
  EXPECT_NE(CompileErrorOf("~p: fast 2 ~p\no1: s \"bd\"").find("refers to itself"), std::string::npos);
}

TEST(PhStatements, PatternBusesFeedParameters) {
  auto s = MustCompile("~notes: \"c4 e4 g4\"\no1: s \"arpy*3\" # note ~notes");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 note=c4 s=arpy", "1/3 note=e4 s=arpy", "2/3 note=g4 s=arpy"}));
}

TEST(PhDollar, TidalPrefixForm) {
  auto s = MustCompile("o1: fast 2 $ s \"bd sn\"");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=bd", "1/4 s=sn", "1/2 s=bd", "3/4 s=sn"}));
}

TEST(PhDollar, PhononPostfixFormAppliesLeftToRight) {
  // fast 2, then rev: [sn bd sn bd]. (rev then fast 2 gives the same here,
  // so also check a chain where order matters.)
  auto s = MustCompile("o1: s \"bd sn\" $ fast 2 $ rev");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=sn", "1/4 s=bd", "1/2 s=sn", "3/4 s=bd"}));
  // every 2 (fast 2) then late 0.25, versus late then every: cycle 0.
  auto a = MustCompile("o1: s \"bd sn\" $ late 0.25 $ every 2 (fast 2)");
  auto b = MustCompile("o1: every 2 (fast 2) $ late 0.25 $ s \"bd sn\"");
  EXPECT_EQ(OutputOnsets(*a, "o1"), OutputOnsets(*b, "o1"));
  // Cycle 0: fast 2 of the delayed [bd sn]: bd at 1/4 and 5/4 of it -> 1/8, 5/8.
  EXPECT_EQ(OutputOnsets(*a, "o1"), (Lines{"1/8 s=bd", "3/8 s=sn", "5/8 s=bd", "7/8 s=sn"}));
  auto c = MustCompile("o1: s \"bd sn\" $ every 2 (fast 2) $ late 0.25");
  // late 0.25 of (every 2 (fast 2)): cycle 0's fast half, delayed.
  EXPECT_EQ(OutputOnsets(*c, "o1"), (Lines{"1/4 s=bd", "1/2 s=sn", "3/4 s=bd"})) << "the other order differs";
}

TEST(PhDollar, MixedPrefixAndPostfix) {
  auto s = MustCompile("o1: fast 2 $ s \"bd sn\" $ rev");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 s=sn", "1/4 s=bd", "1/2 s=sn", "3/4 s=bd"}));
}

TEST(PhPrecedence, DollarIsLooserThanHash) {
  // jux rev $ (s "bd sn" # speed 2): both copies keep speed 2.
  auto s = MustCompile("o1: jux rev $ s \"bd sn\" # speed 2");
  EXPECT_EQ(OutputOnsets(*s, "o1"),
            (Lines{"0 pan=0 s=bd speed=2", "0 pan=1 s=sn speed=2", "1/2 pan=0 s=sn speed=2", "1/2 pan=1 s=bd speed=2"}));
}

TEST(PhPrecedence, HashTakesStructureFromTheLeft) {
  auto s = MustCompile("o1: s \"bd*4\" # gain \"1 0.5\"");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 gain=1 s=bd", "1/4 gain=1 s=bd", "1/2 gain=0.5 s=bd", "3/4 gain=0.5 s=bd"}));
}

TEST(PhPrecedence, ArithmeticBindsTighterThanHashAndMultiplicationTighterThanAddition) {
  auto s = MustCompile("o1: s \"arpy*2\" # n (\"0 2\" + \"<10 20>\" * 2)");
  EXPECT_EQ(OutputOnsets(*s, "o1", 2), (Lines{"0 n=20 s=arpy", "1/2 n=22 s=arpy", "1 n=40 s=arpy", "3/2 n=42 s=arpy"}));
}

TEST(PhPrecedence, ApplicationBindsTightest) {
  auto s = MustCompile("~l: sine 0.25\nout: (saw 55 # lpf (~l * 2000 + 500) 0.8) * 0.5");
  EXPECT_EQ(DescribeSignal(*s->outputs[0].signal), "(lpf(saw(55), ((~l * 2000) + 500), 0.8) * 0.5)");
  // `*` binds tighter than `#`: this multiplies the filter itself, an error.
  EXPECT_NE(CompileErrorOf("out: saw 55 # lpf 800 0.8 * 0.5").find("cannot use a filter or effect in arithmetic"),
            std::string::npos);
}

TEST(PhPatterns, ArithmeticOnPatternsTakesStructureFromBoth) {
  auto s = MustCompile("o1: n (\"0 1\" + \"10 20 30\") # s \"arpy\"");
  // Tidal's +: wholes intersect: [0,1/3) 10, [1/3,1/2) 21? no: 0+20 at 1/3, 1+20 at 1/2, 1+30 at 2/3.
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 n=10 s=arpy", "1/3 n=20 s=arpy", "1/2 n=21 s=arpy", "2/3 n=31 s=arpy"}));
}

TEST(PhPatterns, TransformArgumentsMayBePatterns) {
  auto s = MustCompile("o1: fast \"<1 2>\" $ s \"bd sn\"");
  EXPECT_EQ(OutputOnsets(*s, "o1", 2), (Lines{"0 s=bd", "1/2 s=sn", "1 s=bd", "5/4 s=sn", "3/2 s=bd", "7/4 s=sn"}));
}

TEST(PhPatterns, FullApplicationLikeTidal) {
  auto s = MustCompile("o1: every 2 (fast 2) (s \"bd sn\")");
  EXPECT_EQ(OutputOnsets(*s, "o1", 2), (Lines{"0 s=bd", "1/4 s=sn", "1/2 s=bd", "3/4 s=sn", "1 s=bd", "3/2 s=sn"}));
}

TEST(PhChords, ChordsStayOneEventAndSpellOutTheirNotes) {
  // Structure from the notes: the chord word keeps its euclid operator.
  auto s = MustCompile("o1: note \"c4'min7 e'maj f3'min7(3,8)\" # s \"~x\"\n~x: saw 1");
  EXPECT_EQ(OutputOnsets(*s, "o1"), (Lines{"0 note=c4'min7 s=~x", "1/3 note=e'maj s=~x", "2/3 note=f3'min7 s=~x",
                                          "19/24 note=f3'min7 s=~x", "11/12 note=f3'min7 s=~x"}));
  // With structure from s, one event per cycle takes the chord at its onset.
  auto one = MustCompile("o1: s \"~x\" # note \"c4'min7 e'maj\"\n~x: saw 1");
  EXPECT_EQ(OutputOnsets(*one, "o1"), (Lines{"0 note=c4'min7 s=~x"}));
  EXPECT_EQ(*ChordToMidi("c4'min7"), (std::vector<int>{60, 63, 67, 70}));
  EXPECT_EQ(*ChordToMidi("e'maj"), (std::vector<int>{64, 68, 71}));
  EXPECT_EQ(*ChordToMidi("f3'min7"), (std::vector<int>{53, 56, 60, 63}));
  EXPECT_EQ(*ChordToMidi("a4"), (std::vector<int>{69}));
  for (const char* q : {"maj", "min", "dim", "aug", "sus2", "sus4", "maj7", "min7", "dom7", "7", "dim7", "m7b5",
                        "maj9", "min9", "9", "6", "m6", "5"})
    EXPECT_TRUE(ChordIntervals(q)) << q;
  EXPECT_NE(CompileErrorOf("o1: s \"arpy\" # note \"c4'blah\"").find("chord"), std::string::npos);
}

TEST(PhChords, TriggeredSynthFromNoteNames) {
  auto s = MustCompile("out: saw \"c3 e3 g3'maj\"");
  ASSERT_TRUE(s->outputs[0].signal);
  EXPECT_TRUE(s->outputs[0].signal->triggered);
  EXPECT_FALSE(MustCompile("out: saw 440")->outputs[0].signal->triggered);
}

TEST(PhParameters, KeywordArgumentsAndDefaults) {
  auto s = MustCompile("out: saw 100 # lpf 1000 :q 0.8 # delay 0.25 :mix 0.2");
  EXPECT_EQ(DescribeSignal(*s->outputs[0].signal), "delay(lpf(saw(100), 1000, 0.8), 0.25, 0.5, 0.2)");
}

TEST(PhParameters, PerEventControlsAndPerVoiceFilters) {
  auto s = MustCompile(
      "o1: s \"bd:3 sn\" # n 1 # gain 0.9 # pan 0.25 # speed -1 # begin 0.1 # end 0.9 # cut 1 # legato 0.5\n"
      "  # ar 0.01 0.2 # lpf 800 0.3 # hpf 100\n"
      "o2: s \"arpy\" # adsr 0.01 0.1 0.7 0.3 # attack 0.02 # release 0.5");
  EXPECT_EQ(OutputOnsets(*s, "o1"),
            (Lines{"0 attack=0.01 begin=0.1 cut=1 cutoff=800 end=0.9 gain=0.9 hcutoff=100 hresonance=1 legato=0.5 "
                   "n=1 pan=0.25 release=0.2 resonance=0.3 s=bd speed=-1",
                   "1/2 attack=0.01 begin=0.1 cut=1 cutoff=800 end=0.9 gain=0.9 hcutoff=100 hresonance=1 legato=0.5 "
                   "n=1 pan=0.25 release=0.2 resonance=0.3 s=sn speed=-1"}));
  EXPECT_EQ(OutputOnsets(*s, "o2"), (Lines{"0 attack=0.02 decay=0.1 release=0.5 s=arpy sustain=0.7"}));
}

TEST(PhParameters, StreamEffectsAttachToTheOutput) {
  auto s = MustCompile("o1: s \"bd\" # delay 0.3 0.4 # reverb 0.8 # distortion 2 # bitcrush 8 # chorus 1 0.5 "
                       "# compressor -20 4 0.01 0.1");
  const EventsSpec* ev = testing::Events(*s, "o1");
  ASSERT_NE(ev, nullptr);
  ASSERT_EQ(ev->effects.size(), 6u);
  EXPECT_EQ(ev->effects[0].name, "delay");
  EXPECT_EQ(ev->effects[0].params.size(), 3u);
  EXPECT_EQ(ev->effects[1].params.size(), 3u) << "reverb room [damping] [mix]";
  EXPECT_EQ(ev->effects[5].params.size(), 5u) << "compressor with makeup default";
  EXPECT_EQ(MustCompile("o1: s \"bd\" # dist 3")->outputs[0].events->effects[0].name, "distortion");
}

TEST(PhParameters, SignalsAsParameters) {
  auto s = MustCompile("~lfo: sine 1\no1: s \"bd*4\" # lpf (~lfo * 1000 + 200)");
  const EventsSpec* ev = testing::Events(*s, "o1");
  ASSERT_EQ(ev->signal_controls.size(), 1u);
  EXPECT_EQ(ev->signal_controls[0].first, "cutoff");
}

TEST(PhParameters, ScalingEventsIsSignalMath) {
  auto s = MustCompile("o1: s \"bd\" * 0.8");
  EXPECT_EQ(DescribeSignal(*s->outputs[0].signal), "(events * 0.8)");
}

// ---- errors ------------------------------------------------------------------
TEST(PhErrors, NameFileLineColumnAndExpectation) {
  EXPECT_EQ(CompileErrorOf("bpm: 120\no1: s \"bd\" # lfp 800"),
            "test.ph:2:14: unknown function 'lfp' (did you mean lpf?)");
  EXPECT_EQ(CompileErrorOf("o1: s \"bd\"\no2: s \"bd [sn\""), "test.ph:2:11: in pattern: unbalanced '[': missing ']'");
  EXPECT_EQ(CompileErrorOf("o1: s \"~x\""), "test.ph:1:8: undefined bus ~x");
  EXPECT_EQ(CompileErrorOf("~lfo: sine 1\no1: s \"bd\" # lpf ~lf0"), "test.ph:2:18: undefined bus ~lf0 (did you mean ~lfo?)");
}

TEST(PhErrors, Arity) {
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # lpf").find("'lpf' needs arguments: lpf cutoff [q = 1]"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # delay 1 2 3 4").find("too many arguments"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: every 3 $ s \"bd\"").find("'every' expects 2 argument(s)"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # lpf 800 :z 1").find("no parameter :z"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: every 2 3 $ s \"bd\"").find("must be a function"), std::string::npos);
}

TEST(PhErrors, KindsThatDoNotFit) {
  EXPECT_NE(CompileErrorOf("o1: \"bd sn\"").find("found a plain pattern"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: fast 2 $ saw 100").find("not a signal"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: \"bd\" # gain 1").find("'#' needs a sound"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" $ s \"sn\"").find("second one"), std::string::npos);
  EXPECT_NE(CompileErrorOf("~n: \"c4\"\no1: s \"~n\"").find("must be a signal"), std::string::npos);
}

TEST(PhErrors, AbsurdValues) {
  EXPECT_NE(CompileErrorOf("bpm: 0\no1: s \"bd\"").find("bpm must be"), std::string::npos);
  EXPECT_NE(CompileErrorOf("cps: 1e9\no1: s \"bd\"").find("cps must be"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # lpf 99999999").find("cutoff of 'lpf' must be from 1 to 24000"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # delay 0.3 1.5").find("feedback"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\" # gain 1e6").find("gain"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd*99999999999\"").find("out of range"), std::string::npos);
}

TEST(PhErrors, StatementShape) {
  EXPECT_EQ(CompileErrorOf("o1 s \"bd\""), "test.ph:1:4: expected ':' after 'o1'");
  EXPECT_EQ(CompileErrorOf("play: s \"bd\""),
            "test.ph:1:1: expected a statement (bpm:, tempo:, cps:, out:, o1: ... o16:, ~name:, hush), found 'play'");
  EXPECT_NE(CompileErrorOf("o17: s \"bd\"").find("expected a statement"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\"\no1: s \"sn\"").find("defined twice (first at line 1)"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd\"\n# gain 1").find("expected a statement"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: (s \"bd\"").find("expected ')'"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd").find("unterminated string"), std::string::npos);
}

TEST(PhErrors, HostileInputIsBounded) {
  std::string deep = "o1: " + std::string(10000, '(') + "s \"bd\"" + std::string(10000, ')');
  EXPECT_NE(CompileErrorOf(deep).find("nested deeper"), std::string::npos);
  std::string big = "o1: s \"bd\"\n" + std::string(2 << 20, '-');
  EXPECT_NE(CompileErrorOf(big).find("file too large"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"bd*<1000000 1>\"").find("cannot be played"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"[bd*128]*64\"").find("too many events"), std::string::npos);
  EXPECT_NE(CompileErrorOf("o1: s \"[bd*0 bd*0]*100000*100\"").find("too complex"), std::string::npos);
  std::string bytes = "o1: s \"bd\" \x01\xff";
  EXPECT_NE(CompileErrorOf(bytes).find("unexpected byte"), std::string::npos);
}

TEST(PhErrors, AHundredMegabyteFileIsRefusedBeforeReading) {
  // A sparse file: 100 MB long, no disk used; CompileFile checks the size first.
  std::string path = ::testing::TempDir() + "gb_huge.ph";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fseek(f, 100L << 20, SEEK_SET), 0);
    std::fputc('\n', f);
    std::fclose(f);
  }
  CompileResult r = CompileFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error.ToString().find("file too large: 104857601 bytes (limit 1048576)"), std::string::npos)
      << r.error.ToString();
  std::remove(path.c_str());
}

TEST(PhErrors, UnknownSoundsWhenACatalogIsGiven) {
  CompileOptions opt;
  opt.sound_exists = [](std::string_view s) { return s == "bd" || s == "sn"; };
  CompileResult r = CompileText("o1: s \"bd sn:2 kik\"", "t.ph", opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.ToString(), "t.ph:1:16: unknown sound 'kik' (no sample folder or built-in sound of that name)");
}

}  // namespace
}  // namespace gb::fw
