// Subcommands of the groovebox binary. Each returns the process exit status:
// 0 success, 1 runtime failure, 2 bad input (usage, parse errors).
#pragma once

#include <string_view>
#include <vector>

namespace gb::fw::cli {

using Args = std::vector<std::string_view>;

int Events(const Args& args);
int Run(const Args& args);
int Render(const Args& args);
int Bench(const Args& args);
int CheckConfig(const Args& args);

}  // namespace gb::fw::cli
