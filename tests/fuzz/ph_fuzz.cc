// libFuzzer target: arbitrary bytes as a pattern file. Compiling must either
// succeed or report an error with a position inside the file; a compiled
// scene must turn into an engine program (or a clear error), print its events
// and play a few blocks. Anything else (crash, sanitizer report, hang, leak,
// an exception escaping) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsp/kit/sample_source.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/describe.h"
#include "firmware/lang/ph_compile.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gb::fw;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CompileOptions opt;
  opt.check_cycles = 2;
  opt.max_events_per_cycle = 512;
  CompileResult r = CompileText(text, "fuzz.ph", opt);
  if (!r.ok()) {
    if (r.error.message.empty()) fuzz::Broken("a compile error without a message");
    if (r.error.loc.offset > size) fuzz::Broken("a compile error positioned past the end of the file");
    return 0;
  }
  std::string json, err;
  (void)SceneEventsJson(*r.scene, Rational(2), &json, &err);
  auto program = BuildEngineProgram(r.scene, &err);
  if (!program) {
    if (err.empty()) fuzz::Broken("an engine-program error without a message");
    return 0;
  }
  static gb::dsp::SampleBank no_samples;
  EngineConfig cfg;
  cfg.max_block = 64;
  cfg.voices = 64;
  cfg.threads = 1;
  cfg.sounds = &no_samples;
  Engine engine(cfg);
  if (!engine.SetProgram(program, &err)) return 0;
  std::vector<float> l(64), rr(64);
  for (int b = 0; b < 8; ++b) engine.Render(64, l.data(), rr.data());
  return 0;
}
