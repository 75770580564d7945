// Buttons without hardware: button commands as text lines from a FIFO, a
// file or stdin (`groovebox run --buttons FILE`), for desks, scripts and
// tests. Reads are non-blocking; a FIFO is opened read-write so writers may
// come and go without an end of file. Control thread only.
//
// Grammar: one command per line; words are case-insensitive; blank lines and
// everything after `#` are ignored; numbers are decimal.
//
//   press N     line N goes down          (also: down N)
//   release N   line N comes up           (also: up N)
//   click N     press then release of line N
//   next | prev | stop | start | toggle | tap | scene N
//               an action: press then release of the line the action is
//               bound to (StreamButtonsOptions::action_lines, normally the
//               inverse of the [gpio] buttons table), or, when it is bound to
//               none, of its virtual line (VirtualLine / VirtualAction).
//   wait MS     later commands happen MS milliseconds after the one before
//               (a scripted performance); without waits, everything happens
//               when it is read.
//
// A line that does not parse is skipped with a warning naming its line number.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/gpio/button_source.h"

namespace gb::drivers {

struct StreamButtonsOptions {
  // Canonical action text ("next", "prev", "stop", "start", "toggle", "tap",
  // "scene 3") -> the GPIO line bound to it.
  std::map<std::string, int> action_lines;
  // Time source in steady_clock ms; default: steady_clock::now(). Tests inject one.
  std::function<std::chrono::milliseconds()> clock;
  std::string label = "buttons";  // names the source in warnings
};

class StreamButtons final : public ButtonSource {
 public:
  struct OpenResult {
    std::unique_ptr<StreamButtons> buttons;  // null on error
    std::string error;
  };
  // `path` "-" is stdin.
  static OpenResult Open(const std::string& path, StreamButtonsOptions options = {});
  // Takes ownership of `fd` (made non-blocking).
  static std::unique_ptr<StreamButtons> FromFd(int fd, StreamButtonsOptions options = {});
  ~StreamButtons() override;
  StreamButtons(const StreamButtons&) = delete;
  StreamButtons& operator=(const StreamButtons&) = delete;

  bool Poll(ButtonEvent& out) override;
  std::vector<int> WaitFds() const override;
  // When the next scripted (`wait`) event falls due; nullopt: none waiting.
  std::optional<std::chrono::milliseconds> NextDue() const;
  // Problems since the last call, "buttons:3: unknown command 'jump'".
  std::vector<std::string> TakeWarnings();
  // A file or stdin reached its end and every event has been handed out.
  bool finished() const { return eof_ && queue_.empty(); }

  // Virtual lines for unbound actions: next -1, prev -2, stop -3, start -4,
  // toggle -5, tap -6, scene N -(100 + N). VirtualAction maps back to the
  // action text ("scene 3"), which is also the daemon's command syntax.
  static int VirtualLine(std::string_view action);  // 0 if not an action
  static std::optional<std::string> VirtualAction(int line);

 private:
  StreamButtons(int fd, StreamButtonsOptions options);
  void ReadAvailable(std::chrono::milliseconds now);
  void ParseLine(std::string_view line, std::chrono::milliseconds now);
  void Schedule(int line, bool pressed, std::chrono::milliseconds now);
  std::chrono::milliseconds Now() const;

  int fd_;
  StreamButtonsOptions options_;
  std::string partial_;
  int line_number_ = 0;
  bool eof_ = false;
  bool discarding_ = false;  // inside an over-long line
  std::optional<std::chrono::milliseconds> script_at_;  // set by `wait`
  std::deque<ButtonEvent> queue_;  // due times ascending
  std::vector<std::string> warnings_;
};

}  // namespace gb::drivers
