// InotifyWatcher: inotify events in, per-file debounced FileEvents out.
// Events only say "look at NAME again"; what is reported is decided by the
// file on disk once it has been quiet (see file_debounce.h), so every burst
// the rig recorded (smbd put, put to a temp name + rename, cp, sed -i, rsync,
// vim) becomes exactly one kChanged. Control thread only.
#include "drivers/watch/inotify_watcher.h"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace gb::drivers {

uint32_t InotifyWatcher::WatchMask() {
  // OPEN and CLOSE_NOWRITE only feed the open count (a writer still at work);
  // ATTRIB matters because smbd sets the times after the last write.
  // EXCL_UNLINK: no events from a deleted file some process still writes.
  return IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE |
         IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
         IN_EXCL_UNLINK;
}

InotifyWatcher::InotifyWatcher(int fd, std::filesystem::path folder, WatchOptions options)
    : fd_(fd), folder_(std::move(folder)), options_(options), debounce_(folder_, options_) {}

InotifyWatcher::~InotifyWatcher() {
  if (fd_ >= 0) close(fd_);
}

InotifyWatcher::OpenResult InotifyWatcher::Open(const std::filesystem::path& folder,
                                                WatchOptions options) {
  OpenResult result;
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    result.error = "inotify_init1: " + std::string(std::strerror(e)) +
                   (e == EMFILE ? " (fs.inotify.max_user_instances reached)" : "");
    return result;
  }
  std::unique_ptr<InotifyWatcher> w(new InotifyWatcher(fd, folder, std::move(options)));
  if (w->AddWatch()) {
    w->debounce_.Baseline();
  } else {
    const int e = errno;
    if (e == ENOENT) {
      result.warning = folder.string() + ": folder missing; watching for it to appear";
    } else {
      result.error = folder.string() + ": inotify_add_watch: " + std::strerror(e) +
                     (e == ENOSPC ? " (fs.inotify.max_user_watches reached)" : "");
      return result;
    }
  }
  result.watcher = std::move(w);
  return result;
}

std::unique_ptr<InotifyWatcher> InotifyWatcher::OpenOnFdForTesting(
    int fd, int wd, const std::filesystem::path& folder, WatchOptions options) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::unique_ptr<InotifyWatcher> w(new InotifyWatcher(fd, folder, std::move(options)));
  w->wd_ = wd;
  w->test_fd_ = true;
  w->debounce_.Baseline();
  return w;
}

bool InotifyWatcher::AddWatch() {
  wd_ = inotify_add_watch(fd_, folder_.c_str(), WatchMask());
  return wd_ >= 0;
}

bool InotifyWatcher::Poll(std::vector<FileEvent>& out, std::chrono::milliseconds now) {
  if (wd_ < 0 && !test_fd_ && now >= next_retry_) {
    if (AddWatch()) {
      debounce_.RequestRescan(now);  // the folder (re)appeared: list it again
    } else {
      next_retry_ = now + options_.poll_interval;
    }
  }
  // Drain everything the kernel has. Events carry no time of their own: they
  // are stamped `now`, so the caller should poll promptly when WaitFd wakes.
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t len = read(fd_, buf, sizeof buf);
    if (len <= 0) break;  // EAGAIN: drained (EINTR: next Poll)
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= len;) {
      inotify_event ev;
      std::memcpy(&ev, buf + at, sizeof ev);
      const char* name_at = buf + at + sizeof ev;
      const size_t name_max = ev.len;
      at += static_cast<ssize_t>(sizeof ev + ev.len);
      if (at > len) break;  // truncated record (only possible from a test pipe)
      std::string name(name_at, strnlen(name_at, name_max));
      Handle(ev.wd, ev.mask, name, now);
    }
  }
  return debounce_.Collect(now, out);
}

void InotifyWatcher::Handle(int wd, uint32_t mask, const std::string& name,
                            std::chrono::milliseconds now) {
  if (mask & IN_Q_OVERFLOW) {  // wd is -1: the queue (fs.inotify.max_queued_events) filled up
    ++overflows_;
    debounce_.RequestRescan(now);
    return;
  }
  if (wd != wd_ || wd_ < 0) return;  // a watch we already dropped
  if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED)) {
    // The folder itself went away (or was renamed: the watch would follow it
    // to its new name, so drop it and wait for the configured path again).
    if (!test_fd_) inotify_rm_watch(fd_, wd_);
    wd_ = -1;
    next_retry_ = now;
    debounce_.RequestRescan(now);
    return;
  }
  if (name.empty() || (mask & IN_ISDIR) || !IsWatchedName(name, options_.suffix)) return;
  if (mask & IN_OPEN) debounce_.Opened(name);
  if (mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) debounce_.Closed(name);
  if (mask & (IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)) debounce_.ForgetOpen(name);
  if (mask & (IN_CREATE | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
              IN_DELETE)) {
    debounce_.Touch(name, now);
  }
}

std::optional<std::chrono::milliseconds> InotifyWatcher::NextPollAt() const {
  std::optional<std::chrono::milliseconds> at = debounce_.NextDue();
  if (wd_ < 0 && !test_fd_) at = at ? std::min(*at, next_retry_) : next_retry_;
  return at;
}

}  // namespace gb::drivers
