// The named pattern transforms of LANGUAGE.md §7 (fast, every, jux, chunk ...)
// as a registry shared by the `.ph` compiler and `groovebox events
// --transform`. Each takes pattern arguments (numbers, mini-notation or
// patterns: `fast "<1 2>"`) and/or function arguments (`every 3 (fast 2)`),
// and returns a pattern -> pattern function. Control thread only.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/pattern/pattern.h"

namespace gb::fw {

using PatternFn = std::function<PatternRef(PatternRef)>;

enum class ParamKind { kPattern, kFunction };

struct TransformArg {
  PatternRef pat;  // kPattern
  PatternFn fn;    // kFunction
};

struct TransformSpec {
  std::string_view name;
  std::vector<ParamKind> params;
  std::string_view help;  // "every n f: apply f in cycles 0, n, 2n ..."
  // Builds the transform; throws std::invalid_argument on a bad constant.
  std::function<PatternRef(const std::vector<TransformArg>&, PatternRef)> build;
};

const TransformSpec* FindTransform(std::string_view name);
const std::vector<TransformSpec>& AllTransforms();

class TransformError : public std::runtime_error {
 public:
  TransformError(size_t offset, const std::string& msg) : std::runtime_error(msg), offset_(offset) {}
  size_t offset() const { return offset_; }

 private:
  size_t offset_;
};

// Parses the small transform expressions of the reference data and of the
// command line: `every 3 (fast 2)`, `fast "<1 2>"`, `off 0.25 (add 12)`,
// `echo 3 1/8 0.5`, `rev`. Throws TransformError.
PatternFn ParseTransformExpr(std::string_view text);

}  // namespace gb::fw
