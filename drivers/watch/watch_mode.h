// Which folder watcher fits a folder: inotify for local file systems, polling
// where the folder is itself a network or FUSE mount (inotify is blind to the
// server's changes there). Decided from statfs()'s f_type, overridable from
// the configuration ([patterns] poll_ms > 0 forces polling). Control thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "drivers/watch/folder_watcher.h"

namespace gb::drivers {

enum class WatchMode { kAuto, kInotify, kPolling };

// True for the statfs magic numbers of network and user-space file systems:
// NFS, SMB/CIFS/SMB2, FUSE (smbnetfs, sshfs, rclone...), 9p, Ceph, Coda,
// AFS, GFS2, OCFS2, Lustre. `fs_name` (may be null) gets a short name.
bool IsRemoteFsMagic(long f_type, const char** fs_name = nullptr);

struct WatchChoice {
  WatchMode mode = WatchMode::kInotify;  // never kAuto
  std::string reason;                    // for the log: "polling: /x is cifs"
};

// `requested` other than kAuto wins. kAuto looks at the folder, or at its
// nearest existing parent when it does not exist yet.
WatchChoice ChooseWatchMode(const std::filesystem::path& folder, WatchMode requested);

struct OpenWatcherResult {
  std::unique_ptr<FolderWatcher> watcher;  // never null
  WatchMode mode = WatchMode::kInotify;
  std::vector<std::string> notes;          // the choice, fallbacks, a missing folder
};

// Chooses and opens. If inotify cannot be had (instance or watch limits),
// falls back to polling and says so in `notes`: watching never fails.
OpenWatcherResult OpenFolderWatcher(const std::filesystem::path& folder, WatchMode requested,
                                    const WatchOptions& options = {});

}  // namespace gb::drivers
