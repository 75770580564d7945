// The configuration file: every setting read, every wrong line reported with
// its line number, and a broken file refused whole.
#include "firmware/app/config.h"

#include <gtest/gtest.h>

namespace gb::fw {
namespace {

TEST(Config, DefaultsWithAnEmptyFile) {
  auto r = ParseConfig("");
  ASSERT_TRUE(r.config) << r.Describe("x");
  EXPECT_EQ(r.config->device, "default");
  EXPECT_EQ(r.config->rate_hz, 48000);
  EXPECT_EQ(r.config->period_frames, 128);
  EXPECT_EQ(r.config->swap.kind, SwapQuantum::Kind::kCycle);
  EXPECT_EQ(r.config->voices, 4096);
}

TEST(Config, EverySettingIsRead) {
  auto r = ParseConfig(R"(
[audio]
device = "hw:1"
rate = 44100
period = 64
periods = 4
channels = 6
threads = 3
cores = [1, 2, 3]
voices = 8192
realtime = false

[routing]
o1 = 3
o2 = 5

[patterns]
folder = "/srv/p"
samples = "/srv/s"
default_scene = "house.ph"
swap = "4 cycles"
poll_ms = 500
debounce_ms = 80

[gpio]
chip = "gpiochip0"
debounce_polls = 3
[gpio.buttons]
17 = "next"
27 = "prev"
22 = "scene 3"
23 = "tap"

[status]
socket = "/tmp/gb.sock"
state_file = "/tmp/gb.state"
)");
  ASSERT_TRUE(r.config) << r.Describe("x");
  const Config& c = *r.config;
  EXPECT_EQ(c.device, "hw:1");
  EXPECT_EQ(c.rate_hz, 44100);
  EXPECT_EQ(c.period_frames, 64);
  EXPECT_EQ(c.periods, 4);
  EXPECT_EQ(c.channels, 6);
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.cores, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(c.voices, 8192);
  EXPECT_FALSE(c.realtime);
  EXPECT_EQ(c.routing.at(1), 2);
  EXPECT_EQ(c.routing.at(2), 4);
  EXPECT_EQ(c.patterns_dir, "/srv/p");
  EXPECT_EQ(c.default_scene, "house.ph");
  EXPECT_EQ(c.swap.kind, SwapQuantum::Kind::kCycles);
  EXPECT_EQ(c.swap.cycles, 4);
  EXPECT_EQ(c.poll_ms, 500);
  EXPECT_EQ(c.gpio_chip, "gpiochip0");
  ASSERT_EQ(c.buttons.size(), 4u);
  EXPECT_EQ(c.status_socket, "/tmp/gb.sock");
  bool scene3 = false;
  for (const auto& b : c.buttons) scene3 |= b.line == 22 && b.action == ButtonAction::kScene && b.scene == 3;
  EXPECT_TRUE(scene3);
}

TEST(Config, EveryWrongLineIsReportedWithItsNumber) {
  auto r = ParseConfig(
      "[audio]\n"            // 1
      "rate = 1\n"           // 2: out of range
      "period = \"big\"\n"   // 3: wrong type
      "colour = 3\n"         // 4: unknown
      "[patterns]\n"         // 5
      "swap = \"sometimes\"\n"  // 6
      "[gpio.buttons]\n"     // 7
      "17 = \"jump\"\n");    // 8
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 5u) << r.Describe("g.toml");
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_NE(r.errors[0].message.find("rate: must be from 8000 to 192000"), std::string::npos);
  EXPECT_EQ(r.errors[1].line, 3);
  EXPECT_EQ(r.errors[2].line, 4);
  EXPECT_NE(r.errors[2].message.find("unknown setting 'colour'"), std::string::npos);
  EXPECT_EQ(r.errors[3].line, 6);
  EXPECT_EQ(r.errors[4].line, 8);
  EXPECT_NE(r.Describe("g.toml").find("g.toml:8: gpio.buttons: unknown action \"jump\""), std::string::npos);
}

TEST(Config, SyntaxErrorsNameTheLine) {
  auto r = ParseConfig("[audio]\nrate = 48000\nperiod = = 3\n");
  ASSERT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
}

TEST(Config, RoutingMustFitTheChannels) {
  auto r = ParseConfig("[audio]\nchannels = 4\n[routing]\no1 = 3\no2 = 5\n");
  ASSERT_FALSE(r.config);
  EXPECT_NE(r.Describe("c").find("o2 goes to channels 5/6 but [audio] channels is 4"), std::string::npos);
}

TEST(Config, SwapQuanta) {
  EXPECT_EQ(ParseSwapQuantum("immediate")->kind, SwapQuantum::Kind::kImmediate);
  EXPECT_EQ(ParseSwapQuantum("beat")->kind, SwapQuantum::Kind::kBeat);
  EXPECT_EQ(ParseSwapQuantum("2 cycles")->cycles, 2);
  EXPECT_FALSE(ParseSwapQuantum("0 cycles"));
  EXPECT_FALSE(ParseSwapQuantum("2 bars"));
}

}  // namespace
}  // namespace gb::fw
