// FolderWatcher on Linux inotify, for a local pattern folder (the one smbd
// serves). One watch on the folder itself, not recursive. Reads are
// non-blocking; WaitFd() is the inotify descriptor for poll()/epoll.
// Control thread only. inotify does not see changes made by other machines
// to a network mount: use PollingWatcher there (ChooseWatchMode decides).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/watch/file_debounce.h"
#include "drivers/watch/folder_watcher.h"

namespace gb::drivers {

class InotifyWatcher final : public FolderWatcher {
 public:
  struct OpenResult {
    std::unique_ptr<InotifyWatcher> watcher;  // null only when inotify itself failed
    std::string error;                        // why it is null
    // Not fatal: the folder is missing (watched for once it appears, retried
    // every options.poll_interval, reported as kRescan when it does).
    std::string warning;
  };
  static OpenResult Open(const std::filesystem::path& folder, WatchOptions options = {});

  // Test seam: parse raw `struct inotify_event` records from `fd` (a pipe the
  // test writes) instead of a real inotify instance; takes ownership. The
  // folder is still stat()ed for the final state. Lets tests inject
  // IN_Q_OVERFLOW and replay recorded sequences byte for byte.
  static std::unique_ptr<InotifyWatcher> OpenOnFdForTesting(int fd, int wd,
                                                            const std::filesystem::path& folder,
                                                            WatchOptions options = {});

  ~InotifyWatcher() override;
  InotifyWatcher(const InotifyWatcher&) = delete;
  InotifyWatcher& operator=(const InotifyWatcher&) = delete;

  bool Poll(std::vector<FileEvent>& out, std::chrono::milliseconds now) override;
  int WaitFd() const override { return fd_; }
  std::optional<std::chrono::milliseconds> NextPollAt() const override;

  // Counters for logs and tests.
  int overflows() const { return overflows_; }
  bool watching() const { return wd_ >= 0; }

  // The inotify mask used on the folder.
  static uint32_t WatchMask();

 private:
  InotifyWatcher(int fd, std::filesystem::path folder, WatchOptions options);
  bool AddWatch();  // false when the folder is missing (errno kept)
  void Handle(int wd, uint32_t mask, const std::string& name, std::chrono::milliseconds now);

  int fd_ = -1;
  int wd_ = -1;
  bool test_fd_ = false;
  std::filesystem::path folder_;
  WatchOptions options_;
  FileDebounce debounce_;
  std::chrono::milliseconds next_retry_{0};
  int overflows_ = 0;
};

}  // namespace gb::drivers
