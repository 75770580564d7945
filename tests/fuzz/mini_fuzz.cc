// libFuzzer target: arbitrary bytes as mini-notation. A MiniError is the
// expected answer to bad input; anything else (crash, sanitizer report, hang,
// leak, another exception, a broken query contract) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "firmware/pattern/mini.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gb::fw;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  PatternRef pat;
  try {
    pat = ParseMini(text).pattern;
  } catch (const MiniError& e) {
    if (e.offset() > size) fuzz::Broken("MiniError offset past the end of the input");
    return 0;
  }
  if (!pat) fuzz::Broken("ParseMini returned a null pattern");
  fuzz::QueryAndCheck(*pat);
  return 0;
}
