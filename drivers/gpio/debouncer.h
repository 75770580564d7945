// Debouncing by counting polls (Bela's Debounce): a contact's new level is
// accepted only once it has been read the same on N consecutive polls, so a
// bouncing switch gives exactly one press and one release, and a glitch
// shorter than N polls gives nothing. Runs on the control thread's own poll
// period (e.g. 2 ms x 5 polls = 10 ms); never in the audio path. Control
// thread only.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <vector>

#include "drivers/gpio/button_source.h"

namespace gb::drivers {

// One line.
class Debouncer {
 public:
  // `stable_polls` >= 1 (values below are taken as 1: no debouncing).
  explicit Debouncer(int stable_polls = 5, bool pressed = false);

  // Feeds one poll's raw reading. Returns true when this poll completes a
  // run of `stable_polls` readings that differ from the accepted level: the
  // accepted level flips (read it with pressed()).
  bool Update(bool raw_pressed);

  bool pressed() const { return level_; }
  // A different level has been read on the last polls but not yet for long
  // enough: keep polling at the regular period.
  bool settling() const { return count_ > 0; }
  int stable_polls() const { return need_; }

 private:
  int need_;
  int count_ = 0;
  bool level_;
};

// Debounces every line of a raw source. Call Sample() once per control-thread
// poll period; it drains the raw edges (the last level read per line is that
// line's reading for this poll) and advances each line's count once. Accepted
// edges then come out of Poll(). An accepted edge's `at` is the time of the
// raw edge that began the stable run (the moment the contact settled), so
// tap tempo is not skewed by the debounce delay.
class DebouncedButtons final : public ButtonSource {
 public:
  // `raw` must outlive this object. Lines start released unless SetLevel says.
  DebouncedButtons(ButtonSource& raw, int stable_polls);

  // Declares a line's level at start (e.g. GpiodButtons::PressedNow) so a
  // button held down at boot is not reported as a fresh press.
  void SetLevel(int line, bool pressed);

  // One debounce poll.
  void Sample();
  bool Poll(ButtonEvent& out) override;
  std::vector<int> WaitFds() const override { return raw_.WaitFds(); }

  // True while some line is between levels: Sample again after one poll
  // period even if WaitFds stays quiet (otherwise sleep on WaitFds).
  bool settling() const;

 private:
  struct Line {
    Debouncer debouncer;
    bool raw = false;                      // last raw level read
    std::chrono::milliseconds raw_at{0};   // when the raw level last changed
  };
  Line& LineFor(int line);

  ButtonSource& raw_;
  int stable_polls_;
  std::map<int, Line> lines_;
  std::deque<ButtonEvent> ready_;
};

}  // namespace gb::drivers
