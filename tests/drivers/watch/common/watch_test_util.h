// Helpers for the folder-watcher tests: a self-removing temp folder, file
// operations spelled the way editors and network clients do them, and a loop
// that polls a watcher on the real clock and collects what it reports.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "drivers/watch/folder_watcher.h"

namespace gb::drivers::testing {

class TempFolder {
 public:
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gb_watch_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// open(O_CREAT|O_TRUNC or O_APPEND), one write, close: one CLOSE_WRITE.
inline void WriteFile(const std::filesystem::path& path, const std::string& bytes,
                      bool append = false) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
                      0644);
  if (fd < 0) std::abort();
  if (!bytes.empty() && write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    std::abort();
  }
  close(fd);
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::string s;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return s;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

inline void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Polls `w` every 5 ms on the real clock for `for_ms`, collecting events.
// `on_event` (optional) sees each event as it is reported, while the file is
// as the watcher saw it (a test reads the content there).
template <typename OnEvent>
std::vector<FileEvent> PollFor(FolderWatcher& w, int for_ms, OnEvent on_event) {
  std::vector<FileEvent> all;
  const auto end = SteadyNowMs() + std::chrono::milliseconds(for_ms);
  while (SteadyNowMs() < end) {
    std::vector<FileEvent> got;
    w.Poll(got, SteadyNowMs());
    for (FileEvent& e : got) {
      on_event(e);
      all.push_back(std::move(e));
    }
    SleepMs(5);
  }
  return all;
}
inline std::vector<FileEvent> PollFor(FolderWatcher& w, int for_ms) {
  return PollFor(w, for_ms, [](const FileEvent&) {});
}

}  // namespace gb::drivers::testing
