// The folder watchers against a real Samba server: a private smbd on
// 127.0.0.1 (../shared/rigs/samba_loopback.sh, started and stopped here)
// shares a temp folder, smbclient uploads, renames and deletes as a user's
// laptop would, and both watchers, polled as the daemon polls them, must
// report exactly one event per operation. Uploads that end early (a file put
// truncated, a client killed mid-transfer) are reported so the caller sees the
// incomplete content. Skips, saying why, without samba/smbclient or root.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drivers/watch/inotify_watcher.h"
#include "drivers/watch/polling_watcher.h"
#include "tests/drivers/watch/common/watch_test_util.h"

extern char** environ;

namespace gb::drivers {
namespace {

using namespace std::chrono_literals;
using testing::ReadFile;
using testing::SleepMs;
using testing::TempFolder;
using testing::WriteFile;

bool Executable(const char* name) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/", "/usr/local/bin/",
                          "/usr/local/sbin/"}) {
    if (access((std::string(dir) + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

bool PortFree(int port) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

// posix_spawn of argv with extra environment; output to `log`.
pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env_extra,
            const std::string& log) {
  std::vector<std::string> env_s = env_extra;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env_s) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// smbd on 127.0.0.1, all state under a temp folder, stopped by its PID.
class SambaRig {
 public:
  SambaRig() {
    if (geteuid() != 0) {
      skip_ = "needs root: the rig adds a Unix user for Samba and runs smbd";
      return;
    }
    if (access(GB_SAMBA_RIG, R_OK) != 0) {
      skip_ = std::string("rig script not found: ") + GB_SAMBA_RIG;
      return;
    }
    if (!Executable("smbd") || !Executable("smbclient")) {
      skip_ = "samba not installed (apt-get install samba smbclient)";
      return;
    }
    for (int p = 4450; p < 4470 && port_ == 0; ++p) {
      if (PortFree(p)) port_ = p;
    }
    if (port_ == 0) {
      skip_ = "no free port in 127.0.0.1:4450-4469";
      return;
    }
    const int status = Wait(Spawn({"/bin/bash", GB_SAMBA_RIG, "start"}, Env(), Log()));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      failed_ = "samba_loopback.sh start failed:\n" + ReadFile(Log());
      Stop();
    }
  }
  ~SambaRig() { Stop(); }

  const std::string& skip() const { return skip_; }
  const std::string& failed() const { return failed_; }
  std::filesystem::path share() const { return dir_ / "share"; }
  std::filesystem::path local(const std::string& name) const { return local_ / name; }

  // smbclient -c COMMANDS as a guest, in the background.
  pid_t Client(const std::string& commands) {
    return Spawn({"/bin/bash", GB_SAMBA_RIG, "client", "-c", commands}, Env(), Log());
  }
  std::string Log() const { return (local_ / "rig.log").string(); }

 private:
  std::vector<std::string> Env() const {
    return {"SMB_RIG_DIR=" + dir_.string(), "SMB_PORT=" + std::to_string(port_)};
  }
  void Stop() {
    if (stopped_ || port_ == 0) return;
    stopped_ = true;
    Wait(Spawn({"/bin/bash", GB_SAMBA_RIG, "stop"}, Env(), Log()));
    // smbd starts samba-dcerpcd (and its rpcd_* workers) on demand, and the
    // rig's `stop` leaves them running. A stale one keeps answering on the
    // machine-wide /run/samba/ncalrpc sockets with its config gone, and every
    // later `smbclient -L` (the rig's readiness check) waits 30 s on it. Stop
    // the ones started with this rig's config, by PID.
    KillByCmdline("--configfile=" + (dir_ / "smb.conf").string());
  }
  static void KillByCmdline(const std::string& needle) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmdline = ReadFile(entry.path() / "cmdline");
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(needle) != std::string::npos) kill(std::stoi(pid), SIGTERM);
    }
  }

  TempFolder root_;
  std::filesystem::path dir_ = root_ / "rig";
  std::filesystem::path local_ = root_.path();
  int port_ = 0;
  bool stopped_ = false;
  std::string skip_, failed_;
};

