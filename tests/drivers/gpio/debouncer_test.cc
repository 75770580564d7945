// The poll-counting debouncer: bouncy contacts give exactly one press and one
// release, glitches shorter than N polls give nothing, and the accepted edge
// keeps the time the contact settled. Also DebouncedButtons over FakeButtons.
#include "drivers/gpio/debouncer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/drivers/gpio/common/fake_buttons.h"

namespace gb::drivers {
namespace {

using namespace std::chrono_literals;
using testing::FakeButtons;

// Feeds one reading per character; returns "P<i>"/"R<i>" for each accepted
// press/release at poll i.
std::string Feed(Debouncer& d, const std::string& levels) {
  std::string out;
  for (size_t i = 0; i < levels.size(); ++i) {
    if (d.Update(levels[i] == '1')) out += (d.pressed() ? "P" : "R") + std::to_string(i) + " ";
  }
  return out;
}

TEST(Debouncer, BouncyPressIsOnePress) {
  Debouncer d(3);
  EXPECT_EQ(Feed(d, "0101011111"), "P7 ");
  EXPECT_TRUE(d.pressed());
}

TEST(Debouncer, PressAndReleaseWithBouncesOnBothEdges) {
  Debouncer d(3);
  EXPECT_EQ(Feed(d, "0001011111110101000000"), "P7 R18 ");
  EXPECT_FALSE(d.pressed());
}

TEST(Debouncer, GlitchesShorterThanNPollsAreIgnored) {
  for (int n : {2, 3, 5, 8}) {
    Debouncer d(n);
    std::string glitches;
    for (int len = 1; len < n; ++len) glitches += "0000" + std::string(static_cast<size_t>(len), '1');
    glitches += "0000";
    EXPECT_EQ(Feed(d, glitches), "") << "N=" << n;
    // and while pressed, short drop-outs do not release
    Debouncer held(n, /*pressed=*/true);
    std::string dropouts;
    for (int len = 1; len < n; ++len) dropouts += "1111" + std::string(static_cast<size_t>(len), '0');
    EXPECT_EQ(Feed(held, dropouts + "1111"), "") << "N=" << n;
  }
}

TEST(Debouncer, ExactlyNStablePollsAreEnough) {
  Debouncer d(5);
  EXPECT_EQ(Feed(d, "1111"), "");
  EXPECT_TRUE(d.settling());
  EXPECT_EQ(Feed(d, "1"), "P0 ");
  EXPECT_FALSE(d.settling());
}

TEST(Debouncer, OnePollMeansNoDebouncing) {
  Debouncer d(1);
  EXPECT_EQ(Feed(d, "0110"), "P1 R3 ");
  Debouncer zero(0);  // taken as 1
  EXPECT_EQ(zero.stable_polls(), 1);
}

TEST(Debouncer, RandomBouncesAroundStablePlateausGiveOneEdgePerPlateau) {
  // Plateaus of >= N polls separated by bursts of bounces whose runs are all
  // shorter than N: the accepted edges are exactly the plateau changes.
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 6);
    std::string levels;
    bool level = false;
    int expected = 0;
    for (int plateau = 0; plateau < 6; ++plateau) {
      const bool next = !level;
      // Bounce burst: alternating runs, each 1..n-1 long, ending on `level`
      // so the plateau that follows starts a fresh run.
      const int bursts = static_cast<int>(rng() % 4);
      for (int b = 0; b < bursts; ++b) {
        levels += std::string(1 + rng() % static_cast<unsigned>(n - 1), next ? '1' : '0');
        levels += std::string(1 + rng() % static_cast<unsigned>(n - 1), level ? '1' : '0');
      }
      levels += std::string(static_cast<size_t>(n + static_cast<int>(rng() % 10)), next ? '1' : '0');
      level = next;
      ++expected;
    }
    Debouncer d(n);
    int edges = 0;
    for (char c : levels) edges += d.Update(c == '1') ? 1 : 0;
    EXPECT_EQ(edges, expected) << "N=" << n << " levels=" << levels;
  }
}

// ---- DebouncedButtons ----

std::vector<ButtonEvent> SampleN(DebouncedButtons& d, int polls) {
  std::vector<ButtonEvent> out;
  for (int i = 0; i < polls; ++i) {
    d.Sample();
    for (ButtonEvent e; d.Poll(e);) out.push_back(e);
  }
  return out;
}

TEST(DebouncedButtons, BouncyRawEdgesBetweenPollsGiveOnePressAndOneRelease) {
  // Contact bounce on a 2 ms poll: the raw source reports every edge, the
  // clock advances one poll per Sample.
  FakeButtons raw;
  DebouncedButtons d(raw, 3);
  std::vector<ButtonEvent> out;
  const std::string press = "0101011111111", release = "1010100000000";
  for (size_t i = 0; i < press.size() + release.size(); ++i) {
    const bool v = (i < press.size() ? press[i] : release[i - press.size()]) == '1';
    const std::chrono::milliseconds t{static_cast<int>(i) * 2};
    raw.Push({17, v, t});  // same-level pushes are ignored by DebouncedButtons
    d.Sample();
    for (ButtonEvent e; d.Poll(e);) out.push_back(e);
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (ButtonEvent{17, true, 10ms}));   // settled at poll 5 (t = 10 ms)
  EXPECT_EQ(out[1], (ButtonEvent{17, false, 36ms}));  // release settled at poll 18
}

TEST(DebouncedButtons, APressAndReleaseBetweenTwoPollsIsAGlitch) {
  FakeButtons raw;
  DebouncedButtons d(raw, 2);
  raw.Press(4, 1ms);
  raw.Release(4, 2ms);
  EXPECT_TRUE(SampleN(d, 5).empty());
}

TEST(DebouncedButtons, LinesAreIndependentAndSettleInTimeOrder) {
  FakeButtons raw;
  DebouncedButtons d(raw, 3);
  raw.Press(27, 5ms);
  raw.Press(17, 3ms);  // pressed earlier, read later in the same poll
  auto out = SampleN(d, 3);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], (ButtonEvent{17, true, 3ms}));
  EXPECT_EQ(out[1], (ButtonEvent{27, true, 5ms}));
  EXPECT_FALSE(d.settling());
  raw.Release(17, 50ms);
  d.Sample();
  EXPECT_TRUE(d.settling());  // the caller keeps polling at its period
  out = SampleN(d, 2);
  EXPECT_EQ(out, (std::vector<ButtonEvent>{{17, false, 50ms}}));
}

TEST(DebouncedButtons, AButtonHeldAtBootIsNotAPress) {
  FakeButtons raw;
  DebouncedButtons d(raw, 3);
  d.SetLevel(22, true);
  EXPECT_TRUE(SampleN(d, 5).empty());
  raw.Release(22, 100ms);
  EXPECT_EQ(SampleN(d, 3), (std::vector<ButtonEvent>{{22, false, 100ms}}));
}

TEST(FakeButtons, LevelsBecomeEdgesAndSetNowHoldsFutureOnes) {
  FakeButtons f;
  f.Levels(3, "0110", 0ms, 10ms);
  f.SetNow(15ms);
  ButtonEvent e;
  ASSERT_TRUE(f.Poll(e));
  EXPECT_EQ(e, (ButtonEvent{3, true, 10ms}));
  EXPECT_FALSE(f.Poll(e));  // the release at 30 ms is in the future
  f.SetNow(30ms);
  ASSERT_TRUE(f.Poll(e));
  EXPECT_EQ(e, (ButtonEvent{3, false, 30ms}));
  EXPECT_EQ(f.pending(), 0u);
}

}  // namespace
}  // namespace gb::drivers
