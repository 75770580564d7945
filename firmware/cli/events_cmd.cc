// `groovebox events`: the onset events of a mini-notation string (with
// optional transforms, as in the reference data) or of a .ph file, as JSON.
#include <charconv>
#include <cstdio>
#include <string>

#include "firmware/cli/commands.h"
#include "firmware/pattern/events.h"
#include "firmware/pattern/mini.h"
#include "firmware/pattern/transforms.h"

namespace gb::fw::cli {

namespace {

bool ParseCycles(std::string_view s, Rational* out) {
  auto r = Rational::ParseDecimal(s);
  if (!r || *r < Rational(0) || *r > Rational(1000000)) return false;
  *out = *r;
  return true;
}

void PrintCaret(std::string_view text, size_t offset) {
  std::fprintf(stderr, "  %.*s\n  %*s^\n", static_cast<int>(text.size()), text.data(),
               static_cast<int>(offset), "");
}

}  // namespace

int EventsOfFile(std::string_view path, Rational cycles, const std::string& samples_dir);

int Events(const Args& args) {
  std::string_view mini;
  bool have_mini = false;
  std::string_view file;
  Rational cycles(1);
  std::vector<std::string_view> transforms;
  std::string samples_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto need = [&](const char* what) -> std::string_view {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "groovebox events: %s needs a value\n", what);
        return {};
      }
      return args[++i];
    };
    if (a == "--mini") {
      if (i + 1 >= args.size()) { need("--mini"); return 2; }
      mini = args[++i];
      have_mini = true;
    } else if (a == "--cycles") {
      std::string_view v = need("--cycles");
      if (v.empty() || !ParseCycles(v, &cycles)) {
        std::fprintf(stderr, "groovebox events: --cycles expects a number from 0 to 1000000\n");
        return 2;
      }
    } else if (a == "--transform") {
      std::string_view v = need("--transform");
      if (v.empty()) return 2;
      transforms.push_back(v);
    } else if (a == "--samples") {
      std::string_view v = need("--samples");
      if (v.empty()) return 2;
      samples_dir = std::string(v);
    } else if (!a.empty() && a[0] != '-' && file.empty()) {
      file = a;
    } else {
      std::fprintf(stderr, "groovebox events: unknown option '%.*s'\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
  }
  if (!have_mini && file.empty()) {
    std::fprintf(stderr, "usage: groovebox events --mini \"STRING\" [--cycles N] [--transform EXPR]...\n"
                         "       groovebox events FILE.ph [--cycles N] [--samples DIR]\n");
    return 2;
  }
  if (!have_mini) return EventsOfFile(file, cycles, samples_dir);
  PatternRef pat;
  try {
    pat = ParseMini(mini).pattern;
  } catch (const MiniError& e) {
    std::fprintf(stderr, "groovebox events: mini-notation error at column %zu: %s\n", e.offset() + 1, e.what());
    PrintCaret(mini, e.offset());
    return 2;
  }
  for (std::string_view t : transforms) {
    try {
      pat = ParseTransformExpr(t)(pat);
    } catch (const TransformError& e) {
      std::fprintf(stderr, "groovebox events: transform error at column %zu: %s\n", e.offset() + 1, e.what());
      PrintCaret(t, e.offset());
      return 2;
    }
  }
  EventsResult r = CollectOnsets(*pat, Rational(0), cycles);
  if (!r.error.empty()) {
    std::fprintf(stderr, "groovebox events: %s\n", r.error.c_str());
    return 2;
  }
  std::string out = FormatEventsJson(r.events);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace gb::fw::cli
