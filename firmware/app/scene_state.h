// The last chosen scene, remembered across restarts in a small state file
// (config [status] state_file). Written so that pulling the power leaves the
// old name or the new one, never a torn file: a temp file beside it, fsync,
// rename over, fsync of the folder. Control thread only (it does file I/O).
#pragma once

#include <string>

namespace gb::fw {

// The scene name in `path`, or "" when there is none (no file, empty path).
std::string ReadLastScene(const std::string& path);

// Replaces `path` with `name` atomically, creating its folder if needed.
// False with `error` set on failure; an empty path writes nothing.
bool WriteLastScene(const std::string& path, const std::string& name, std::string* error);

}  // namespace gb::fw
