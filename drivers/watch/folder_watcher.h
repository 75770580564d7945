// The pattern-folder watcher interface: which `*.ph` files changed or went
// away, reported once per burst (editors and Samba touch a file several times
// per save). Implemented by InotifyWatcher (local folders), PollingWatcher
// (network mounts, where inotify is blind) and tests' FakeWatcher.
// CONTROL THREAD ONLY: the watchers stat files and allocate.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gb::drivers {

struct FileEvent {
  // kChanged: the file exists and its content may differ from what was last
  //   reported (read it; it may be incomplete, e.g. a cut-off upload).
  // kRemoved: a file reported before (or present when the watcher started) is
  //   gone (deleted, or renamed to a name that is not watched).
  // kRescan: events were lost (inotify queue overflow) or the folder itself
  //   went away or came back; list the folder again. `name` is empty.
  enum Kind { kChanged, kRemoved, kRescan } kind = kChanged;
  std::string name;  // relative to the folder, e.g. "house.ph"

  bool operator==(const FileEvent&) const = default;
};

struct WatchOptions {
  // A file is reported once nothing has happened to it for this long.
  // The rig's slowest burst (smbd's 20 MB upload) has 125 ms between
  // CREATE and the first MODIFY; every other sequence is under 25 ms.
  std::chrono::milliseconds quiet{150};
  // The quiet time while someone still holds the file open for writing
  // (inotify only: OPEN seen, no CLOSE yet): a stalled upload is not reported
  // half-done unless it stalls this long. A client that dies mid-upload is
  // reported at once: smbd closes its files when the connection drops.
  std::chrono::milliseconds open_quiet{2000};
  // The quiet time for a zero-length file. vim writing through smbnetfs (a
  // FUSE SMB client) truncates the file, leaves it empty for 4.2 s, then
  // writes it; an empty pattern is rarely what a user means. 0: off.
  std::chrono::milliseconds empty_quiet{5000};
  // After an overflow the rescan waits for the folder to be quiet, but never
  // longer than this.
  std::chrono::milliseconds rescan_max_delay{2000};
  // PollingWatcher: time between scans. InotifyWatcher: time between retries
  // while the folder is missing.
  std::chrono::milliseconds poll_interval{500};
  // Only names ending in this (exactly, case-sensitive) are watched.
  std::string suffix = ".ph";
};

class FolderWatcher {
 public:
  virtual ~FolderWatcher() = default;
  // Non-blocking. Takes in what the OS reported, appends the events that are
  // ready (each file quiet for WatchOptions::quiet) to `out`, in the order
  // they became ready, and returns true if it appended any. `now` is
  // SteadyNowMs() (or a test's clock); it must not go backwards.
  virtual bool Poll(std::vector<FileEvent>& out, std::chrono::milliseconds now) = 0;
  // Becomes readable when there is news for Poll (inotify); -1: none, rely on
  // NextPollAt alone. The caller never reads it.
  virtual int WaitFd() const { return -1; }
  // When Poll must next be called even if WaitFd stays silent: a debounce
  // expiring, a scan or retry falling due. nullopt: only when WaitFd wakes.
  virtual std::optional<std::chrono::milliseconds> NextPollAt() const { return std::nullopt; }
};

// steady_clock (CLOCK_MONOTONIC) since its epoch, in whole milliseconds.
inline std::chrono::milliseconds SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
}

// True for the leftovers of editors, sync tools and network clients, whatever
// their suffix: dot files (`.x`, `._x.ph` AppleDouble, `.#x.ph` emacs lock,
// `.~lock.x.ph#` LibreOffice, rsync's `.x.ph.AbC123`, vim's `.x.ph.swp`,
// `.goutputstream-*`), `~$x.ph` (Office owner file), `x~`, `#x#`, `*.swp`
// `*.swo` `*.swx`, `*.tmp` `*.temp` `*.bak` `*.part` `*.crdownload`
// `*.kate-swp`, `*___jb_tmp___` `*___jb_old___`, macOS atomic saves
// (`x.ph.sb-…`), names with ':' (NTFS stream files), and empty names.
bool IsIgnoredName(std::string_view name);

// A pattern file the watchers report: ends in `suffix` after a non-empty stem,
// and is not ignored.
bool IsWatchedName(std::string_view name, std::string_view suffix = ".ph");

// The watched regular files now in `folder`, sorted by byte order: what a
// caller loads at start and after kRescan. Missing folder: empty.
std::vector<std::string> ListWatchedFiles(const std::filesystem::path& folder,
                                          std::string_view suffix = ".ph");

}  // namespace gb::drivers
