// GpiodButtons against the rig's LD_PRELOAD fake of libgpiod 1.6
// (../shared/rigs/fake_gpiod_v1.c, built by this folder's CMake; ctest sets
// LD_PRELOAD): the real <gpiod.h> calls are made, edges are injected through
// the fake's FIFO ("OFFSET VALUE" lines), and must come out as ButtonEvents
// with the right line and direction; a line the chip lacks or another program
// holds is a warning, the other lines keep working. Skips, saying how to run
// it, when the fake is not preloaded.
#include "drivers/gpio/gpiod_buttons.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "drivers/gpio/debouncer.h"

namespace gb::drivers {
namespace {

using namespace std::chrono_literals;

bool FakePreloaded() {
  Dl_info info{};
  void* sym = dlsym(RTLD_DEFAULT, "gpiod_chip_open_lookup");
  return sym && dladdr(sym, &info) && info.dli_fname &&
         std::string(info.dli_fname).find("fake_gpiod") != std::string::npos;
}

// The fake reads FAKE_GPIOD_FIFO once per process, when the first chip is
// opened, so one FIFO serves every case in this process. Our end is opened
// read-write: it never blocks, and what is written waits in the pipe until
// the fake's injector thread reads it.
class Injector {
 public:
  static Injector& Get() {
    static Injector injector;
    return injector;
  }
  void Send(const std::string& lines) {
    ASSERT_EQ(write(fd_, lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  }

 private:
  Injector() {
    path_ = "/tmp/gb_fake_gpiod_" + std::to_string(getpid()) + ".fifo";
    unlink(path_.c_str());
    if (mkfifo(path_.c_str(), 0600) != 0) std::abort();
    setenv("FAKE_GPIOD_FIFO", path_.c_str(), 1);
    fd_ = open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) std::abort();
  }
  ~Injector() {
    close(fd_);
    unlink(path_.c_str());
  }
  std::string path_;
  int fd_ = -1;
};

class GpiodFake : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FakePreloaded()) {
      GTEST_SKIP() << "fake_gpiod_v1.so is not preloaded: run through ctest, or "
                      "LD_PRELOAD=<build>/tests/drivers/gpio/fake_gpiod_v1.so";
    }
    Injector::Get();
  }
  // Polls until `n` events arrived or 2 s passed.
  static std::vector<ButtonEvent> Collect(ButtonSource& b, size_t n) {
    std::vector<ButtonEvent> out;
    const auto end = std::chrono::steady_clock::now() + 2s;
    while (out.size() < n && std::chrono::steady_clock::now() < end) {
      for (ButtonEvent e; b.Poll(e);) out.push_back(e);
      std::this_thread::sleep_for(2ms);
    }
    // Anything extra that is already there.
    std::this_thread::sleep_for(50ms);
    for (ButtonEvent e; b.Poll(e);) out.push_back(e);
    return out;
  }
  static std::vector<std::pair<int, bool>> Edges(const std::vector<ButtonEvent>& events) {
    std::vector<std::pair<int, bool>> out;
    for (const ButtonEvent& e : events) out.emplace_back(e.line, e.pressed);
    return out;
  }
};

TEST_F(GpiodFake, InjectedEdgesArriveWithTheirLineAndDirection) {
  auto b = GpiodButtons::Open({"gpiochip0", {17, 27, 22}});
  EXPECT_TRUE(b->warnings().empty()) << b->warnings().front();
  EXPECT_EQ(b->lines(), (std::vector<int>{17, 27, 22}));
  ASSERT_EQ(b->WaitFds().size(), 3u);
  ButtonEvent e;
  EXPECT_FALSE(b->Poll(e));  // nothing yet, and no blocking

  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  // Line 5 is not requested: its edges never show up.
  Injector::Get().Send("17 1\n5 1\n27 1\n17 0\n22 1\n5 0\n27 0\n22 0\n");
  // The descriptors wake a sleeping caller.
  std::vector<pollfd> fds;
  for (int fd : b->WaitFds()) fds.push_back({fd, POLLIN, 0});
  EXPECT_GT(poll(fds.data(), fds.size(), 2000), 0);

  const auto got = Collect(*b, 6);
  EXPECT_EQ(Edges(got), (std::vector<std::pair<int, bool>>{
                            {17, true}, {27, true}, {17, false}, {22, true}, {27, false}, {22, false}}));
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_GE(got[i].at, before - 1ms);  // the fake stamps CLOCK_MONOTONIC, like kernels >= 5.7
    EXPECT_LE(got[i].at, after);
    if (i > 0) {
      EXPECT_GE(got[i].at, got[i - 1].at);
    }
  }
}

