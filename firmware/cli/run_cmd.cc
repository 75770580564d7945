// `groovebox run`: until the live daemon lands (ALSA, watched folder,
// buttons), shows the default scene the best way the code can: its events for
// two cycles, then a render of four cycles to groovebox-default.wav with the
// engine's block-time figures.
#include <cstdio>
#include <string>

#include "firmware/cli/commands.h"
#include "firmware/pattern/rational.h"

namespace gb::fw::cli {

int EventsOfFile(std::string_view path, Rational cycles, const std::string& samples_dir);

int Run(const Args& args) {
  (void)args;
  std::fprintf(stderr, "groovebox run: the live daemon is not built yet; showing the default scene (%s)\n",
               GB_DEFAULT_SCENE);
  int rc = EventsOfFile(GB_DEFAULT_SCENE, Rational(2), "");
  if (rc != 0) return rc;
  std::fprintf(stderr, "groovebox run: rendering 4 cycles of it to groovebox-default.wav\n");
  Args render = {GB_DEFAULT_SCENE, "groovebox-default.wav", "--cycles", "4", "--stats"};
  return Render(render);
}

}  // namespace gb::fw::cli
