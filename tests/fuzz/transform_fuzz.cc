// libFuzzer target: arbitrary bytes as a transform expression (`every 3
// (fast 2)`, `off 0.25 (add 12)` ...), applied to two fixed patterns and
// queried. A TransformError is the expected answer to bad input; anything
// else (crash, sanitizer report, hang, leak, an exception while applying a
// transform that parsed, a broken query contract) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmware/pattern/mini.h"
#include "firmware/pattern/transforms.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

// Plain values (words, numbers, tails, note names) and control maps, so that
// both arithmetic transforms and control transforms (jux, chop) have work.
const gb::fw::PatternRef& PlainPattern() {
  static const gb::fw::PatternRef p =
      gb::fw::ParseMini("[bd*2 [~ sn:3] <hh [cp cp]>, 0 .. 3, <c4 e4?> g3]").pattern;
  return p;
}
const gb::fw::PatternRef& ControlPattern() {
  static const gb::fw::PatternRef p =
      gb::fw::ParseTransformExpr("s")(gb::fw::ParseMini("bd(3,8,<0 2>) [~ sn:2] hh*4?").pattern);
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gb::fw;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  PatternFn fn;
  try {
    fn = ParseTransformExpr(text);
  } catch (const TransformError& e) {
    if (e.offset() > size) fuzz::Broken("TransformError offset past the end of the input");
    return 0;
  }
  for (const PatternRef* base : {&PlainPattern(), &ControlPattern()}) {
    PatternRef pat = fn(*base);  // must not throw: ParseTransformExpr validated it
    if (!pat) fuzz::Broken("a transform returned a null pattern");
    fuzz::QueryAndCheck(*pat);
  }
  return 0;
}