struct Seen {
  FileEvent event;
  int64_t size = -1;    // the file's size when the event was reported
  std::string content;  // and its content, when under 64 KiB
};

// Both watchers on the same folder, polled together every 5 ms.
class Watchers {
 public:
  explicit Watchers(const std::filesystem::path& folder) : folder_(folder) {
    WatchOptions o;  // the daemon's defaults (quiet 150 ms, open_quiet 2 s)
    o.poll_interval = 50ms;
    auto r = InotifyWatcher::Open(folder, o);
    EXPECT_TRUE(r.watcher) << r.error;
    inotify_ = std::move(r.watcher);
    polling_ = std::make_unique<PollingWatcher>(folder, o);
  }
  void PollOnce() {
    const auto now = SteadyNowMs();
    Take(*inotify_, now, inotify_seen_);
    Take(*polling_, now, polling_seen_);
  }
  // Polls while `busy` says so, then for `settle_ms` more.
  void PollWhile(const std::function<bool()>& busy, int settle_ms) {
    while (busy()) {
      PollOnce();
      SleepMs(5);
    }
    const auto end = SteadyNowMs() + std::chrono::milliseconds(settle_ms);
    while (SteadyNowMs() < end) {
      PollOnce();
      SleepMs(5);
    }
  }
  // What each watcher reported since the last call.
  std::vector<Seen> TakeInotify() { return std::exchange(inotify_seen_, {}); }
  std::vector<Seen> TakePolling() { return std::exchange(polling_seen_, {}); }

 private:
  void Take(FolderWatcher& w, std::chrono::milliseconds now, std::vector<Seen>& seen) {
    std::vector<FileEvent> out;
    w.Poll(out, now);
    for (FileEvent& e : out) {
      Seen x{std::move(e), -1, {}};
      struct stat st {};
      if (x.event.kind == FileEvent::kChanged && stat((folder_ / x.event.name).c_str(), &st) == 0) {
        x.size = st.st_size;
        if (x.size < 65536) x.content = ReadFile(folder_ / x.event.name);
      }
      seen.push_back(std::move(x));
    }
  }
  std::filesystem::path folder_;
  std::unique_ptr<InotifyWatcher> inotify_;
  std::unique_ptr<PollingWatcher> polling_;
  std::vector<Seen> inotify_seen_, polling_seen_;
};

std::string Describe(const std::vector<Seen>& seen) {
  std::string s;
  for (const Seen& x : seen) {
    s += x.event.kind == FileEvent::kChanged ? "changed " : x.event.kind == FileEvent::kRemoved ? "removed " : "rescan ";
    s += x.event.name + " (" + std::to_string(x.size) + " bytes); ";
  }
  return s.empty() ? "(none)" : s;
}

// Runs smbclient COMMANDS while polling; returns its exit status.
int RunClient(SambaRig& rig, Watchers& w, const std::string& commands, int settle_ms = 700) {
  const pid_t pid = rig.Client(commands);
  EXPECT_GT(pid, 0);
  int status = 0;
  bool done = false;
  w.PollWhile([&] {
    if (!done && waitpid(pid, &status, WNOHANG) == pid) done = true;
    return !done;
  }, settle_ms);
  return status;
}

void ExpectOne(const std::vector<Seen>& seen, FileEvent::Kind kind, const std::string& name,
               const std::string& content, const char* watcher, const char* step) {
  ASSERT_EQ(seen.size(), 1u) << watcher << ", " << step << ": " << Describe(seen);
  EXPECT_EQ(seen[0].event, (FileEvent{kind, name})) << watcher << ", " << step;
  EXPECT_EQ(seen[0].content, content) << watcher << ", " << step;
}

