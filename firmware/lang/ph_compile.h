// Pattern file -> Scene. Checks everything a file can get wrong (unknown
// functions, wrong arity or kinds, undefined buses and sounds, absurd values,
// too many events per cycle) and reports the first problem as
// "file:line:col: what was expected". Control thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "firmware/lang/ph_parser.h"
#include "firmware/lang/scene.h"

namespace gb::fw {

struct CompileOptions {
  ph::Limits limits;
  // Returns true if a sound (sample folder or built-in kit name) exists; when
  // unset, sound names are not checked.
  std::function<bool(std::string_view)> sound_exists;
  uint32_t max_events_per_cycle = 4096;
  int check_cycles = 8;  // cycles queried at compile time to enforce the bound
};

struct CompileError {
  std::string file;
  ph::Loc loc;
  std::string message;
  std::string ToString() const;  // "file:line:col: message"
};

struct CompileResult {
  std::shared_ptr<const Scene> scene;  // null on error
  CompileError error;
  bool ok() const { return scene != nullptr; }
};

CompileResult CompileText(std::string_view text, std::string_view file_name, const CompileOptions& opt = {});
// Reads the file (refusing ones over the size limit before reading them).
CompileResult CompileFile(const std::string& path, const CompileOptions& opt = {});

// Names the language knows, for docs and suggestions.
std::vector<std::string> KnownFunctionNames();

}  // namespace gb::fw
