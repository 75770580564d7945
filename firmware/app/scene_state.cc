// The last-chosen-scene file (see scene_state.h).
#include "firmware/app/scene_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace gb::fw {

std::string ReadLastScene(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::string name;
  if (!in || !std::getline(in, name)) return "";
  while (!name.empty() && (name.back() == '\r' || name.back() == ' ' || name.back() == '\t')) name.pop_back();
  return name;
}

bool WriteLastScene(const std::string& path, const std::string& name, std::string* error) {
  if (path.empty()) return true;
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  const std::string tmp = path + ".tmp";
  auto fail = [&](const char* what) {
    *error = std::string(what) + " " + tmp + ": " + std::strerror(errno);
    return false;
  };
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create");
  const std::string text = name + "\n";
  const bool wrote = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = wrote && fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!synced) {
    errno = saved;
    unlink(tmp.c_str());
    return fail(wrote ? "cannot sync" : "cannot write");
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    unlink(tmp.c_str());
    errno = e;
    return fail("cannot rename");
  }
  // The rename itself is durable once the folder is synced.
  if (const int dfd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)fsync(dfd);
    close(dfd);
  }
  return true;
}

}  // namespace gb::fw