// One smbd for the whole suite (starting one takes ~1-3 s). Each case uses
// its own file names; watchers made per case ignore what earlier cases left.
class SambaWatch : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { rig_ptr_ = new SambaRig(); }
  static void TearDownTestSuite() {
    delete rig_ptr_;
    rig_ptr_ = nullptr;
  }
  void SetUp() override {
    if (!rig_.skip().empty()) GTEST_SKIP() << rig_.skip();
    ASSERT_TRUE(rig_.failed().empty()) << rig_.failed();
  }
  static SambaRig* rig_ptr_;
  SambaRig& rig_ = *rig_ptr_;
};
SambaRig* SambaWatch::rig_ptr_ = nullptr;

TEST_F(SambaWatch, PutPutAgainDeleteIsChangedChangedRemoved) {
  Watchers w(rig_.share());
  const std::string v1 = "bpm: 120\no1: s \"bd sn\"\n", v2 = "bpm: 128\no1: s \"bd*2 sn\"\n";
  WriteFile(rig_.local("v1.ph"), v1);
  WriteFile(rig_.local("v2.ph"), v2);

  ASSERT_EQ(RunClient(rig_, w, "put " + rig_.local("v1.ph").string() + " house.ph"), 0)
      << ReadFile(rig_.Log());
  ExpectOne(w.TakeInotify(), FileEvent::kChanged, "house.ph", v1, "inotify", "put");
  ExpectOne(w.TakePolling(), FileEvent::kChanged, "house.ph", v1, "polling", "put");

  ASSERT_EQ(RunClient(rig_, w, "put " + rig_.local("v2.ph").string() + " house.ph"), 0);
  ExpectOne(w.TakeInotify(), FileEvent::kChanged, "house.ph", v2, "inotify", "put again");
  ExpectOne(w.TakePolling(), FileEvent::kChanged, "house.ph", v2, "polling", "put again");

  ASSERT_EQ(RunClient(rig_, w, "del house.ph"), 0);
  ExpectOne(w.TakeInotify(), FileEvent::kRemoved, "house.ph", "", "inotify", "del");
  ExpectOne(w.TakePolling(), FileEvent::kRemoved, "house.ph", "", "polling", "del");
}

TEST_F(SambaWatch, TempNameThenRenameOverAndRenames) {
  // The rig's "put tmp + rename -f over b" and "rename a->b".
  Watchers w(rig_.share());
  WriteFile(rig_.local("p.ph"), "bpm: 99\n");
  ASSERT_EQ(RunClient(rig_, w, "put " + rig_.local("p.ph").string() + " .b.tmp; rename .b.tmp b.ph -f"), 0);
  ExpectOne(w.TakeInotify(), FileEvent::kChanged, "b.ph", "bpm: 99\n", "inotify", "tmp+rename");
  ExpectOne(w.TakePolling(), FileEvent::kChanged, "b.ph", "bpm: 99\n", "polling", "tmp+rename");

  ASSERT_EQ(RunClient(rig_, w, "rename b.ph c.ph"), 0);
  for (auto seen : {w.TakeInotify(), w.TakePolling()}) {
    ASSERT_EQ(seen.size(), 2u) << Describe(seen);
    EXPECT_EQ(seen[0].event, (FileEvent{FileEvent::kRemoved, "b.ph"}));
    EXPECT_EQ(seen[1].event, (FileEvent{FileEvent::kChanged, "c.ph"}));
  }
}

TEST_F(SambaWatch, TruncatedPutIsSeenIncompleteThenTheFullPutComplete) {
  Watchers w(rig_.share());
  const std::string full = "bpm: 120\no1: s \"bd(3,8) sn\"\no2: s \"hh*8\" # gain 0.7\n";
  const std::string half = full.substr(0, full.size() / 2);
  WriteFile(rig_.local("half.ph"), half);
  WriteFile(rig_.local("full.ph"), full);
  ASSERT_EQ(RunClient(rig_, w, "put " + rig_.local("half.ph").string() + " song.ph"), 0);
  ExpectOne(w.TakeInotify(), FileEvent::kChanged, "song.ph", half, "inotify", "truncated put");
  ExpectOne(w.TakePolling(), FileEvent::kChanged, "song.ph", half, "polling", "truncated put");
  ASSERT_EQ(RunClient(rig_, w, "put " + rig_.local("full.ph").string() + " song.ph"), 0);
  ExpectOne(w.TakeInotify(), FileEvent::kChanged, "song.ph", full, "inotify", "full put");
  ExpectOne(w.TakePolling(), FileEvent::kChanged, "song.ph", full, "polling", "full put");
}

