// The daemon on a paced ALSA device: the real groovebox binary plays on ALSA's
// jack plugin in front of a private jackd with the dummy backend (a timer
// posing as a 48 kHz card, tests/drivers/audio/jack_rig.h), under the
// real-time probe of tests/support.
//
// - A busy scene (many voices, delay, reverb, bitcrush, jux, random patterns)
//   for 60 s at 128-frame periods: 0 xruns, and a click on its own channel
//   pair (o9 routed to channels 3/4) lands on exactly its frames in what
//   reached the device (the rig tees the device's stream into a WAV). Label
//   "soak"; RUN_SERIAL.
// - 100 reloads and 100 scene switches on the paced device: no allocation, no
//   lock and no syscall on the audio thread or the worker outside the device
//   write, and no allocation inside it.
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "drivers/wav_writer.h"
#include "tests/drivers/audio/jack_rig.h"
#include "tests/firmware/app/daemon_harness.h"
#include "tests/firmware/app/rt_workout.h"

namespace gb::fw::testing {
namespace {

using drivers::testing::AlsaJackRig;

std::string Dump(const std::map<std::string, std::string>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += k + "=" + v + "\n";
  return s;
}

class DaemonOnJack : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AlsaJackRig::JackdInstalled()) GTEST_SKIP() << "jackd not installed (jackd2, libasound2-plugins)";
    rig_ = std::make_unique<AlsaJackRig>();
    ASSERT_TRUE(rig_->StartJack(48000, 128)) << rig_->error();
  }
  void TearDown() override {
    h_.Kill();
    rig_.reset();
  }
  // The [audio] section: the rig's PCM, 128-frame periods, SCHED_FIFO where
  // the system allows it. GB_DAEMON_JACK_PERIODS overrides the buffer's
  // period count (for experiments; the test's figure is the default).
  static std::string Audio(const std::string& device, int channels) {
    const char* periods = std::getenv("GB_DAEMON_JACK_PERIODS");
    return "[audio]\ndevice = \"" + device + "\"\nperiod = 128\nperiods = " + (periods ? periods : "3") +
           "\nchannels = " + std::to_string(channels) + "\nthreads = 2\nvoices = 1024\nrealtime = true\n";
  }
  std::unique_ptr<AlsaJackRig> rig_;
  DaemonHarness h_;
};

constexpr int64_t kClickEvery = 12000;  // cps 0.5: a cycle is 96000 frames; click*8

