// GpiodButtons on libgpiod. The API generation is read from <gpiod.h> itself
// (1.x defines GPIOD_LINE_BULK_MAX_LINES, 2.x has no bulk objects), so no
// build flag is needed and Debian 12 (1.6.3) and 13 (2.1) both build.
// Timestamps: kernels >= 5.7 stamp edges with CLOCK_MONOTONIC (steady_clock);
// older ones used CLOCK_REALTIME, which is detected and replaced by the read
// time. Control thread only.
#include "drivers/gpio/gpiod_buttons.h"

#include <gpiod.h>
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(GPIOD_LINE_BULK_MAX_LINES)
#define GB_GPIOD_V1 1
#else
#define GB_GPIOD_V1 0
#endif

namespace gb::drivers {
namespace {

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The edge's time on steady_clock, in ms. A stamp more than 10 s away from
// CLOCK_MONOTONIC's now is a realtime stamp (pre-5.7 kernel): use now.
std::chrono::milliseconds EdgeTime(int64_t stamp_ns) {
  const int64_t now = MonotonicNs();
  const int64_t d = stamp_ns - now;
  const int64_t ns = (d > 10'000'000'000 || d < -10'000'000'000) ? now : stamp_ns;
  return std::chrono::milliseconds(ns / 1'000'000);
}

std::string Errno(int e) { return std::strerror(e); }

std::string RequestFailure(int offset, const std::string& chip, int e) {
  std::string s = "GPIO line " + std::to_string(offset) + " on " + chip + ": cannot request it (" +
                  Errno(e) + ")";
  if (e == EBUSY) s += ": another program holds it (see gpioinfo)";
  if (e == EINVAL) s += ": is the line on this chip?";
  return s + "; that button is disabled";
}

}  // namespace

#if GB_GPIOD_V1

struct GpiodButtons::Impl {
  struct Line {
    int offset;
    gpiod_line* line;
    int fd;
  };
  gpiod_chip* chip = nullptr;
  std::vector<Line> lines;
  ~Impl() {
    for (Line& l : lines) gpiod_line_release(l.line);
    if (chip) gpiod_chip_close(chip);
  }
};

std::unique_ptr<GpiodButtons> GpiodButtons::Open(const GpiodButtonsConfig& config) {
  std::unique_ptr<GpiodButtons> b(new GpiodButtons());
  if (config.lines.empty()) return b;
  Impl& impl = *b->impl_;
  errno = 0;
  impl.chip = gpiod_chip_open_lookup(config.chip.c_str());
  if (!impl.chip) {
    b->warnings_.push_back("GPIO chip \"" + config.chip + "\" not available (" +
                           Errno(errno ? errno : ENOENT) + "); its buttons are disabled");
    return b;
  }
  for (int offset : config.lines) {
    if (offset < 0) {
      b->warnings_.push_back("GPIO line " + std::to_string(offset) + ": not a line number; ignored");
      continue;
    }
    gpiod_line* line = gpiod_chip_get_line(impl.chip, static_cast<unsigned>(offset));
    if (!line) {
      b->warnings_.push_back("GPIO line " + std::to_string(offset) + " not on " + config.chip + " (" +
                             Errno(errno) + "); that button is disabled");
      continue;
    }
    int flags = config.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
    const int bias = config.pull_up ? GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP : 0;
    int rc = gpiod_line_request_both_edges_events_flags(line, config.consumer.c_str(), flags | bias);
    if (rc < 0 && bias && (errno == EINVAL || errno == EOPNOTSUPP)) {
      // Kernels before 5.5 reject bias flags: request without, and say so.
      rc = gpiod_line_request_both_edges_events_flags(line, config.consumer.c_str(), flags);
      if (rc == 0) {
        b->warnings_.push_back("GPIO line " + std::to_string(offset) +
                               ": this kernel cannot enable the pull-up; fit an external one");
      }
    }
    if (rc < 0) {
      b->warnings_.push_back(RequestFailure(offset, config.chip, errno));
      continue;
    }
    const int fd = gpiod_line_event_get_fd(line);
    if (fd < 0) {
      b->warnings_.push_back("GPIO line " + std::to_string(offset) + ": no event descriptor (" +
                             Errno(errno) + "); that button is disabled");
      gpiod_line_release(line);
      continue;
    }
    impl.lines.push_back({offset, line, fd});
  }
  return b;
}

void GpiodButtons::ReadAvailable() {
  auto& lines = impl_->lines;
  const size_t first_new = queue_.size();
  // A bounded number of rounds: a line chattering faster than we read must
  // not keep Poll from returning.
  for (int round = 0; round < 64 && !lines.empty(); ++round) {
    std::vector<pollfd> fds;
    for (const Impl::Line& l : lines) fds.push_back({l.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 0) <= 0) break;
    bool any = false;
    std::vector<size_t> dead;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & POLLIN) {
        gpiod_line_event ev{};
        if (gpiod_line_event_read(lines[i].line, &ev) == 0) {
          const int64_t ns = int64_t{ev.ts.tv_sec} * 1'000'000'000 + ev.ts.tv_nsec;
          // With ACTIVE_LOW requested, the kernel reports logical edges:
          // rising = became active = pressed.
          queue_.push_back({{lines[i].offset, ev.event_type == GPIOD_LINE_EVENT_RISING_EDGE, EdgeTime(ns)}, ns});
          any = true;
          continue;
        }
        warnings_.push_back("GPIO line " + std::to_string(lines[i].offset) + ": event read failed (" +
                            Errno(errno) + "); that button is disabled");
        dead.push_back(i);
      } else if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
        warnings_.push_back("GPIO line " + std::to_string(lines[i].offset) +
                            ": the device went away; that button is disabled");
        dead.push_back(i);
      }
    }
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
      gpiod_line_release(lines[*it].line);
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    if (!any) break;
  }
  // Each line has its own descriptor: merge the lines' edges by kernel time.
  std::stable_sort(queue_.begin() + static_cast<std::ptrdiff_t>(first_new), queue_.end(),
                   [](const Queued& a, const Queued& b) { return a.stamp_ns < b.stamp_ns; });
}

