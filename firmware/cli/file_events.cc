// `groovebox events FILE.ph`: compile a pattern file and print every output's
// events (with their parameters, chords spelled out) as JSON.
#include <cstdio>
#include <string>

#include "firmware/cli/commands.h"
#include "firmware/app/sounds.h"
#include "firmware/lang/describe.h"
#include "firmware/lang/ph_compile.h"

namespace gb::fw::cli {

int EventsOfFile(std::string_view path, Rational cycles, const std::string& samples_dir) {
  SoundCatalog sounds(samples_dir);
  CompileOptions opt;
  opt.sound_exists = sounds.Checker();
  CompileResult r = CompileFile(std::string(path), opt);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.error.ToString().c_str());
    return 2;
  }
  std::string out, error;
  if (!SceneEventsJson(*r.scene, cycles, &out, &error)) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(path.size()), path.data(), error.c_str());
    return 2;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace gb::fw::cli
