// The button interface the firmware sees: edges of numbered lines, pressed or
// released, with a time. Implemented by GpiodButtons (libgpiod), StreamButtons
// (text commands from a FIFO, a file or stdin), DebouncedButtons (wraps a raw
// source) and tests' FakeButtons. CONTROL THREAD ONLY, never the audio path.
#pragma once

#include <chrono>
#include <vector>

namespace gb::drivers {

struct ButtonEvent {
  int line = 0;          // GPIO line offset; StreamButtons' action words use negative lines
  bool pressed = false;  // logical: true = pushed down, whatever the wiring's polarity
  // steady_clock (CLOCK_MONOTONIC) since its epoch, in ms: when the edge
  // happened (the kernel's timestamp for GPIO), not when it was read.
  std::chrono::milliseconds at{0};

  bool operator==(const ButtonEvent&) const = default;
};

class ButtonSource {
 public:
  virtual ~ButtonSource() = default;
  // Non-blocking: the next edge, oldest first; false when there is none now.
  virtual bool Poll(ButtonEvent& out) = 0;
  // Descriptors that become readable when Poll may have something, for the
  // caller's poll()/epoll; the caller never reads them. Empty: poll on a timer.
  virtual std::vector<int> WaitFds() const { return {}; }
};

}  // namespace gb::drivers
