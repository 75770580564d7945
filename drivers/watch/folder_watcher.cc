// Which names in the pattern folder are patterns, which are the leftovers of
// editors and network clients, and the shared per-file debounce. The ignore
// list comes from ../shared/rigs/samba_events_demo.sh runs (smbclient, cp,
// sed -i, rsync, vim through smbnetfs) plus the well-known editor and OS names.
// Control thread only.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <utility>

#include "drivers/watch/file_debounce.h"
#include "drivers/watch/folder_watcher.h"

namespace gb::drivers {
namespace {

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

int64_t Ns(const timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; }

}  // namespace

bool IsIgnoredName(std::string_view name) {
  if (name.empty()) return true;
  // Dot files: every hidden temp name seen in the rig (rsync `.c.pat.65j7cL`,
  // vim `.c.ph.swp`/`.swx`, the `.b.tmp` of a put-then-rename) and the usual
  // ones (`._x` AppleDouble from macOS over SMB, `.#x` emacs lock symlinks,
  // `.~lock.x#` LibreOffice, `.goutputstream-*` GVFS, `.DS_Store`).
  if (name.front() == '.') return true;
  // `~$x` Office owner files, `~WRL0001.tmp`; `#x#` emacs auto-save.
  if (name.front() == '~' || name.front() == '#' || name.back() == '#') return true;
  if (name.back() == '~') return true;  // vim/emacs backups
  // ':' only appears in NTFS alternate-data-stream files a Samba stream module
  // may create (`x.ph:AFP_AfpInfo`); a Windows client cannot name a file so.
  if (name.find(':') != std::string_view::npos) return true;
  // macOS sandboxed apps save to `x.ph.sb-<hex>-<random>` and rename.
  if (name.find(".sb-") != std::string_view::npos) return true;
  static constexpr std::array<std::string_view, 13> kTempTails = {
      ".swp", ".swo", ".swx", ".swn", ".tmp", ".temp", ".bak", ".part",
      ".crdownload", ".kate-swp", "___jb_tmp___", "___jb_old___", ".orig"};
  for (std::string_view tail : kTempTails) {
    if (EndsWith(name, tail)) return true;
  }
  return false;
}

bool IsWatchedName(std::string_view name, std::string_view suffix) {
  return name.size() > suffix.size() && EndsWith(name, suffix) && !IsIgnoredName(name);
}

std::vector<std::string> ListWatchedFiles(const std::filesystem::path& folder,
                                          std::string_view suffix) {
  std::vector<std::string> names;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(folder.c_str()), closedir);
  if (!dir) return names;
  while (const dirent* e = readdir(dir.get())) {
    std::string_view name = e->d_name;
    if (!IsWatchedName(name, suffix)) continue;
    int error = 0;
    if (StatSignature(folder / name, &error)) names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<FileSignature> StatSignature(const std::filesystem::path& path, int* error) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (error) *error = (errno == ENOENT || errno == ENOTDIR) ? 0 : errno;
    return std::nullopt;
  }
  if (error) *error = 0;
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  return FileSignature{st.st_dev, st.st_ino, int64_t{st.st_size}, Ns(st.st_mtim), Ns(st.st_ctim)};
}

FileDebounce::FileDebounce(std::filesystem::path folder, WatchOptions options)
    : folder_(std::move(folder)), options_(std::move(options)) {}

void FileDebounce::Baseline() {
  known_.clear();
  for (const std::string& name : ListWatchedFiles(folder_, options_.suffix)) {
    int error = 0;
    if (auto sig = StatSignature(folder_ / name, &error)) known_[name] = *sig;
  }
}

void FileDebounce::Touch(const std::string& name, ms now) {
  Pending& p = pending_[name];
  p.last = now;
  p.due = now + options_.quiet;
  last_activity_ = std::max(last_activity_, now);
}

void FileDebounce::Opened(const std::string& name) { ++open_[name]; }

void FileDebounce::Closed(const std::string& name) {
  // inotify merges identical consecutive events, so two OPENs may arrive as
  // one; never go below zero (a file opened before we started closes too).
  auto it = open_.find(name);
  if (it != open_.end() && --it->second <= 0) open_.erase(it);
}

void FileDebounce::ForgetOpen(const std::string& name) { open_.erase(name); }

void FileDebounce::RequestRescan(ms now) {
  if (!rescan_) rescan_requested_ = now;
  rescan_ = true;
  last_activity_ = std::max(last_activity_, now);
}

std::optional<FileDebounce::ms> FileDebounce::NextDue() const {
  std::optional<ms> due;
  auto take = [&due](ms t) { due = due ? std::min(*due, t) : t; };
  if (rescan_) {
    take(std::min(last_activity_ + options_.quiet, rescan_requested_ + options_.rescan_max_delay));
  }
  for (const auto& [name, p] : pending_) take(p.due);
  return due;
}

bool FileDebounce::Collect(ms now, std::vector<FileEvent>& out) {
  const size_t before = out.size();
  if (rescan_) {
    if (now >= last_activity_ + options_.quiet ||
        now >= rescan_requested_ + options_.rescan_max_delay) {
      rescan_ = false;
      pending_.clear();
      open_.clear();  // counts are meaningless after lost events
      Baseline();
      out.push_back({FileEvent::kRescan, {}});
    }
    return out.size() > before;  // nothing else is reported while one is pending
  }

  struct Ready {
    ms due;
    FileEvent event;
  };
  std::vector<Ready> ready;
  for (auto it = pending_.begin(); it != pending_.end();) {
    const std::string& name = it->first;
    Pending& p = it->second;
    if (now < p.due) {
      ++it;
      continue;
    }
    int error = 0;
    const std::optional<FileSignature> sig = StatSignature(folder_ / name, &error);
    // The quiet time this file needs, given what is on disk now.
    ms need = options_.quiet;
    if (open_.count(name) != 0) need = std::max(need, options_.open_quiet);
    if (sig && sig->size == 0) need = std::max(need, options_.empty_quiet);
    if (now < p.last + need) {
      p.due = p.last + need;
      ++it;
      continue;
    }
    const ms due = p.due;
    auto known = known_.find(name);
    if (error != 0) {
      // Unreadable metadata (EACCES, EIO): let the caller try, and fail loudly.
      if (known != known_.end()) known_.erase(known);
      ready.push_back({due, {FileEvent::kChanged, name}});
    } else if (!sig) {
      if (known != known_.end()) {
        known_.erase(known);
        ready.push_back({due, {FileEvent::kRemoved, name}});
      }
    } else if (known == known_.end() || !(known->second == *sig)) {
      known_[name] = *sig;
      ready.push_back({due, {FileEvent::kChanged, name}});
    }
    it = pending_.erase(it);
  }
  std::stable_sort(ready.begin(), ready.end(),
                   [](const Ready& a, const Ready& b) { return a.due < b.due; });
  for (Ready& r : ready) out.push_back(std::move(r.event));
  return out.size() > before;
}

}  // namespace gb::drivers
