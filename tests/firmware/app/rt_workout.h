// The live workout of the daemon's real-time tests: busy scenes (chords,
// filters, signal buses, random patterns, delay and reverb tails, sample
// voices) reloaded by saving their files and switched by the status socket
// and by FIFO buttons, each step waiting until the daemon has swapped.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "tests/firmware/app/daemon_harness.h"

namespace gb::fw::testing {

// Scene `variant` of a busy family; every variant compiles.
inline std::string BusyScene(int variant) {
  const int v = variant % 7;
  return "cps: " + std::to_string(0.55 + 0.05 * v) +
         "\n"
         "~lfo: sine 0.3\n"
         "~x: supersaw " + std::to_string(100 + 10 * v) + " 0.3 5 # lpf (~lfo * 2000 + 400) 0.8\n"
         "~y: fm 220 330 2 # hpf 200\n"
         "o1: s \"~x*8\" # note \"<c4'min7 f3'min9>\" # adsr 0.01 0.1 0.6 0.3 # gain 0.5\n"
         "o2: s \"click*16?\" # pan rand # speed \"1 2 -1\" # lpf 3000 2\n"
         "o3: s \"bd(5,8,<0 2>) hh*8\" # gain 0." + std::to_string(5 + v % 4) + " # delay 0.375 0.4 0.3\n"
         "o4: jux rev $ every 2 (fast 2) $ s \"~y*4 sn\" # n \"0 .. 3\" # reverb 0.6 0.5 0.25\n"
         "o5: s \"808lt(3,8,2) cp\" # speed \"<1 1.2>\" # bitcrush 8\n"
         "out: (saw \"<55 82.5>\" + noise * 0.1) * 0.1 # lpf 800\n";
}

inline void WriteWorkoutScenes(DaemonHarness& h) {
  h.WriteScene("a.ph", BusyScene(0));
  h.WriteScene("b.ph", BusyScene(3));
  h.WriteScene("c.ph", BusyScene(5));
}

struct WorkoutResult {
  int reloads = 0;   // saves that swapped in
  int switches = 0;  // scene changes that swapped in
};

// Alternates reloads and switches until both counts are done. Switches take
// turns: `next` on the status socket, `scene N` on the socket, and a press of
// line 17 (bound to next) on the button FIFO when `fifo` is given.
inline WorkoutResult Workout(DaemonHarness& h, const std::string& fifo, int reloads, int switches) {
  WorkoutResult r;
  // Non-blocking: with no daemon reading, opening fails instead of hanging.
  const int buttons = fifo.empty() ? -1 : open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  EXPECT_TRUE(fifo.empty() || buttons >= 0) << "no daemon reads " << fifo;
  const auto press = [&](const char* line) { (void)!write(buttons, line, std::strlen(line)); };
  int step = 0;
  bool release = false;
  while (r.reloads < reloads || r.switches < switches) {
    const json before = h.Status();
    if (before.is_null()) break;
    const int swaps = before["swaps"].get<int>();
    const bool reload = r.switches >= switches || (r.reloads < reloads && step % 2 == 0);
    std::string what;
    if (reload) {
      const std::string scene = before["scene"].get<std::string>();
      h.WriteScene(scene, BusyScene(step));
      what = "reload of " + scene;
    } else {
      const int kind = (step / 2) % 3;
      if (kind == 2 && buttons >= 0) {
        // Held until it has acted: a press and release read in one poll are
        // a bounce, which the debouncer rightly ignores.
        press("press 17\n");
        release = true;
        what = "button next";
      } else if (kind == 1) {
        what = "scene " + std::to_string(1 + step % 3);
        if (before["scene"] == std::string(1, static_cast<char>('a' + step % 3)) + ".ph") what = "next";
        h.Status(what);
      } else {
        what = "next";
        h.Status(what);
      }
    }
    const json after = h.WaitFor([&](const json& j) { return j["swaps"].get<int>() > swaps; });
    if (release) {
      press("release 17\n");
      release = false;
    }
    EXPECT_GT(after["swaps"].get<int>(), swaps) << "step " << step << ": " << what << " did not swap: " << after.dump() << "\n"
                                          << DaemonHarness::ReadText(h.Log());
    if (after.is_null() || after["swaps"].get<int>() <= swaps) break;
    (reload ? r.reloads : r.switches)++;
    ++step;
  }
  if (buttons >= 0) close(buttons);
  return r;
}

}  // namespace gb::fw::testing
