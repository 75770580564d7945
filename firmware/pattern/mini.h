// Mini-notation (the language inside double quotes) to a pattern, with
// Strudel 1.2.6's grammar and semantics plus Phonon's additions (`~name` bus
// references as words, chords like `c4'min7` as words). Control thread only:
// parsing allocates and throws MiniError, which carries the byte offset.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/pattern/pattern.h"

namespace gb::fw {

class MiniError : public std::runtime_error {
 public:
  MiniError(size_t offset, const std::string& msg) : std::runtime_error(msg), offset_(offset) {}
  size_t offset() const { return offset_; }  // byte offset into the mini string

 private:
  size_t offset_;
};

struct MiniLimits {
  size_t max_length = 1 << 20;  // bytes
  int max_depth = 64;           // nested brackets and operator arguments
  double max_factor = 1e6;      // |x| for *, /, !, @, %, euclid steps
};

struct MiniWord {
  std::string text;
  size_t offset;
};

struct MiniResult {
  PatternRef pattern;
  Rational steps;                  // Strudel's tactus of the top level
  std::vector<MiniWord> words;     // every word that became a value (for checks)
};

MiniResult ParseMini(std::string_view text, const MiniLimits& limits = {});

// JavaScript's Number(text) for a word; false if it is NaN (stays a string).
bool JsNumber(std::string_view text, double* out);

}  // namespace gb::fw