TEST_F(DaemonOnJack, BusySceneFor60sHasNoXrunsAndItsClicksLandOnTheirFrames) {
  h_.WriteConfig(Audio(AlsaJackRig::kPacedRecorded, 4) + "[routing]\no9 = 3\n");
  // The workout's busy scene at cps 0.5, plus the click on o9 alone.
  std::string scene = BusyScene(0);
  scene.replace(scene.find("cps: "), scene.find('\n') - scene.find("cps: "), "cps: 0.5");
  // Chords of plucks and slow pads on top: 60 voices at the peak offline.
  scene += "o6: s \"arpy*16\" # note \"<c5'maj9 a4'min9>\" # gain 0.3 # pan \"0 0.25 0.5 0.75 1\"\n";
  scene += "o7: s \"~x*4\" # note \"<c3'maj7 g3'min7>\" # adsr 0.2 0.3 0.5 1.5 # gain 0.3 # pan \"0.2 0.8\"\n";
  scene += "o9: s \"click*8\"\n";
  h_.WriteScene("busy.ph", scene);
  const fs::path rec = h_.dir() / "daemon.wav";
  ASSERT_NO_FATAL_FAILURE(h_.Start({"--seconds", "60", "--record", rec.string()}, ProbeEnv(h_.ProbeOut())));
  const json mid = h_.WaitFor([](const json& j) { return j["cycle"].get<double>() > 10.0; }, 40.0);
  EXPECT_EQ(mid["xruns"].get<int>(), 0) << mid.dump();
  EXPECT_EQ(mid["device"], AlsaJackRig::kPacedRecorded) << "on ALSA, not the fallback clock";
  EXPECT_EQ(mid["scene"], "busy.ph") << "the scene compiled: " << mid.dump();
  ASSERT_EQ(h_.Wait(), 0) << DaemonHarness::ReadText(h_.Log());
  const auto run = h_.RunSummary();
  const std::string log = DaemonHarness::ReadText(h_.Log());
  std::printf("%s", log.substr(log.rfind("run ") == std::string::npos ? 0 : log.rfind("run ")).c_str());
  ASSERT_TRUE(run.count("xruns")) << log;
  EXPECT_EQ(run.at("xruns"), "0") << log;
  EXPECT_GE(std::stol(run.at("peak_voices")), 40) << "a busy scene";

  // What reached the device (S16 through the rig's tee) and what the daemon
  // recorded: every click on its frame, nothing else on channels 3/4.
  rig_->StopJack();
  for (const fs::path& wav : {rig_->recording_path(), rec}) {
    SCOPED_TRACE(wav.string());
    const auto d = drivers::ReadWav(wav);
    ASSERT_TRUE(d.ok()) << d.error;
    ASSERT_EQ(d.channels, 4);
    EXPECT_GE(d.frames, 59 * 48000) << "about 60 s";
    std::vector<int64_t> clicks;
    double busy_energy = 0;
    for (int64_t i = 0; i < d.frames; ++i) {
      const float* f = &d.interleaved[static_cast<size_t>(i * d.channels)];
      if (std::fabs(f[2]) > 0.3f) clicks.push_back(i);
      busy_energy += static_cast<double>(f[0]) * static_cast<double>(f[0]) + static_cast<double>(f[1]) * static_cast<double>(f[1]);
    }
    EXPECT_GT(busy_energy / static_cast<double>(d.frames), 1e-4) << "the busy scene played on channels 1/2";
    const int64_t expected = (d.frames + kClickEvery - 1) / kClickEvery;
    EXPECT_EQ(static_cast<int64_t>(clicks.size()), expected);
    for (size_t k = 0; k < clicks.size(); ++k) {
      EXPECT_EQ(clicks[k], static_cast<int64_t>(k) * kClickEvery) << "click " << k;
      if (clicks[k] != static_cast<int64_t>(k) * kClickEvery) break;
    }
  }
  const auto m = h_.Probe();
  const auto n = [&](const char* k) { return DaemonHarness::Num(m, k); };
  std::printf("probe over the 60 s run: %s", Dump(m).c_str());
  EXPECT_EQ(n("attached"), 1) << Dump(m);
  EXPECT_EQ(n("rt_allocs"), 0) << Dump(m);
  EXPECT_EQ(n("rt_locks"), 0) << Dump(m);
  EXPECT_EQ(n("rt_syscalls"), 0) << Dump(m);
  EXPECT_EQ(n("device_allocs"), 0) << Dump(m);
}

TEST_F(DaemonOnJack, HundredReloadsAndSceneSwitchesNeitherAllocateNorLockOnRealtimeThreads) {
  h_.WriteConfig(Audio(AlsaJackRig::kPaced, 2),
                 "swap = \"immediate\"\ndebounce_ms = 20\n[gpio]\ndebounce_polls = 2\n[gpio.buttons]\n17 = \"next\"\n");
  WriteWorkoutScenes(h_);
  const std::string fifo = (h_.dir() / "buttons").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_NO_FATAL_FAILURE(h_.Start({"--buttons", fifo}, ProbeEnv(h_.ProbeOut())));
  EXPECT_EQ(h_.Status()["device"], AlsaJackRig::kPaced) << "on ALSA, not the fallback clock";
  const WorkoutResult w = Workout(h_, fifo, 100, 100);
  EXPECT_EQ(w.reloads, 100);
  EXPECT_EQ(w.switches, 100);
  const json st = h_.Status();
  EXPECT_EQ(h_.Stop(), 0) << DaemonHarness::ReadText(h_.Log());
  const auto m = h_.Probe();
  const auto n = [&](const char* k) { return DaemonHarness::Num(m, k); };
  const std::string all = Dump(m);
  std::printf("daemon under the probe (ALSA jack): xruns %d\n%s", st["xruns"].get<int>(), all.c_str());
  ASSERT_EQ(n("attached"), 1) << all;
  EXPECT_EQ(n("marked_threads"), 2) << all;
  EXPECT_GT(n("device_calls"), 1000) << "the probe saw alsa-lib's writes and waits\n" << all;
  EXPECT_EQ(n("rt_allocs"), 0) << all;
  EXPECT_EQ(n("rt_locks"), 0) << all;
  EXPECT_EQ(n("rt_syscalls"), 0) << all;
  EXPECT_EQ(n("device_allocs"), 0) << all;
}

}  // namespace
}  // namespace gb::fw::testing
