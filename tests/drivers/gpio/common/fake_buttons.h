// FakeButtons: a scripted ButtonSource for tests of code that reacts to
// buttons (scene switching, tap tempo, the debouncer). Edges are queued with
// their time; Poll hands them out in script order, and once a test sets the
// time (SetNow) only those whose time has come. Header-only. Single thread.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "drivers/gpio/button_source.h"

namespace gb::drivers::testing {

class FakeButtons final : public ButtonSource {
 public:
  using ms = std::chrono::milliseconds;

  void Push(ButtonEvent e) { script_.push_back(e); }
  void Press(int line, ms at = ms{0}) { Push({line, true, at}); }
  void Release(int line, ms at = ms{0}) { Push({line, false, at}); }
  // Press then release (a clean click).
  void Click(int line, ms at = ms{0}, ms held = ms{80}) {
    Press(line, at);
    Release(line, at + held);
  }
  // Raw contact levels, one character per `step` from `at`: "0101011111" is
  // a bouncy press. Only changes of level become edges (the kernel's view).
  void Levels(int line, const std::string& levels, ms at, ms step, bool start_pressed = false) {
    bool level = start_pressed;
    for (size_t i = 0; i < levels.size(); ++i) {
      const bool v = levels[i] == '1';
      if (v != level) Push({line, v, at + step * static_cast<int>(i)});
      level = v;
    }
  }

  // From now on, hand out only edges at or before `now`.
  void SetNow(ms now) { now_ = now; }

  bool Poll(ButtonEvent& out) override {
    ++polls_;
    if (script_.empty() || (now_ && script_.front().at > *now_)) return false;
    out = script_.front();
    script_.pop_front();
    return true;
  }

  size_t pending() const { return script_.size(); }
  int polls() const { return polls_; }

 private:
  std::deque<ButtonEvent> script_;
  std::optional<ms> now_;
  int polls_ = 0;
};

}  // namespace gb::drivers::testing
