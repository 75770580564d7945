// Syntax tree of a pattern file (`*.ph`, LANGUAGE.md §1-2). Built by
// ph_parser, consumed by ph_compile. Control thread only.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gb::fw::ph {

struct Loc {
  int line = 0;    // 1-based
  int col = 0;     // 1-based, in bytes
  size_t offset = 0;  // byte offset in the file
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kNumber,  // 120, -0.5
    kString,  // "bd*2 sn": mini-notation
    kIdent,   // fast, rev, saw
    kBus,     // ~lfo
    kApply,   // f a b :kw c   (args[0] is the head)
    kBinary,  // a # b, a + b ...
    kDollar,  // a $ b $ c (resolved by what each side is)
  };
  Kind kind;
  Loc loc;
  double number = 0;
  std::string text;  // identifier, bus name (without ~), string contents
  char op = 0;       // '#', '+', '-', '*', '/'
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<Loc> kwarg_locs;
};

struct Statement {
  enum class Kind { kAssign, kHush } kind = Kind::kAssign;
  std::string target;  // "bpm", "out", "o3", "~lfo"
  Loc loc;
  ExprPtr expr;
  int hush_output = -1;  // kHush: -1 everything, else the output number
};

struct File {
  std::vector<Statement> statements;
};

}  // namespace gb::fw::ph
