// FolderWatcher by periodic scans, for a pattern folder that is itself a
// network mount (NFS, CIFS, FUSE such as smbnetfs or sshfs): inotify only sees
// changes made through this machine's mount, never the server's or other
// clients'. Compares inode, size and mtime/ctime each scan; same debounce,
// ignore rules and events as InotifyWatcher. Control thread only; a scan is
// one readdir and one stat per watched file (cheap for a folder of patterns,
// but it is network I/O: keep poll_interval >= 250 ms).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/watch/file_debounce.h"
#include "drivers/watch/folder_watcher.h"

namespace gb::drivers {

class PollingWatcher final : public FolderWatcher {
 public:
  // Scans once now, to learn what is already there (no events for it).
  explicit PollingWatcher(std::filesystem::path folder, WatchOptions options = {});

  // Scans when poll_interval has passed since the last scan, then reports.
  // A file is reported at the first scan that finds it unchanged for at
  // least `quiet` (so at least one interval after its last change).
  bool Poll(std::vector<FileEvent>& out, std::chrono::milliseconds now) override;
  std::optional<std::chrono::milliseconds> NextPollAt() const override;

  int scans() const { return scans_; }
  // False while the folder cannot be listed (unmounted, server gone): files
  // are not reported removed then; kRescan marks losing and regaining it.
  bool folder_ok() const { return folder_ok_; }

 private:
  using Snapshot = std::map<std::string, FileSignature>;
  bool Scan(Snapshot& snap) const;  // false: folder unreadable

  std::filesystem::path folder_;
  WatchOptions options_;
  FileDebounce debounce_;
  Snapshot last_;  // previous scan
  std::optional<std::chrono::milliseconds> last_scan_;
  bool folder_ok_ = true;
  int scans_ = 0;
};

}  // namespace gb::drivers
