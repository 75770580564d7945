// Temporary: .ph files are not compiled yet.
#include <cstdio>
#include <string_view>

#include "firmware/pattern/rational.h"

namespace gb::fw::cli {
int EventsOfFile(std::string_view path, Rational) {
  std::fprintf(stderr, "groovebox events: %.*s: .ph files are not supported yet\n", static_cast<int>(path.size()), path.data());
  return 2;
}
}  // namespace gb::fw::cli
