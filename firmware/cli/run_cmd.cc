// `groovebox run`: until the live daemon lands, shows the default scene the
// best way the code can: its events.
#include <cstdio>
#include <string>

#include "firmware/cli/commands.h"
#include "firmware/pattern/rational.h"

namespace gb::fw::cli {

int EventsOfFile(std::string_view path, Rational cycles, const std::string& samples_dir);

int Run(const Args& args) {
  (void)args;
  std::fprintf(stderr, "groovebox run: the live daemon is not built yet; showing the default scene's events\n");
  return EventsOfFile(GB_DEFAULT_SCENE, Rational(2), "");
}

}  // namespace gb::fw::cli
