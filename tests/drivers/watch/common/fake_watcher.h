// FakeWatcher: an in-memory FolderWatcher for tests of code that reacts to
// pattern files changing (the daemon, scene reloads). Events are scripted
// with the time they become ready; Poll hands out those whose time has come,
// in script order. Header-only, no file system, no inotify. Single thread.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "drivers/watch/folder_watcher.h"

namespace gb::drivers::testing {

class FakeWatcher final : public FolderWatcher {
 public:
  using ms = std::chrono::milliseconds;

  // Script an event, ready from `at` on (default: at once).
  void Push(FileEvent event, ms at = ms{0}) { script_.push_back({at, std::move(event)}); }
  void Changed(const std::string& name, ms at = ms{0}) { Push({FileEvent::kChanged, name}, at); }
  void Removed(const std::string& name, ms at = ms{0}) { Push({FileEvent::kRemoved, name}, at); }
  void Rescan(ms at = ms{0}) { Push({FileEvent::kRescan, {}}, at); }

  bool Poll(std::vector<FileEvent>& out, ms now) override {
    ++polls_;
    const size_t before = out.size();
    // In script order: an event scripted later never overtakes an earlier one.
    while (!script_.empty() && script_.front().at <= now) {
      out.push_back(std::move(script_.front().event));
      script_.pop_front();
    }
    return out.size() > before;
  }
  std::optional<ms> NextPollAt() const override {
    if (script_.empty()) return std::nullopt;
    return script_.front().at;
  }

  size_t pending() const { return script_.size(); }
  int polls() const { return polls_; }

 private:
  struct Scripted {
    ms at;
    FileEvent event;
  };
  std::deque<Scripted> script_;
  int polls_ = 0;
};

}  // namespace gb::drivers::testing