std::optional<bool> GpiodButtons::PressedNow(int line) const {
  for (const Impl::Line& l : impl_->lines) {
    if (l.offset == line) {
      const int v = gpiod_line_get_value(l.line);
      if (v < 0) return std::nullopt;
      return v == 1;
    }
  }
  return std::nullopt;
}

std::string GpiodButtons::ApiDescription() {
  return std::string("libgpiod ") + gpiod_version_string() + " (v1 API)";
}

#else  // libgpiod 2.x

struct GpiodButtons::Impl {
  struct Line {
    int offset;
    gpiod_line_request* request;
    int fd;
  };
  gpiod_chip* chip = nullptr;
  gpiod_edge_event_buffer* buffer = nullptr;
  std::vector<Line> lines;
  ~Impl() {
    for (Line& l : lines) gpiod_line_request_release(l.request);
    if (buffer) gpiod_edge_event_buffer_free(buffer);
    if (chip) gpiod_chip_close(chip);
  }
};

namespace {

// One request per line, so one bad line cannot take the others down.
gpiod_line_request* RequestLine(gpiod_chip* chip, unsigned offset, const GpiodButtonsConfig& config,
                                bool bias) {
  gpiod_line_settings* settings = gpiod_line_settings_new();
  gpiod_line_config* line_cfg = gpiod_line_config_new();
  gpiod_request_config* req_cfg = gpiod_request_config_new();
  gpiod_line_request* request = nullptr;
  if (settings && line_cfg && req_cfg) {
    gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT);
    gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH);
    gpiod_line_settings_set_active_low(settings, config.active_low);
    gpiod_line_settings_set_event_clock(settings, GPIOD_LINE_CLOCK_MONOTONIC);
    if (bias) gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_UP);
    gpiod_request_config_set_consumer(req_cfg, config.consumer.c_str());
    if (gpiod_line_config_add_line_settings(line_cfg, &offset, 1, settings) == 0) {
      request = gpiod_chip_request_lines(chip, req_cfg, line_cfg);
    }
  }
  const int e = errno;
  if (req_cfg) gpiod_request_config_free(req_cfg);
  if (line_cfg) gpiod_line_config_free(line_cfg);
  if (settings) gpiod_line_settings_free(settings);
  errno = e;
  return request;
}

}  // namespace

