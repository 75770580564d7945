// Drives the real groovebox binary for the daemon tests: a private folder
// with patterns, samples (a one-sample click) and a config; the daemon
// spawned with extra environment (the real-time probe's LD_PRELOAD); the
// status socket; the probe's report. Test code: allocates freely.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/wav_writer.h"
#include "tests/firmware/app/status_client.h"

extern char** environ;

namespace gb::fw::testing {

namespace fs = std::filesystem;
using nlohmann::json;

class DaemonHarness {
 public:
  // A fresh folder under the test temp dir, with patterns/ and samples/click.
  // Short: the status socket's path must fit a sockaddr_un (108 bytes).
  DaemonHarness() {
    static int serial = 0;
    dir_ = fs::path(::testing::TempDir()) / ("gbd_" + std::to_string(getpid()) + "_" + std::to_string(++serial));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "patterns");
    fs::create_directories(dir_ / "samples" / "click");
    std::vector<float> click(64, 0.f);
    click[0] = 1.f;
    drivers::WavWriter w(dir_ / "samples" / "click" / "click.wav", drivers::WavSpec{1, 48000});
    EXPECT_TRUE(w.Write(click));
    EXPECT_TRUE(w.Close());
  }
  ~DaemonHarness() {
    Kill();
    fs::remove_all(dir_);
  }

  const fs::path& dir() const { return dir_; }
  fs::path patterns() const { return dir_ / "patterns"; }
  std::string Sock() const { return (dir_ / "s.sock").string(); }
  fs::path ProbeOut() const { return dir_ / "probe.txt"; }
  fs::path Log() const { return dir_ / "daemon.log"; }

  // The [patterns] and [status] sections every test wants; `audio` and
  // `extra` are TOML put in front and after.
  void WriteConfig(const std::string& audio, const std::string& extra = "") {
    std::ofstream(dir_ / "groovebox.toml") << audio << "\n[patterns]\nfolder = \"" << patterns().string()
                                           << "\"\nsamples = \"" << (dir_ / "samples").string() << "\"\n"
                                           << extra << "\n[status]\nsocket = \"" << Sock() << "\"\nstate_file = \""
                                           << (dir_ / "state").string() << "\"\n";
  }
  // Written in place (like an editor's save); the watcher sees IN_CLOSE_WRITE.
  void WriteScene(const std::string& name, const std::string& text) {
    std::ofstream f(patterns() / name);
    f << text;
  }

  // Starts `groovebox run --config ... --no-status-line` plus `args`, with
  // `env` added to this process's environment; stdout and stderr go to Log().
  // Waits for the status socket.
  void Start(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    std::vector<std::string> all = {GB_GROOVEBOX_BIN, "run", "--config", (dir_ / "groovebox.toml").string(),
                                    "--no-status-line"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    env_ = env;
    std::vector<char*> envp;
    for (auto& e : env_) envp.push_back(e.data());
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, Log().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    for (int i = 0; i < 400 && Status().is_null(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_FALSE(Status().is_null()) << "the daemon did not come up:\n" << ReadText(Log());
  }
  // SIGTERM (a normal stop: the probe reports at exit); the exit status.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    return Wait();
  }
  int Wait() {
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  void Kill() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  // The status JSON, after running `command` first ("status" runs nothing and
  // spares the daemon's wait for a command); null if the socket does not answer.
  json Status(const std::string& command = "status") const { return QueryStatus(Sock(), command); }
  json WaitFor(const std::function<bool(const json&)>& pred, double seconds = 10.0) const {
    json s;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      s = Status();
      if (!s.is_null() && pred(s)) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return s;
  }

  // The probe's `key=value` report (empty if it wrote none).
  std::map<std::string, std::string> Probe() const {
    std::map<std::string, std::string> m;
    std::ifstream in(ProbeOut());
    std::string line;
    while (std::getline(in, line)) {
      const auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string key = line.substr(0, eq);
      if (key == "violation") key += std::to_string(m.size());  // several
      m[key] = line.substr(eq + 1);
    }
    return m;
  }
  static long Num(const std::map<std::string, std::string>& m, const std::string& key) {
    auto it = m.find(key);
    return it == m.end() ? 0 : std::stol(it->second);
  }

  // The `run key=value ...` summary line the daemon prints at exit.
  std::map<std::string, std::string> RunSummary() const {
    std::map<std::string, std::string> m;
    std::istringstream in(ReadText(Log()));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("run ", 0) != 0) continue;
      std::istringstream words(line.substr(4));
      std::string w;
      while (words >> w)
        if (auto eq = w.find('='); eq != std::string::npos) m[w.substr(0, eq)] = w.substr(eq + 1);
    }
    return m;
  }

  static std::string ReadText(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  std::vector<std::string> env_;
};

// The probe as an LD_PRELOAD environment, writing to `out`.
inline std::vector<std::string> ProbeEnv(const fs::path& out, bool all_threads = false) {
  std::vector<std::string> env = {std::string("LD_PRELOAD=") + GB_RT_PROBE_LIB, "GB_RT_PROBE_OUT=" + out.string()};
  if (all_threads) env.push_back("GB_RT_PROBE_ALL=1");
  return env;
}

}  // namespace gb::fw::testing
