// PollingWatcher: diff successive scans, feed differences to the shared
// per-file debounce. Control thread only.
#include "drivers/watch/polling_watcher.h"

#include <dirent.h>

#include <memory>
#include <utility>

namespace gb::drivers {

PollingWatcher::PollingWatcher(std::filesystem::path folder, WatchOptions options)
    : folder_(std::move(folder)), options_(options), debounce_(folder_, options_) {
  folder_ok_ = Scan(last_);
  debounce_.Baseline();
}

bool PollingWatcher::Scan(Snapshot& snap) const {
  snap.clear();
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(folder_.c_str()), closedir);
  if (!dir) return false;
  while (const dirent* e = readdir(dir.get())) {
    const std::string_view name = e->d_name;
    if (!IsWatchedName(name, options_.suffix)) continue;
    int error = 0;
    if (auto sig = StatSignature(folder_ / name, &error)) snap.emplace(name, *sig);
  }
  return true;
}

bool PollingWatcher::Poll(std::vector<FileEvent>& out, std::chrono::milliseconds now) {
  if (last_scan_ && now < *last_scan_ + options_.poll_interval) return false;
  last_scan_ = now;
  ++scans_;
  Snapshot snap;
  const bool ok = Scan(snap);
  if (ok != folder_ok_) {
    // Lost or regained the folder (a mount dropping out): say so once and
    // let the caller list it, rather than reporting every file removed.
    folder_ok_ = ok;
    debounce_.RequestRescan(now);
    if (ok) last_ = std::move(snap);
    return debounce_.Collect(now, out);
  }
  if (!ok) return debounce_.Collect(now, out);
  // Any difference from the previous scan restarts that file's quiet time.
  for (const auto& [name, sig] : snap) {
    auto it = last_.find(name);
    if (it == last_.end() || !(it->second == sig)) debounce_.Touch(name, now);
  }
  for (const auto& [name, sig] : last_) {
    if (snap.count(name) == 0) debounce_.Touch(name, now);
  }
  last_ = std::move(snap);
  // Reports only happen at scan times, so a file still being written between
  // scans is never reported on a stat taken mid-write alone.
  return debounce_.Collect(now, out);
}

std::optional<std::chrono::milliseconds> PollingWatcher::NextPollAt() const {
  if (!last_scan_) return std::chrono::milliseconds{0};
  return *last_scan_ + options_.poll_interval;
}

}  // namespace gb::drivers