// A sparse local file: smbclient reads zeros fast, the upload takes ~1 s.
constexpr off_t kBigBytes = off_t{256} << 20;

off_t SizeOf(const std::filesystem::path& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 ? st.st_size : -1;
}

TEST_F(SambaWatch, ClientKilledMidUploadIsOneChangeWithThePartialFile) {
  Watchers w(rig_.share());
  const auto local = rig_.local("big.bin");
  WriteFile(local, "");
  ASSERT_EQ(truncate(local.c_str(), kBigBytes), 0);
  const auto remote = rig_.share() / "cut.ph";
  const pid_t pid = rig_.Client("put " + local.string() + " cut.ph");
  ASSERT_GT(pid, 0);
  off_t at_kill = 0;
  w.PollWhile([&] {
    at_kill = SizeOf(remote);
    return at_kill <= 0 && waitpid(pid, nullptr, WNOHANG) == 0;
  }, 0);
  kill(pid, SIGKILL);  // bash exec'd smbclient: this is the client itself
  Wait(pid);
  ASSERT_GT(at_kill, 0);
  ASSERT_LT(at_kill, kBigBytes) << "the upload finished before it could be cut off";
  w.PollWhile([] { return false; }, 1500);
  const off_t final_size = SizeOf(remote);
  EXPECT_LT(final_size, kBigBytes);
  for (auto [seen, name] : {std::pair{w.TakeInotify(), "inotify"}, std::pair{w.TakePolling(), "polling"}}) {
    ASSERT_EQ(seen.size(), 1u) << name << ": " << Describe(seen);
    EXPECT_EQ(seen[0].event, (FileEvent{FileEvent::kChanged, "cut.ph"})) << name;
    EXPECT_EQ(seen[0].size, final_size) << name;
  }
}

TEST_F(SambaWatch, UploadStalledWithTheFileOpenIsReportedOnceWhenDoneByInotify) {
  // The client stops sending for 0.8 s mid-upload (SIGSTOP), longer than the
  // quiet time, with smbd holding the file open. inotify sees the open writer
  // and waits: one change, complete. Polling cannot: it reports the partial
  // file, then the complete one.
  Watchers w(rig_.share());
  const auto local = rig_.local("big.bin");
  WriteFile(local, "");
  ASSERT_EQ(truncate(local.c_str(), kBigBytes), 0);
  const auto remote = rig_.share() / "stall.ph";
  const pid_t pid = rig_.Client("put " + local.string() + " stall.ph");
  ASSERT_GT(pid, 0);
  off_t at_stop = 0;
  w.PollWhile([&] {
    at_stop = SizeOf(remote);
    return at_stop <= 0 && waitpid(pid, nullptr, WNOHANG) == 0;
  }, 0);
  kill(pid, SIGSTOP);
  ASSERT_GT(at_stop, 0);
  w.PollWhile([] { return false; }, 800);
  kill(pid, SIGCONT);
  int status = 0;
  bool done = false;
  w.PollWhile([&] {
    if (!done && waitpid(pid, &status, WNOHANG) == pid) done = true;
    return !done;
  }, 700);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(rig_.Log());
  ASSERT_EQ(SizeOf(remote), kBigBytes);
  const auto ino = w.TakeInotify();
  ASSERT_EQ(ino.size(), 1u) << "inotify: " << Describe(ino);
  EXPECT_EQ(ino[0].event, (FileEvent{FileEvent::kChanged, "stall.ph"}));
  EXPECT_EQ(ino[0].size, kBigBytes);
  const auto pol = w.TakePolling();
  ASSERT_GE(pol.size(), 2u) << "polling: " << Describe(pol);
  EXPECT_LT(pol.front().size, kBigBytes);
  EXPECT_EQ(pol.back().size, kBigBytes);
}

}  // namespace
}  // namespace gb::drivers
