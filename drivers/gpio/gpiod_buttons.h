// GPIO buttons through libgpiod: the configured lines of one chip requested
// as inputs with both-edge events, pull-up bias and active-low (a button that
// shorts the line to ground reads "pressed"). Event reads are non-blocking.
// Builds against libgpiod 1.6 (Debian 12; the v1 C API) or 2.x (the v2 API),
// chosen at compile time from <gpiod.h> itself. A missing chip or line is a
// warning for the caller to show, never a failure: the source then produces
// nothing for it. Control thread only. Raw edges bounce: wrap this in
// DebouncedButtons.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/gpio/button_source.h"

namespace gb::drivers {

struct GpiodButtonsConfig {
  // libgpiod 1.x: a name ("gpiochip0"), a path ("/dev/gpiochip0"), a label
  // ("pinctrl-bcm2711") or a number ("0"). libgpiod 2.x: a name or a path.
  std::string chip = "gpiochip0";
  std::vector<int> lines;         // offsets on that chip, e.g. {17, 27, 22}
  bool active_low = true;         // the button pulls the line to ground
  bool pull_up = true;            // enable the SoC's internal pull-up
  std::string consumer = "groovebox";  // shown by gpioinfo
};

class GpiodButtons final : public ButtonSource {
 public:
  // Never null. Requests what it can; everything that went wrong is in
  // warnings() (a missing chip, a line the chip does not have, a line another
  // program holds, a kernel without bias support).
  static std::unique_ptr<GpiodButtons> Open(const GpiodButtonsConfig& config);
  ~GpiodButtons() override;
  GpiodButtons(const GpiodButtons&) = delete;
  GpiodButtons& operator=(const GpiodButtons&) = delete;

  bool Poll(ButtonEvent& out) override;
  std::vector<int> WaitFds() const override;

  // Human-readable, one problem per entry. Poll may append (a line that
  // stops reading is dropped with a warning).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The lines actually requested.
  std::vector<int> lines() const;
  // The line's logical level now (true = pressed); nullopt if not requested.
  std::optional<bool> PressedNow(int line) const;
  // "libgpiod 1.6.3 (v1 API)" / "libgpiod 2.1 (v2 API)".
  static std::string ApiDescription();

 private:
  struct Impl;
  GpiodButtons();
  void ReadAvailable();

  struct Queued {
    ButtonEvent event;
    int64_t stamp_ns;  // the kernel's, to order edges of different lines
  };
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> warnings_;
  std::vector<Queued> queue_;  // read, not yet handed out; oldest first
  size_t queue_head_ = 0;
};

}  // namespace gb::drivers
