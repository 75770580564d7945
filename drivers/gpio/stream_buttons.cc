// StreamButtons: a line parser over a non-blocking descriptor. Control thread only.
#include "drivers/gpio/stream_buttons.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace gb::drivers {
namespace {

constexpr size_t kMaxLine = 1024;

struct NamedAction {
  std::string_view name;
  int line;
};
constexpr std::array<NamedAction, 6> kActions = {{
    {"next", -1}, {"prev", -2}, {"stop", -3}, {"start", -4}, {"toggle", -5}, {"tap", -6}}};
constexpr int kSceneBase = -100;
constexpr int kMaxScene = 999;

std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) {
      std::string w(line.substr(i, j - i));
      for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      words.push_back(std::move(w));
    }
    i = j;
  }
  return words;
}

std::optional<int> Number(const std::string& s, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::chrono::milliseconds SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace

int StreamButtons::VirtualLine(std::string_view action) {
  for (const NamedAction& a : kActions) {
    if (a.name == action) return a.line;
  }
  if (action.substr(0, 6) == "scene ") {
    if (auto n = Number(std::string(action.substr(6)), 1, kMaxScene)) return kSceneBase - *n;
  }
  return 0;
}

std::optional<std::string> StreamButtons::VirtualAction(int line) {
  for (const NamedAction& a : kActions) {
    if (a.line == line) return std::string(a.name);
  }
  if (line < kSceneBase && line >= kSceneBase - kMaxScene) {
    return "scene " + std::to_string(kSceneBase - line);
  }
  return std::nullopt;
}

StreamButtons::OpenResult StreamButtons::Open(const std::string& path, StreamButtonsOptions options) {
  OpenResult r;
  int fd = -1;
  if (path == "-") {
    fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
  } else {
    struct stat st {};
    // A FIFO read-write: never an end of file when the last writer leaves.
    const bool fifo = stat(path.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
    fd = open(path.c_str(), (fifo ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
  }
  if (fd < 0) {
    r.error = "cannot open " + path + ": " + std::strerror(errno);
    return r;
  }
  if (options.label == "buttons" && path != "-") options.label = path;
  r.buttons = FromFd(fd, std::move(options));
  return r;
}

std::unique_ptr<StreamButtons> StreamButtons::FromFd(int fd, StreamButtonsOptions options) {
  return std::unique_ptr<StreamButtons>(new StreamButtons(fd, std::move(options)));
}

StreamButtons::StreamButtons(int fd, StreamButtonsOptions options)
    : fd_(fd), options_(std::move(options)) {
  if (fd_ >= 0) fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

StreamButtons::~StreamButtons() {
  if (fd_ >= 0) close(fd_);
}

std::chrono::milliseconds StreamButtons::Now() const {
  return options_.clock ? options_.clock() : SteadyMs();
}

std::vector<int> StreamButtons::WaitFds() const {
  if (eof_ || fd_ < 0) return {};
  return {fd_};
}

std::optional<std::chrono::milliseconds> StreamButtons::NextDue() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().at;
}

std::vector<std::string> StreamButtons::TakeWarnings() { return std::exchange(warnings_, {}); }

bool StreamButtons::Poll(ButtonEvent& out) {
  const std::chrono::milliseconds now = Now();
  if (queue_.empty() || queue_.front().at > now) ReadAvailable(now);
  if (queue_.empty() || queue_.front().at > now) return false;
  out = queue_.front();
  queue_.pop_front();
  return true;
}

void StreamButtons::ReadAvailable(std::chrono::milliseconds now) {
  if (eof_ || fd_ < 0) return;
  char buf[512];
  for (;;) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // EAGAIN: nothing more now
    if (n == 0) {      // a file or stdin ended (a FIFO opened read-write never does)
      eof_ = true;
      if (!partial_.empty() && !discarding_) ParseLine(partial_, now);
      partial_.clear();
      break;
    }
    for (ssize_t i = 0; i < n; ++i) {
      const char c = buf[i];
      if (c == '\n') {
        if (!discarding_) ParseLine(partial_, now);
        partial_.clear();
        discarding_ = false;
      } else if (!discarding_) {
        partial_.push_back(c);
        if (partial_.size() > kMaxLine) {
          ++line_number_;
          warnings_.push_back(options_.label + ":" + std::to_string(line_number_) +
                              ": line longer than " + std::to_string(kMaxLine) + " bytes; skipped");
          partial_.clear();
          discarding_ = true;
        }
      }
    }
  }
}

void StreamButtons::Schedule(int line, bool pressed, std::chrono::milliseconds now) {
  const std::chrono::milliseconds at = script_at_ ? std::max(*script_at_, now) : now;
  queue_.push_back({line, pressed, at});
}

void StreamButtons::ParseLine(std::string_view text, std::chrono::milliseconds now) {
  ++line_number_;
  if (const size_t hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
  const std::vector<std::string> w = Words(text);
  if (w.empty()) return;
  auto warn = [&](const std::string& why) {
    warnings_.push_back(options_.label + ":" + std::to_string(line_number_) + ": " + why);
  };
  const std::string& verb = w[0];
  if (verb == "press" || verb == "down" || verb == "release" || verb == "up" || verb == "click") {
    std::optional<int> line = w.size() == 2 ? Number(w[1], 0, 1 << 20) : std::nullopt;
    if (!line) return warn("'" + verb + "' needs one line number (e.g. '" + verb + " 17')");
    if (verb == "click") {
      Schedule(*line, true, now);
      Schedule(*line, false, now);
    } else {
      Schedule(*line, verb == "press" || verb == "down", now);
    }
    return;
  }
  if (verb == "wait") {
    std::optional<int> ms = w.size() == 2 ? Number(w[1], 0, 3'600'000) : std::nullopt;
    if (!ms) return warn("'wait' needs milliseconds, 0 to 3600000 (e.g. 'wait 500')");
    script_at_ = (script_at_ ? std::max(*script_at_, now) : now) + std::chrono::milliseconds(*ms);
    return;
  }
  std::string action = verb;
  if (verb == "scene") {
    std::optional<int> n = w.size() == 2 ? Number(w[1], 1, kMaxScene) : std::nullopt;
    if (!n) return warn("'scene' needs a scene number, 1 to " + std::to_string(kMaxScene));
    action = "scene " + std::to_string(*n);
  } else if (w.size() != 1 || VirtualLine(verb) == 0) {
    return warn("unknown command '" + std::string(text.substr(0, 60)) +
                "' (press N, release N, click N, next, prev, scene N, stop, start, toggle, tap, wait MS)");
  }
  auto bound = options_.action_lines.find(action);
  const int line = bound != options_.action_lines.end() ? bound->second : VirtualLine(action);
  Schedule(line, true, now);
  Schedule(line, false, now);
}

}  // namespace gb::drivers
