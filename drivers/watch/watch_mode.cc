// statfs-based choice between InotifyWatcher and PollingWatcher. The magic
// numbers are linux/magic.h's (spelled out: not every libc ships them all).
#include "drivers/watch/watch_mode.h"

#include <sys/vfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "drivers/watch/inotify_watcher.h"
#include "drivers/watch/polling_watcher.h"

namespace gb::drivers {

bool IsRemoteFsMagic(long f_type, const char** fs_name) {
  struct Fs {
    unsigned long magic;
    const char* name;
  };
  static constexpr Fs kRemote[] = {
      {0x6969, "nfs"},         {0x517B, "smb"},          {0xFF534D42, "cifs"},
      {0xFE534D42, "smb2"},    {0x65735546, "fuse"},     {0x01021997, "9p"},
      {0x00C36400, "ceph"},    {0x73757245, "coda"},     {0x5346414F, "afs"},
      {0x6B414653, "kafs"},    {0x01161970, "gfs2"},     {0x7461636F, "ocfs2"},
      {0x0BD00BD0, "lustre"},
  };
  // f_type is a signed long filled from a 32-bit value: compare the low bits.
  const unsigned long type = static_cast<unsigned long>(f_type) & 0xFFFFFFFFul;
  for (const Fs& fs : kRemote) {
    if (fs.magic == type) {
      if (fs_name) *fs_name = fs.name;
      return true;
    }
  }
  return false;
}

WatchChoice ChooseWatchMode(const std::filesystem::path& folder, WatchMode requested) {
  if (requested == WatchMode::kInotify) return {WatchMode::kInotify, "inotify: configured"};
  if (requested == WatchMode::kPolling) return {WatchMode::kPolling, "polling: configured"};
  std::filesystem::path probe = folder.empty() ? std::filesystem::path(".") : folder;
  struct statfs fs {};
  while (statfs(probe.c_str(), &fs) != 0) {
    const int e = errno;
    if (e != ENOENT || !probe.has_parent_path() || probe.parent_path() == probe) {
      return {WatchMode::kInotify,
              "inotify: cannot statfs " + folder.string() + " (" + std::strerror(e) + ")"};
    }
    probe = probe.parent_path();
  }
  const char* name = nullptr;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type) & 0xFFFFFFFFul);
  if (IsRemoteFsMagic(static_cast<long>(fs.f_type), &name)) {
    return {WatchMode::kPolling, "polling: " + probe.string() + " is on " + name + " (" + hex +
                                     "), where inotify misses other machines' changes"};
  }
  return {WatchMode::kInotify, "inotify: " + probe.string() + " is a local file system (" + hex + ")"};
}

OpenWatcherResult OpenFolderWatcher(const std::filesystem::path& folder, WatchMode requested,
                                    const WatchOptions& options) {
  OpenWatcherResult result;
  WatchChoice choice = ChooseWatchMode(folder, requested);
  result.notes.push_back(choice.reason);
  if (choice.mode == WatchMode::kInotify) {
    InotifyWatcher::OpenResult r = InotifyWatcher::Open(folder, options);
    if (!r.warning.empty()) result.notes.push_back(r.warning);
    if (r.watcher) {
      result.watcher = std::move(r.watcher);
      result.mode = WatchMode::kInotify;
      return result;
    }
    result.notes.push_back(r.error + "; falling back to polling");
  }
  result.watcher = std::make_unique<PollingWatcher>(folder, options);
  result.mode = WatchMode::kPolling;
  return result;
}

}  // namespace gb::drivers
