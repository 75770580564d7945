// `groovebox run [--config FILE] [--seconds N] [--buttons FILE]`: the live
// daemon. Without a config file it uses the bundled defaults: the default
// ALSA device, the bundled default scene, the built-in kit.
#include <cstdio>
#include <string>

#include "firmware/app/config.h"
#include "firmware/app/daemon.h"
#include "firmware/cli/commands.h"

namespace gb::fw::cli {

int Run(const Args& args) {
  std::string config_path;
  DaemonOptions opt;
  opt.bundled_scene = GB_DEFAULT_SCENE;
  std::string device, patterns;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto val = [&]() { return i + 1 < args.size() ? std::string(args[++i]) : std::string(); };
    if (a == "--config") config_path = val();
    else if (a == "--seconds") opt.seconds = std::atof(val().c_str());
    else if (a == "--buttons") opt.buttons_path = val();
    else if (a == "--device") device = val();
    else if (a == "--patterns") patterns = val();
    else if (a == "--no-status-line") opt.status_line = false;
    else if (a == "--record") opt.record_path = val();
    else {
      std::fprintf(stderr, "usage: groovebox run [--config FILE] [--seconds N] [--buttons FIFO|-] [--device PCM]\n"
                           "                     [--patterns DIR] [--no-status-line] [--record OUT.wav]\n");
      return 2;
    }
  }
  Config cfg;
  if (!config_path.empty()) {
    ConfigResult r = LoadConfig(config_path);
    if (!r.config) {
      std::fprintf(stderr, "%sgroovebox: refusing to start with a broken configuration\n", r.Describe(config_path).c_str());
      return 2;
    }
    cfg = *r.config;
  } else {
    // Bundled defaults: play the default scene; a patterns folder only if
    // the standard one exists.
    cfg.patterns_dir = "/var/lib/groovebox/patterns";
    cfg.state_file = "";
    cfg.status_socket = "";
    cfg.realtime = true;
  }
  if (!device.empty()) cfg.device = device;
  if (!patterns.empty()) cfg.patterns_dir = patterns;
  return RunDaemon(cfg, opt);
}

int CheckConfig(const Args& args) {
  if (args.size() != 1) {
    std::fprintf(stderr, "usage: groovebox check-config FILE\n");
    return 2;
  }
  const std::string path(args[0]);
  ConfigResult r = LoadConfig(path);
  if (!r.config) {
    std::fprintf(stderr, "%s", r.Describe(path).c_str());
    return 2;
  }
  std::printf("%s: ok\n", path.c_str());
  return 0;
}

}  // namespace gb::fw::cli
