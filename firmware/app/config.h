// The groovebox configuration (a TOML file, read with toml++). Every wrong
// line is reported with its line number, and a broken file is refused whole:
// the daemon does not start on a guess. Control thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gb::fw {

// When a reloaded file or a scene change takes effect.
struct SwapQuantum {
  enum class Kind { kImmediate, kBeat, kCycle, kCycles } kind = Kind::kCycle;
  int cycles = 1;  // kCycles: the next multiple of this many cycles
};

enum class ButtonAction { kNext, kPrev, kScene, kStop, kStart, kToggle, kTap };

struct ButtonBinding {
  int line = 0;
  ButtonAction action = ButtonAction::kNext;
  int scene = 0;  // kScene: 1-based scene number in folder order
};

struct Config {
  // [audio]
  std::string device = "default";  // ALSA PCM; "none": the silent real-time clock
  int rate_hz = 48000;
  int period_frames = 128;
  int periods = 3;                 // buffer = periods x period
  int channels = 2;
  int threads = 0;                 // DSP threads, 0 = one per core
  std::vector<int> cores;          // cores to pin them to (empty: 0, 1, 2 ...)
  int voices = 4096;
  bool realtime = true;            // SCHED_FIFO + mlockall where permitted
  // [routing]: output index (0 = out, 1..16) -> first device channel (0-based)
  std::map<int, int> routing;
  // [patterns]
  std::string patterns_dir = "/var/lib/groovebox/patterns";
  std::string samples_dir = "/var/lib/groovebox/samples";
  std::string default_scene;       // file name in patterns_dir; empty: the bundled default
  SwapQuantum swap;
  int poll_ms = 0;                 // > 0: poll the folder instead of inotify
  int debounce_ms = 150;
  // [gpio]
  std::string gpio_chip;           // empty: no GPIO
  int debounce_polls = 5;
  std::vector<ButtonBinding> buttons;
  // [status]
  std::string status_socket = "/run/groovebox/status.sock";
  std::string state_file = "/var/lib/groovebox/state";  // the last chosen scene
};

struct ConfigError {
  int line = 0;  // 0 when the problem is not on one line
  std::string message;
};

struct ConfigResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;  // all problems found, in file order
  std::string Describe(const std::string& path) const;  // "path:line: message" lines
};

ConfigResult ParseConfig(std::string_view text);
ConfigResult LoadConfig(const std::string& path);
std::optional<SwapQuantum> ParseSwapQuantum(std::string_view text);

}  // namespace gb::fw
