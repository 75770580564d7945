// GpiodButtons on the real libgpiod with a chip that does not exist (on the
// build machines there is no /dev/gpiochip* at all): a clear warning for the
// caller, no failure, and a source that simply produces nothing.
#include <gtest/gtest.h>

#include "drivers/gpio/gpiod_buttons.h"

namespace gb::drivers {
namespace {

TEST(GpiodButtons, AMissingChipIsAWarningAndNoEvents) {
  auto b = GpiodButtons::Open({"gpiochip-groovebox-test-missing", {17, 27, 22}});
  ASSERT_TRUE(b);
  ASSERT_EQ(b->warnings().size(), 1u);
  EXPECT_NE(b->warnings()[0].find("GPIO chip \"gpiochip-groovebox-test-missing\" not available"),
            std::string::npos)
      << b->warnings()[0];
  EXPECT_NE(b->warnings()[0].find("buttons are disabled"), std::string::npos);
  EXPECT_TRUE(b->lines().empty());
  EXPECT_TRUE(b->WaitFds().empty());
  ButtonEvent e;
  EXPECT_FALSE(b->Poll(e));
  EXPECT_EQ(b->PressedNow(17), std::nullopt);
}

TEST(GpiodButtons, NoConfiguredLinesOpensNothingAndSaysNothing) {
  auto b = GpiodButtons::Open({"gpiochip-groovebox-test-missing", {}});
  EXPECT_TRUE(b->warnings().empty());
  ButtonEvent e;
  EXPECT_FALSE(b->Poll(e));
}

TEST(GpiodButtons, NamesTheLibgpiodItWasBuiltWith) {
  const std::string api = GpiodButtons::ApiDescription();
  EXPECT_EQ(api.rfind("libgpiod ", 0), 0u) << api;
  EXPECT_TRUE(api.find("(v1 API)") != std::string::npos || api.find("(v2 API)") != std::string::npos)
      << api;
}

}  // namespace
}  // namespace gb::drivers
