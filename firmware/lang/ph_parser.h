// Parser for pattern files: statements, continuation lines, `--` comments,
// operators `$ # + - * /`, application by juxtaposition and `:name` keyword
// arguments. Errors carry line and column. Bounded: file size, nesting depth.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "firmware/lang/ph_ast.h"

namespace gb::fw::ph {

struct Limits {
  size_t max_file_bytes = 1 << 20;
  int max_depth = 64;
  size_t max_statements = 4096;
};

class Error : public std::runtime_error {
 public:
  Error(Loc loc, const std::string& msg) : std::runtime_error(msg), loc_(loc) {}
  const Loc& loc() const { return loc_; }

 private:
  Loc loc_;
};

// Throws Error.
File Parse(std::string_view text, const Limits& limits = {});

// Line and column (1-based) of a byte offset in `text`.
Loc LocAt(std::string_view text, size_t offset);

}  // namespace gb::fw::ph
