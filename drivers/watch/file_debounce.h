// The per-file debounce both folder watchers share. Watchers say "something
// happened to NAME at NOW" (Touch); once a name has been quiet long enough,
// Collect stats it and reports what is on disk then, so the event sequence in
// between (create, truncate, rename over, delete and recreate) never matters:
// present -> kChanged, gone -> kRemoved (if it was ever known), and nothing at
// all when the file is byte-for-byte the same inode, size and times as last
// reported (a save that changed nothing, a close with no write).
// CONTROL THREAD ONLY (stats files, allocates).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/watch/folder_watcher.h"

namespace gb::drivers {

// What identifies a version of a file without reading it. Timestamps in ns.
struct FileSignature {
  dev_t dev = 0;
  ino_t ino = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileSignature&) const = default;
};

// Stats `path` (following symlinks). nullopt when it is missing or not a
// regular file. `error` is set (errno) for failures other than "missing".
std::optional<FileSignature> StatSignature(const std::filesystem::path& path, int* error);

class FileDebounce {
 public:
  using ms = std::chrono::milliseconds;

  FileDebounce(std::filesystem::path folder, WatchOptions options);

  // Records the files on disk now as already known (no events for them).
  void Baseline();
  // Activity on a watched name at `now`: restarts its quiet time.
  void Touch(const std::string& name, ms now);
  // A writer opened / closed the file (inotify OPEN, CLOSE_*). Counts only;
  // while the count is above zero, the name needs open_quiet to be reported.
  void Opened(const std::string& name);
  void Closed(const std::string& name);
  // The name now refers to another inode (or none): forget its open count.
  void ForgetOpen(const std::string& name);
  // Events were lost: report kRescan once the folder has been quiet, then
  // Baseline() again; pending names are dropped (the rescan covers them).
  void RequestRescan(ms now);

  // Appends every event that is ready at `now`. Returns true if any.
  bool Collect(ms now, std::vector<FileEvent>& out);
  // The earliest time Collect could report something; nullopt: nothing pending.
  std::optional<ms> NextDue() const;

  bool HasPending() const { return !pending_.empty() || rescan_; }
  const std::filesystem::path& folder() const { return folder_; }

 private:
  struct Pending {
    ms last{0};  // last activity
    ms due{0};   // earliest report time given what was on disk at the last check
  };

  std::filesystem::path folder_;
  WatchOptions options_;
  std::map<std::string, Pending> pending_;
  std::map<std::string, int> open_;                 // names with writers, count > 0
  std::map<std::string, FileSignature> known_;      // as last reported / baselined
  bool rescan_ = false;
  ms rescan_requested_{0};
  ms last_activity_{0};                             // any Touch or overflow
};

}  // namespace gb::drivers
