// Which sound names a pattern file may use: the built-in kit's, plus every
// folder of the sample library that holds at least one audio file. Used to
// reject `s "kik"` at load time. Control thread only (reads directories).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace gb::fw {

class SoundCatalog {
 public:
  // `samples_dir` may be empty or missing: then only the built-in kit.
  explicit SoundCatalog(const std::string& samples_dir);
  bool Has(std::string_view name) const { return names_.count(std::string(name)) > 0; }
  std::function<bool(std::string_view)> Checker() const {
    return [this](std::string_view n) { return Has(n); };
  }
  const std::set<std::string>& names() const { return names_; }

 private:
  std::set<std::string> names_;
};

}  // namespace gb::fw
