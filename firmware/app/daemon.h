// The live daemon: plays the scenes of the patterns folder on the audio
// device, reloads a scene the moment its file is saved, switches scenes on
// buttons or status-socket commands, and reports its state on a terminal
// status line and as JSON on a UNIX socket.
//
// Threads: the control thread (the caller of RunDaemon) owns files, parsing,
// compiling, samples, sockets and logging; the audio thread renders blocks and
// writes them to the device, nothing else; the engine's workers render voices.
#pragma once

#include <string>

#include "firmware/app/config.h"

namespace gb::fw {

struct DaemonOptions {
  double seconds = 0.0;          // > 0: stop after this long (for scripts and tests)
  std::string buttons_path;      // read button events from this FIFO/file ("-": stdin)
  std::string bundled_scene;     // played when the folder has no playable scene
  bool status_line = true;       // a live one-line status on a terminal
  std::string record_path;       // also write what is played to this WAV (tests, sound checks)
};

// Returns the process exit status.
int RunDaemon(const Config& config, const DaemonOptions& options);

}  // namespace gb::fw
