// StreamButtons: text commands from a FIFO (writers coming and going), a file
// and a scripted clock become ButtonEvents; the grammar's errors are warnings
// with line numbers; reads never block.
#include "drivers/gpio/stream_buttons.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace gb::drivers {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string p = (std::filesystem::temp_directory_path() / "gb_gpio_XXXXXX").string();
    if (!mkdtemp(p.data())) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path operator/(const char* n) const { return path_ / n; }

 private:
  std::filesystem::path path_;
};

void WriteAll(int fd, const std::string& s) {
  ASSERT_EQ(write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

std::vector<ButtonEvent> Drain(StreamButtons& b) {
  std::vector<ButtonEvent> out;
  for (ButtonEvent e; b.Poll(e);) out.push_back(e);
  return out;
}

// Lines and directions only (times are checked where they matter).
std::vector<std::pair<int, bool>> Edges(const std::vector<ButtonEvent>& events) {
  std::vector<std::pair<int, bool>> out;
  for (const ButtonEvent& e : events) out.emplace_back(e.line, e.pressed);
  return out;
}

struct FakeClock {
  std::chrono::milliseconds now{1000};
  StreamButtonsOptions Options() {
    StreamButtonsOptions o;
    o.clock = [this] { return now; };
    return o;
  }
};

TEST(StreamButtons, FifoCommandsArriveAndWritersMayComeAndGo) {
  TempDir dir;
  const auto fifo = dir / "buttons";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto r = StreamButtons::Open(fifo.string());
  ASSERT_TRUE(r.buttons) << r.error;
  StreamButtons& b = *r.buttons;
  ASSERT_EQ(b.WaitFds().size(), 1u);

  // Nothing written yet: Poll returns at once.
  const auto t0 = std::chrono::steady_clock::now();
  ButtonEvent e;
  EXPECT_FALSE(b.Poll(e));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 50ms);

  int w = open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(w, 0);
  WriteAll(w, "press 17\nrelease 17\npre");  // a command split across writes
  auto got = Drain(b);
  EXPECT_EQ(Edges(got), (std::vector<std::pair<int, bool>>{{17, true}, {17, false}}));
  WriteAll(w, "ss 27\n");
  close(w);  // the writer leaves: no end of file for a FIFO opened read-write
  EXPECT_EQ(Edges(Drain(b)), (std::vector<std::pair<int, bool>>{{27, true}}));
  EXPECT_FALSE(b.finished());

  w = open(fifo.c_str(), O_WRONLY);  // another writer, later
  ASSERT_GE(w, 0);
  WriteAll(w, "release 27\n");
  close(w);
  got = Drain(b);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Edges(got), (std::vector<std::pair<int, bool>>{{27, false}}));
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  EXPECT_LE(got[0].at, now_ms);
  EXPECT_GT(got[0].at, now_ms - 5000ms);
  EXPECT_TRUE(b.TakeWarnings().empty());
}

TEST(StreamButtons, ActionsPressAndReleaseTheirBoundLineOrAVirtualOne) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  StreamButtonsOptions o;
  o.action_lines = {{"next", 27}, {"scene 2", 22}};
  auto b = StreamButtons::FromFd(p[0], o);
  WriteAll(p[1], "next\nscene 2\nscene 3\nprev\nstop\nstart\ntoggle\ntap\nclick 5\n");
  EXPECT_EQ(Edges(Drain(*b)), (std::vector<std::pair<int, bool>>{
                                  {27, true}, {27, false}, {22, true}, {22, false},
                                  {-103, true}, {-103, false}, {-2, true}, {-2, false},
                                  {-3, true}, {-3, false}, {-4, true}, {-4, false},
                                  {-5, true}, {-5, false}, {-6, true}, {-6, false},
                                  {5, true}, {5, false}}));
  EXPECT_EQ(StreamButtons::VirtualAction(-103), "scene 3");
  EXPECT_EQ(StreamButtons::VirtualAction(-1), "next");
  EXPECT_EQ(StreamButtons::VirtualAction(-6), "tap");
  EXPECT_EQ(StreamButtons::VirtualAction(17), std::nullopt);
  EXPECT_EQ(StreamButtons::VirtualAction(-7), std::nullopt);
  EXPECT_EQ(StreamButtons::VirtualLine("toggle"), -5);
  EXPECT_EQ(StreamButtons::VirtualLine("scene 12"), -112);
  EXPECT_EQ(StreamButtons::VirtualLine("jump"), 0);
  close(p[1]);
}

