// The daemon's status socket seen from a test: one request, one JSON answer.
// Shared by daemon_test.cc and daemon_harness.h.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

namespace gb::fw::testing {

// One exchange on the daemon's status socket: sends `command` (if any) as a
// line, returns the JSON it answers; null if the socket does not answer.
inline nlohmann::json QueryStatus(const std::string& socket_path, const std::string& command) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, socket_path.c_str(), sizeof a.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return nlohmann::json();
  }
  if (!command.empty()) (void)!write(fd, (command + "\n").data(), command.size() + 1);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  try {
    return nlohmann::json::parse(out);
  } catch (...) {
    return nlohmann::json();
  }
}

}  // namespace gb::fw::testing
