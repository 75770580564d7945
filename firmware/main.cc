// groovebox: the command line. One binary: the live daemon (`run`), offline
// renders (`render`), pattern inspection (`events`) and benchmarks (`bench`).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "firmware/cli/commands.h"

namespace {

void Usage(FILE* f) {
  std::fputs(
      "usage: groovebox <command> [options]\n"
      "\n"
      "commands:\n"
      "  events --mini \"STRING\" [--cycles N] [--transform \"EXPR\"]...\n"
      "                        print the onset events of a mini-notation pattern as JSON\n"
      "  events FILE.ph [--cycles N] [--samples DIR]\n"
      "                        print the events of every output of a pattern file as JSON\n"
      "  render FILE.ph OUT.wav [--cycles N | --seconds S] [--rate HZ] [--block FRAMES]\n"
      "         [--threads N] [--samples DIR] [--format f32|s16|s24] [--route oN=C]... [--stats]\n"
      "                        render a pattern file to a WAV file\n"
      "  bench voices --params FILE.json --out OUT.wav [--threads N] [--block FRAMES] [--voices N]\n"
      "                        render a standard voice workload (../shared/bench) and time it\n"
      "  run [--config FILE] [--seconds N]\n"
      "                        play the default scene\n"
      "  check-config FILE     check a configuration file; print every wrong line\n"
      "  help                  this text\n",
      f);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    Usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string_view cmd = args[0];
  args.erase(args.begin());
  if (cmd == "events") return gb::fw::cli::Events(args);
  if (cmd == "run") return gb::fw::cli::Run(args);
  if (cmd == "render") return gb::fw::cli::Render(args);
  if (cmd == "bench") return gb::fw::cli::Bench(args);
  if (cmd == "check-config") return gb::fw::cli::CheckConfig(args);
  std::fprintf(stderr, "groovebox: unknown command '%.*s'\n", static_cast<int>(cmd.size()), cmd.data());
  Usage(stderr);
  return 2;
}