TEST_F(GpiodFake, PressedNowReadsTheLogicalLevel) {
  auto b = GpiodButtons::Open({"gpiochip0", {23}});
  ASSERT_EQ(b->lines(), std::vector<int>{23});
  EXPECT_EQ(b->PressedNow(23), false);
  Injector::Get().Send("23 1\n");
  EXPECT_EQ(Edges(Collect(*b, 1)), (std::vector<std::pair<int, bool>>{{23, true}}));
  EXPECT_EQ(b->PressedNow(23), true);
  EXPECT_EQ(b->PressedNow(24), std::nullopt);  // not requested
  Injector::Get().Send("23 0\n");
  EXPECT_EQ(Edges(Collect(*b, 1)), (std::vector<std::pair<int, bool>>{{23, false}}));
}

TEST_F(GpiodFake, ALineTheChipLacksIsAWarningAndTheOthersWork) {
  auto b = GpiodButtons::Open({"gpiochip0", {18, 99, -1}});
  ASSERT_EQ(b->warnings().size(), 2u);
  EXPECT_NE(b->warnings()[0].find("GPIO line 99 not on gpiochip0"), std::string::npos)
      << b->warnings()[0];
  EXPECT_NE(b->warnings()[1].find("-1"), std::string::npos) << b->warnings()[1];
  EXPECT_EQ(b->lines(), std::vector<int>{18});
  Injector::Get().Send("18 1\n18 0\n");
  EXPECT_EQ(Edges(Collect(*b, 2)), (std::vector<std::pair<int, bool>>{{18, true}, {18, false}}));
}

TEST_F(GpiodFake, ALineAnotherProgramHoldsIsAWarning) {
  auto first = GpiodButtons::Open({"gpiochip0", {19}});
  ASSERT_TRUE(first->warnings().empty());
  auto second = GpiodButtons::Open({"gpiochip0", {19, 20}});
  ASSERT_EQ(second->warnings().size(), 1u);
  EXPECT_NE(second->warnings()[0].find("another program holds it"), std::string::npos)
      << second->warnings()[0];
  EXPECT_EQ(second->lines(), std::vector<int>{20});
  first.reset();  // released: it can be requested again
  auto third = GpiodButtons::Open({"gpiochip0", {19}});
  EXPECT_TRUE(third->warnings().empty());
}

TEST_F(GpiodFake, ABouncingButtonThroughTheDebouncerIsOnePress) {
  auto b = GpiodButtons::Open({"gpiochip0", {21}});
  ASSERT_EQ(b->lines(), std::vector<int>{21});
  DebouncedButtons d(*b, 3);
  d.SetLevel(21, b->PressedNow(21).value_or(false));
  // Contact chatter, as fast as the FIFO delivers it, then held.
  Injector::Get().Send("21 1\n21 0\n21 1\n21 0\n21 1\n");
  std::vector<ButtonEvent> out;
  for (int poll_i = 0; poll_i < 100; ++poll_i) {  // a 2 ms control-thread poll
    d.Sample();
    for (ButtonEvent e; d.Poll(e);) out.push_back(e);
    std::this_thread::sleep_for(2ms);
  }
  Injector::Get().Send("21 0\n21 1\n21 0\n");
  for (int poll_i = 0; poll_i < 100; ++poll_i) {
    d.Sample();
    for (ButtonEvent e; d.Poll(e);) out.push_back(e);
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(Edges(out), (std::vector<std::pair<int, bool>>{{21, true}, {21, false}}));
}

}  // namespace
}  // namespace gb::drivers
