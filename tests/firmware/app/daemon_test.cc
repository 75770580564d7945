// The live daemon, end to end: the real binary plays a patterns folder on the
// silent real-time clock (device "none"), records what it plays, and is driven
// the way a user drives it: files saved into the folder, commands on the
// status socket. A saved scene takes effect exactly on the next cycle
// boundary; a broken or half-written file changes nothing audible and its
// error shows in the status; a deleted scene keeps playing.
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "drivers/wav_writer.h"
#include "tests/firmware/app/status_client.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("gb_daemon_" + std::to_string(getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "patterns");
    fs::create_directories(dir_ / "samples" / "click");
    // A one-sample click, so onsets can be found to the sample.
    std::vector<float> click(64, 0.f);
    click[0] = 1.f;
    gb::drivers::WavWriter w(dir_ / "samples" / "click" / "click.wav", gb::drivers::WavSpec{1, 48000});
    ASSERT_TRUE(w.Write(click));
    ASSERT_TRUE(w.Close());
    std::ofstream(dir_ / "groovebox.toml") << "[audio]\ndevice = \"none\"\nrealtime = false\n"
                                           << "[patterns]\nfolder = \"" << (dir_ / "patterns").string()
                                           << "\"\nsamples = \"" << (dir_ / "samples").string()
                                           << "\"\ndebounce_ms = 100\n[status]\nsocket = \"" << Sock()
                                           << "\"\nstate_file = \"" << (dir_ / "state").string() << "\"\n";
  }
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  std::string Sock() const { return (dir_ / "s.sock").string(); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream f(dir_ / "patterns" / name);
    f << text;
  }
  void Start(double seconds, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {GB_GROOVEBOX_BIN, "run", "--config", (dir_ / "groovebox.toml").string(),
                                     "--seconds", std::to_string(seconds), "--no-status-line",
                                     "--record", (dir_ / "rec.wav").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    // Wait for the status socket: up to a minute, for a loaded machine or
    // qemu-user (arm64 CI), where building the kit alone takes seconds.
    for (int i = 0; i < 2400 && Status().is_null(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    ASSERT_FALSE(Status().is_null()) << "the daemon did not come up";
  }
  int Wait() {
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  json Status(const std::string& command = "") { return gb::fw::testing::QueryStatus(Sock(), command); }
  json WaitFor(const std::function<bool(const json&)>& pred, double seconds = 4.0) {
    json s;
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      s = Status();
      if (!s.is_null() && pred(s)) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return s;
  }
  std::vector<int64_t> RecordedOnsets() {
    auto d = gb::drivers::ReadWav(dir_ / "rec.wav");
    EXPECT_TRUE(d.ok()) << d.error;
    std::vector<int64_t> on;
    for (int64_t i = 0; i < d.frames; ++i)
      if (std::fabs(d.interleaved[static_cast<size_t>(i * d.channels)]) > 0.3f) on.push_back(i);
    return on;
  }
  fs::path dir_;
  pid_t pid_ = -1;
};

constexpr int64_t kCycle = 48000;  // cps 1 at 48 kHz

TEST_F(DaemonTest, ASavedSceneTakesEffectExactlyOnTheNextCycleBoundary) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Start(5.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  const double cycle_at_save = Status()["cycle"].get<double>();
  Write("a.ph", "cps: 1\no1: s \"click*4\"\n");
  json s = WaitFor([](const json& j) { return j["last_reload"].contains("swap_frame"); });
  ASSERT_TRUE(s["last_reload"]["ok"].get<bool>()) << s.dump();
  const int64_t swap = s["last_reload"]["swap_frame"].get<int64_t>();
  EXPECT_EQ(swap % kCycle, 0) << "on a cycle boundary";
  EXPECT_GT(static_cast<double>(swap), cycle_at_save * kCycle) << "after the save";
  EXPECT_LE(static_cast<double>(swap), (std::floor(cycle_at_save) + 2) * kCycle) << "the next boundary (or the one after, if the save raced it)";
  EXPECT_EQ(Wait(), 0);
  auto on = RecordedOnsets();
  ASSERT_GT(on.size(), 8u);
  for (size_t k = 1; k < on.size(); ++k) {
    const int64_t gap = on[k] - on[k - 1];
    if (on[k] <= swap) EXPECT_EQ(gap, kCycle / 2) << "old scene before the boundary, onset " << on[k];
    else EXPECT_EQ(gap, kCycle / 4) << "new scene from the boundary, onset " << on[k];
  }
  EXPECT_NE(std::find(on.begin(), on.end(), swap), on.end()) << "the new scene's first onset is on the boundary";
}

TEST_F(DaemonTest, BrokenAndHalfWrittenFilesChangeNothing) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Start(4.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  Write("a.ph", "cps: 1\no1: s \"click*4\" # lpf\n");  // broken
  json s = WaitFor([](const json& j) { return !j["last_reload"]["ok"].get<bool>(); });
  EXPECT_FALSE(s["last_reload"]["ok"].get<bool>());
  EXPECT_NE(s["last_reload"]["message"].get<std::string>().find("a.ph:2:19: 'lpf' needs arguments"), std::string::npos)
      << s.dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Write("a.ph", "cps: 1\no1: s \"click*4 [sn");  // an upload cut off halfway
  s = WaitFor([](const json& j) {
    return j["last_reload"]["message"].get<std::string>().find("unterminated string") != std::string::npos;
  });
  ASSERT_FALSE(s.is_null());
  EXPECT_NE(s["last_reload"]["message"].get<std::string>().find("a.ph:2:7: unterminated string"), std::string::npos)
      << s.dump();
  EXPECT_EQ(s["swaps"].get<int>(), 0);
  EXPECT_EQ(Wait(), 0);
  auto on = RecordedOnsets();
  ASSERT_GT(on.size(), 5u);
  for (size_t k = 1; k < on.size(); ++k) EXPECT_EQ(on[k] - on[k - 1], kCycle / 2) << "the old scene played on";
}

TEST_F(DaemonTest, ScenesSwitchOnTheCycleBoundaryAndADeletedSceneKeepsPlaying) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Write("b.ph", "cps: 1\no1: s \"click*4\"\n");
  Start(4.0);
  EXPECT_EQ(Status()["scene"], "a.ph");
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  json s = Status("next");
  EXPECT_EQ(s["scene"], "b.ph");
  s = WaitFor([](const json& j) { return j["last_reload"].contains("swap_frame"); });
  const int64_t swap = s["last_reload"]["swap_frame"].get<int64_t>();
  EXPECT_EQ(swap % kCycle, 0);
  fs::remove(dir_ / "patterns" / "b.ph");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  s = Status();
  EXPECT_EQ(s["scene"], "b.ph") << "still playing";
  EXPECT_EQ(s["scenes"].size(), 1u);
  EXPECT_EQ(Wait(), 0);
  auto on = RecordedOnsets();
  for (size_t k = 1; k < on.size(); ++k)
    EXPECT_EQ(on[k] - on[k - 1], on[k] <= swap ? kCycle / 2 : kCycle / 4) << on[k];
  EXPECT_GT(on.back(), swap + 2 * kCycle - kCycle / 4) << "b kept playing after its file was deleted";
}

TEST_F(DaemonTest, BouncingButtonContactsGiveOneSceneSwitchOnTheBoundary) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Write("b.ph", "cps: 1\no1: s \"click*4\"\n");
  Write("c.ph", "cps: 1\no1: s \"click*8\"\n");
  std::ofstream(dir_ / "groovebox.toml", std::ios::app) << "[gpio]\ndebounce_polls = 4\n[gpio.buttons]\n17 = \"next\"\n";
  const std::string fifo = (dir_ / "buttons").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Start(4.0, {"--buttons", fifo});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  {
    // A contact bouncing for a few milliseconds, then held, then released.
    std::ofstream f(fifo);
    f << "press 17\nrelease 17\npress 17\nrelease 17\npress 17\n" << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    f << "release 17\npress 17\nrelease 17\n" << std::flush;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  json s = WaitFor([](const json& j) { return j["last_reload"].contains("swap_frame"); });
  EXPECT_EQ(s["scene"], "b.ph") << "one switch, not three: " << s.dump();
  EXPECT_EQ(s["swaps"].get<int>(), 1);
  EXPECT_EQ(s["last_reload"]["swap_frame"].get<int64_t>() % kCycle, 0);
  EXPECT_EQ(Wait(), 0);
}

TEST_F(DaemonTest, StopStartAndTheLastSceneIsRemembered) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Write("b.ph", "cps: 1\no1: s \"click*4\"\n");
  Start(2.0);
  Status("scene 2");
  Status("stop");
  EXPECT_FALSE(WaitFor([](const json& j) { return !j["playing"].get<bool>(); })["playing"].get<bool>());
  Status("start");
  EXPECT_TRUE(WaitFor([](const json& j) { return j["playing"].get<bool>(); })["playing"].get<bool>());
  EXPECT_NE(Status("jump")["error"].get<std::string>().find("unknown command"), std::string::npos);
  EXPECT_EQ(Wait(), 0);
  Start(0.6);
  EXPECT_EQ(Status()["scene"], "b.ph") << "the state file brings back the last chosen scene";
  EXPECT_EQ(Wait(), 0);
}

TEST_F(DaemonTest, AButtonChoiceIsRememberedAcrossRestartsUntilItsFileIsGone) {
  Write("a.ph", "cps: 1\no1: s \"click*2\"\n");
  Write("b.ph", "cps: 1\no1: s \"click*4\"\n");
  Write("c.ph", "cps: 1\no1: s \"click*8\"\n");
  std::ofstream(dir_ / "groovebox.toml", std::ios::app) << "[gpio]\ndebounce_polls = 2\n[gpio.buttons]\n27 = \"prev\"\n";
  const std::string fifo = (dir_ / "buttons").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_NO_FATAL_FAILURE(Start(3.0, {"--buttons", fifo}));
  EXPECT_EQ(Status()["scene"], "a.ph");
  EXPECT_FALSE(fs::exists(dir_ / "state")) << "nothing chosen yet, nothing written";
  {
    std::ofstream f(fifo);
    f << "press 27\n" << std::flush;  // prev from the first: the last scene
    EXPECT_EQ(WaitFor([](const json& j) { return j["scene"] == "c.ph"; })["scene"], "c.ph");
    f << "release 27\n" << std::flush;
  }
  {
    std::stringstream all;
    all << std::ifstream(dir_ / "state").rdbuf();
    EXPECT_EQ(all.str(), "c.ph\n") << "written whole, at once";
  }
  EXPECT_FALSE(fs::exists(dir_ / "state.tmp"));
  Write("c.ph", "cps: 1\no1: s \"click*3\"\n");  // a reload is not a choice
  EXPECT_TRUE(WaitFor([](const json& j) { return j["last_reload"]["message"] == "reload ok"; })["last_reload"]["ok"]);
  EXPECT_EQ(Wait(), 0);

  Start(0.8);
  EXPECT_EQ(Status()["scene"], "c.ph") << "the next boot starts the chosen scene";
  EXPECT_EQ(Wait(), 0);

  fs::remove(dir_ / "patterns" / "c.ph");
  Start(0.8);
  EXPECT_EQ(Status()["scene"], "a.ph") << "its file is gone: the first scene";
  EXPECT_EQ(Wait(), 0);
}

// Runs the shared rig's script (../shared/rigs/samba_loopback.sh) with a
// private folder and port.
int Smb(const std::string& rig_dir, int port, const std::string& args) {
  std::string cmd = "SMB_RIG_DIR='" + rig_dir + "' SMB_PORT=" + std::to_string(port) + " " + GB_SHARED_RIGS_DIR +
                    "/samba_loopback.sh " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

TEST_F(DaemonTest, UploadsOverSambaReloadOnTheCycleBoundaryAndBadOnesChangeNothing) {
  if (std::system("command -v smbd >/dev/null && command -v smbclient >/dev/null") != 0)
    GTEST_SKIP() << "samba/smbclient not installed";
  // smbd keeps UNIX sockets under its folders: keep the path short.
  const std::string rig = "/tmp/gbsmb_" + std::to_string(getpid());
  fs::remove_all(rig);
  const int port = 4450 + getpid() % 500;
  fs::create_directories(rig + "/share");
  std::ofstream(rig + "/share/a.ph") << "cps: 1\no1: s \"click*2\"\n";
  ASSERT_EQ(Smb(rig, port, "start"), 0) << "smbd did not start";
  // Point the daemon at the share's folder.
  std::ofstream(dir_ / "groovebox.toml") << "[audio]\ndevice = \"none\"\nrealtime = false\n"
                                         << "[patterns]\nfolder = \"" << rig << "/share\"\nsamples = \""
                                         << (dir_ / "samples").string() << "\"\n[status]\nsocket = \"" << Sock()
                                         << "\"\nstate_file = \"\"\n";
  Start(6.0);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  // A new version, uploaded by a client as a user's laptop would.
  std::ofstream(dir_ / "v2.ph") << "cps: 1\no1: s \"click*4\"\n";
  ASSERT_EQ(Smb(rig, port, "client -c 'put " + (dir_ / "v2.ph").string() + " a.ph'"), 0);
  json st = WaitFor([](const json& j) { return j["last_reload"].contains("swap_frame"); });
  ASSERT_TRUE(st["last_reload"]["ok"].get<bool>()) << st.dump();
  const int64_t swap = st["last_reload"]["swap_frame"].get<int64_t>();
  EXPECT_EQ(swap % kCycle, 0);
  // An upload cut off halfway: the first half of a valid file.
  const std::string full = "cps: 1\no1: s \"click*8 click\" # gain 0.9\n";
  std::ofstream(dir_ / "half.ph") << full.substr(0, full.size() / 2);
  ASSERT_EQ(Smb(rig, port, "client -c 'put " + (dir_ / "half.ph").string() + " a.ph'"), 0);
  st = WaitFor([](const json& j) { return !j["last_reload"]["ok"].get<bool>(); });
  EXPECT_FALSE(st["last_reload"]["ok"].get<bool>()) << st.dump();
  EXPECT_NE(st["last_reload"]["message"].get<std::string>().find("a.ph:2:"), std::string::npos) << st.dump();
  EXPECT_EQ(st["swaps"].get<int>(), 1) << "nothing changed";
  EXPECT_EQ(Wait(), 0);
  Smb(rig, port, "stop");
  // smbd starts samba-dcerpcd itself and the rig's stop leaves it running;
  // a stale one makes later smbclient calls wait ~30 s. Ours name our config.
  (void)std::system(("pkill -f 'samba-dcerpcd.*" + rig + "' >/dev/null 2>&1").c_str());
  fs::remove_all(rig);
  auto on = RecordedOnsets();
  ASSERT_GT(on.size(), 10u);
  for (size_t k = 1; k < on.size(); ++k)
    EXPECT_EQ(on[k] - on[k - 1], on[k] <= swap ? kCycle / 2 : kCycle / 4) << "onset at " << on[k];
}

TEST_F(DaemonTest, ABrokenConfigIsRefusedWithItsLineNumbers) {
  std::ofstream(dir_ / "bad.toml") << "[audio]\nrate = 7\n[patterns]\nswap = \"later\"\n";
  std::string cmd = std::string(GB_GROOVEBOX_BIN) + " run --config " + (dir_ / "bad.toml").string() + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  EXPECT_EQ(WEXITSTATUS(st), 2);
  EXPECT_NE(out.find("bad.toml:2: rate: must be from 8000 to 192000"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.toml:4: swap:"), std::string::npos) << out;
  EXPECT_NE(out.find("refusing to start"), std::string::npos) << out;
}

}  // namespace