std::unique_ptr<GpiodButtons> GpiodButtons::Open(const GpiodButtonsConfig& config) {
  std::unique_ptr<GpiodButtons> b(new GpiodButtons());
  if (config.lines.empty()) return b;
  Impl& impl = *b->impl_;
  const std::string path =
      config.chip.find('/') == std::string::npos ? "/dev/" + config.chip : config.chip;
  errno = 0;
  impl.chip = gpiod_chip_open(path.c_str());
  if (!impl.chip) {
    b->warnings_.push_back("GPIO chip \"" + config.chip + "\" not available (" +
                           Errno(errno ? errno : ENOENT) + "); its buttons are disabled");
    return b;
  }
  impl.buffer = gpiod_edge_event_buffer_new(16);
  for (int offset : config.lines) {
    if (offset < 0) {
      b->warnings_.push_back("GPIO line " + std::to_string(offset) + ": not a line number; ignored");
      continue;
    }
    const unsigned off = static_cast<unsigned>(offset);
    gpiod_line_request* request = RequestLine(impl.chip, off, config, config.pull_up);
    if (!request && config.pull_up && (errno == EINVAL || errno == EOPNOTSUPP)) {
      request = RequestLine(impl.chip, off, config, false);
      if (request) {
        b->warnings_.push_back("GPIO line " + std::to_string(offset) +
                               ": this kernel cannot enable the pull-up; fit an external one");
      }
    }
    if (!request) {
      b->warnings_.push_back(RequestFailure(offset, config.chip, errno));
      continue;
    }
    impl.lines.push_back({offset, request, gpiod_line_request_get_fd(request)});
  }
  return b;
}

void GpiodButtons::ReadAvailable() {
  auto& lines = impl_->lines;
  if (!impl_->buffer) return;
  const size_t first_new = queue_.size();
  for (int round = 0; round < 64 && !lines.empty(); ++round) {
    std::vector<pollfd> fds;
    for (const Impl::Line& l : lines) fds.push_back({l.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 0) <= 0) break;
    bool any = false;
    std::vector<size_t> dead;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & POLLIN) {
        const int n = gpiod_line_request_read_edge_events(lines[i].request, impl_->buffer, 16);
        if (n >= 0) {
          for (int k = 0; k < n; ++k) {
            gpiod_edge_event* ev = gpiod_edge_event_buffer_get_event(impl_->buffer, static_cast<unsigned long>(k));
            const auto ns = static_cast<int64_t>(gpiod_edge_event_get_timestamp_ns(ev));
            queue_.push_back({{static_cast<int>(gpiod_edge_event_get_line_offset(ev)),
                               gpiod_edge_event_get_event_type(ev) == GPIOD_EDGE_EVENT_RISING_EDGE,
                               EdgeTime(ns)},
                              ns});
          }
          any = any || n > 0;
          continue;
        }
        warnings_.push_back("GPIO line " + std::to_string(lines[i].offset) + ": event read failed (" +
                            Errno(errno) + "); that button is disabled");
        dead.push_back(i);
      } else if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
        warnings_.push_back("GPIO line " + std::to_string(lines[i].offset) +
                            ": the device went away; that button is disabled");
        dead.push_back(i);
      }
    }
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) {
      gpiod_line_request_release(lines[*it].request);
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(*it));
    }
    if (!any) break;
  }
  // Each line has its own descriptor: merge the lines' edges by kernel time.
  std::stable_sort(queue_.begin() + static_cast<std::ptrdiff_t>(first_new), queue_.end(),
                   [](const Queued& a, const Queued& b) { return a.stamp_ns < b.stamp_ns; });
}

std::optional<bool> GpiodButtons::PressedNow(int line) const {
  for (const Impl::Line& l : impl_->lines) {
    if (l.offset == line) {
      const auto v = gpiod_line_request_get_value(l.request, static_cast<unsigned>(line));
      if (v == GPIOD_LINE_VALUE_ACTIVE) return true;
      if (v == GPIOD_LINE_VALUE_INACTIVE) return false;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string GpiodButtons::ApiDescription() {
  return std::string("libgpiod ") + gpiod_api_version() + " (v2 API)";
}

#endif

GpiodButtons::GpiodButtons() : impl_(std::make_unique<Impl>()) {}
GpiodButtons::~GpiodButtons() = default;

bool GpiodButtons::Poll(ButtonEvent& out) {
  if (queue_head_ == queue_.size()) {
    queue_.clear();
    queue_head_ = 0;
    ReadAvailable();
    if (queue_.empty()) return false;
  }
  out = queue_[queue_head_++].event;
  return true;
}

std::vector<int> GpiodButtons::WaitFds() const {
  std::vector<int> fds;
  for (const Impl::Line& l : impl_->lines) fds.push_back(l.fd);
  return fds;
}

std::vector<int> GpiodButtons::lines() const {
  std::vector<int> out;
  for (const Impl::Line& l : impl_->lines) out.push_back(l.offset);
  return out;
}

}  // namespace gb::drivers
