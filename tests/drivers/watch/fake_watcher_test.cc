// FakeWatcher (tests/drivers/watch/common/): scripted events come out at
// their time, in script order, and NextPollAt says when the next one is due.
#include "tests/drivers/watch/common/fake_watcher.h"

#include <gtest/gtest.h>

namespace gb::drivers::testing {
namespace {

using namespace std::chrono_literals;

TEST(FakeWatcher, HandsOutScriptedEventsWhenTheirTimeComes) {
  FakeWatcher w;
  w.Changed("a.ph", 100ms);
  w.Removed("b.ph", 100ms);
  w.Rescan(250ms);
  std::vector<FileEvent> out;
  EXPECT_EQ(w.NextPollAt(), 100ms);
  EXPECT_FALSE(w.Poll(out, 99ms));
  EXPECT_TRUE(w.Poll(out, 100ms));
  EXPECT_EQ(out, (std::vector<FileEvent>{{FileEvent::kChanged, "a.ph"}, {FileEvent::kRemoved, "b.ph"}}));
  EXPECT_EQ(w.NextPollAt(), 250ms);
  out.clear();
  EXPECT_TRUE(w.Poll(out, 1000ms));
  EXPECT_EQ(out, (std::vector<FileEvent>{{FileEvent::kRescan, ""}}));
  EXPECT_FALSE(w.NextPollAt());
  EXPECT_EQ(w.polls(), 3);
  EXPECT_EQ(w.WaitFd(), -1);
}

}  // namespace
}  // namespace gb::drivers::testing