TEST(StreamButtons, CommentsCaseAndSpacingAndErrorsWithLineNumbers) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  StreamButtonsOptions o;
  o.label = "desk";
  auto b = StreamButtons::FromFd(p[0], o);
  WriteAll(p[1],
           "# a comment\n"
           "\n"
           "  PRESS   4   # trailing comment\n"
           "jump\n"
           "press\n"
           "press x\n"
           "scene 0\n"
           "wait soon\n"
           "Release 4\r\n");
  EXPECT_EQ(Edges(Drain(*b)), (std::vector<std::pair<int, bool>>{{4, true}, {4, false}}));
  const auto w = b->TakeWarnings();
  ASSERT_EQ(w.size(), 5u);
  EXPECT_NE(w[0].find("desk:4: unknown command 'jump'"), std::string::npos) << w[0];
  EXPECT_NE(w[1].find("desk:5:"), std::string::npos) << w[1];
  EXPECT_NE(w[2].find("desk:6:"), std::string::npos) << w[2];
  EXPECT_NE(w[3].find("desk:7: 'scene' needs"), std::string::npos) << w[3];
  EXPECT_NE(w[4].find("desk:8: 'wait' needs"), std::string::npos) << w[4];
  EXPECT_TRUE(b->TakeWarnings().empty());
  close(p[1]);
}

TEST(StreamButtons, WaitSchedulesLaterCommands) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  FakeClock clock;
  auto b = StreamButtons::FromFd(p[0], clock.Options());
  WriteAll(p[1], "press 1\nwait 500\nrelease 1\nwait 250\nnext\n");
  ButtonEvent e;
  ASSERT_TRUE(b->Poll(e));
  EXPECT_EQ(e, (ButtonEvent{1, true, 1000ms}));
  EXPECT_FALSE(b->Poll(e));
  EXPECT_EQ(b->NextDue(), 1500ms);
  clock.now = 1499ms;
  EXPECT_FALSE(b->Poll(e));
  clock.now = 1500ms;
  ASSERT_TRUE(b->Poll(e));
  EXPECT_EQ(e, (ButtonEvent{1, false, 1500ms}));
  clock.now = 2000ms;
  EXPECT_EQ(Drain(*b), (std::vector<ButtonEvent>{{-1, true, 1750ms}, {-1, false, 1750ms}}));
  EXPECT_FALSE(b->NextDue());
  close(p[1]);
}

TEST(StreamButtons, AFileIsReadToItsEndIncludingALastLineWithoutNewline) {
  TempDir dir;
  const auto path = dir / "script.txt";
  {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    WriteAll(fd, "click 17\nscene 2");
    close(fd);
  }
  auto r = StreamButtons::Open(path.string());
  ASSERT_TRUE(r.buttons) << r.error;
  EXPECT_EQ(Edges(Drain(*r.buttons)),
            (std::vector<std::pair<int, bool>>{{17, true}, {17, false}, {-102, true}, {-102, false}}));
  EXPECT_TRUE(r.buttons->finished());
  EXPECT_TRUE(r.buttons->WaitFds().empty());
}

TEST(StreamButtons, AMissingPathIsAnErrorAndAnOverlongLineIsSkipped) {
  auto r = StreamButtons::Open("/nonexistent/groovebox/buttons");
  EXPECT_FALSE(r.buttons);
  EXPECT_NE(r.error.find("/nonexistent/groovebox/buttons"), std::string::npos);

  int p[2];
  ASSERT_EQ(pipe(p), 0);
  auto b = StreamButtons::FromFd(p[0]);
  WriteAll(p[1], std::string(3000, 'x') + "\npress 9\n");
  EXPECT_EQ(Edges(Drain(*b)), (std::vector<std::pair<int, bool>>{{9, true}}));
  ASSERT_EQ(b->TakeWarnings().size(), 1u);
  close(p[1]);
}

}  // namespace
}  // namespace gb::drivers
