// Real-time safety inside the running daemon: the real groovebox binary runs
// under tests/support's LD_PRELOAD probe, which counts every allocation, lock
// and syscall made by a thread marked real-time (the audio thread and the DSP
// workers, dsp/rt_thread.h), while the test performs 100 reloads and 100
// scene switches during playback (saved files, the status socket and FIFO
// buttons). Expected: nothing, apart from the device write itself.
//
// The probe's own checks: a program whose marked thread makes one call of
// each kind is counted exactly (and its unmarked threads not at all); and with
// GB_RT_PROBE_ALL=1 the probe does count the daemon's own (control thread)
// allocations and syscalls, so a zero is not a probe that saw nothing.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/firmware/app/daemon_harness.h"
#include "tests/firmware/app/rt_workout.h"

namespace gb::fw::testing {
namespace {

std::string Dump(const std::map<std::string, std::string>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += k + "=" + v + "\n";
  return s;
}

TEST(RtProbe, CountsExactlyWhatAMarkedThreadCallsAndNothingElse) {
  const fs::path out = fs::path(::testing::TempDir()) / ("gb_probe_self_" + std::to_string(getpid()) + ".txt");
  fs::remove(out);
  const std::string cmd = "GB_RT_PROBE_OUT='" + out.string() + "' LD_PRELOAD='" + GB_RT_PROBE_LIB + "' '" +
                          GB_RT_PROBE_SELFTEST + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::map<std::string, std::string> m;
  {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line))
      if (auto eq = line.find('='); eq != std::string::npos && line.rfind("violation", 0) != 0)
        m[line.substr(0, eq)] = line.substr(eq + 1);
  }
  fs::remove(out);
  const auto n = [&](const char* k) { return DaemonHarness::Num(m, k); };
  const std::string all = Dump(m);
  EXPECT_EQ(n("attached"), 1) << all;
  EXPECT_EQ(n("marked_threads"), 1) << all;
  // One of each on the marked thread, outside the device scope...
  EXPECT_EQ(n("rt.malloc"), 1) << all;
  EXPECT_EQ(n("rt.free"), 1) << all;
  EXPECT_EQ(n("rt.operator_new"), 1) << all;
  EXPECT_EQ(n("rt.operator_delete"), 1) << all;
  EXPECT_EQ(n("rt.pthread_mutex_lock"), 1) << all;
  EXPECT_EQ(n("rt.sem_wait"), 1) << all;
  EXPECT_EQ(n("rt.sem_post"), 1) << all;
  EXPECT_EQ(n("rt.write"), 1) << all;
  EXPECT_EQ(n("rt_allocs"), 4) << all;
  EXPECT_EQ(n("rt_locks"), 3) << all;
  EXPECT_EQ(n("rt_syscalls"), 1) << all;
  // ...the device's write apart, and the two unmarked threads not at all.
  EXPECT_EQ(n("device.write"), 1) << all;
  EXPECT_EQ(n("device_calls"), 1) << all;
}

class DaemonRt : public ::testing::Test {
 protected:
  DaemonHarness h_;
};

TEST_F(DaemonRt, HundredReloadsAndSceneSwitchesDuringPlaybackNeitherAllocateNorLockOnRealtimeThreads) {
  // Silent real-time clock, 2 DSP threads (the audio thread and one worker),
  // swaps on the next block so every reload and switch really swaps.
  h_.WriteConfig("[audio]\ndevice = \"none\"\nthreads = 2\nvoices = 512\nrealtime = false\n",
                 "swap = \"immediate\"\ndebounce_ms = 20\n[gpio]\ndebounce_polls = 2\n[gpio.buttons]\n17 = \"next\"\n");
  WriteWorkoutScenes(h_);
  const std::string fifo = (h_.dir() / "buttons").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_NO_FATAL_FAILURE(h_.Start({"--buttons", fifo}, ProbeEnv(h_.ProbeOut())));
  const WorkoutResult w = Workout(h_, fifo, /*reloads=*/100, /*switches=*/100);
  EXPECT_EQ(w.reloads, 100);
  EXPECT_EQ(w.switches, 100);
  const json st = h_.Status();
  EXPECT_GE(st["swaps"].get<int>(), 200) << st.dump();
  EXPECT_EQ(h_.Stop(), 0) << DaemonHarness::ReadText(h_.Log());
  const auto m = h_.Probe();
  const auto n = [&](const char* k) { return DaemonHarness::Num(m, k); };
  const std::string all = Dump(m);
  std::printf("daemon under the probe (clock): %s", all.c_str());
  ASSERT_EQ(n("attached"), 1) << "the probe did not find the binary's marks\n" << all;
  EXPECT_EQ(n("marked_threads"), 2) << "the audio thread and one worker\n" << all;
  // Hundreds of periods at the least (about 375 a second where the machine
  // keeps up; qemu-user on a loaded arm64 CI machine managed 942 in all).
  EXPECT_GT(n("device_calls"), 300) << "the probe saw the audio thread's device waits\n" << all;
  EXPECT_EQ(n("rt_allocs"), 0) << all;
  EXPECT_EQ(n("rt_locks"), 0) << all;
  EXPECT_EQ(n("rt_syscalls"), 0) << all;
  EXPECT_EQ(n("device_allocs"), 0) << all;
  EXPECT_EQ(n("device_locks"), 0) << all;
  const auto run = h_.RunSummary();
  EXPECT_GE(std::stol(run.count("peak_voices") ? run.at("peak_voices") : "0"), 10) << "voices sounded";
}

TEST_F(DaemonRt, TheProbeCountsTheDaemonsOwnAllocationsWhenEveryThreadIsCounted) {
  // The control: the same probe, told to count every thread, must see the
  // control thread compile a reload (allocations) and log it (syscalls).
  h_.WriteConfig("[audio]\ndevice = \"none\"\nthreads = 2\nrealtime = false\n", "swap = \"immediate\"\ndebounce_ms = 20\n");
  WriteWorkoutScenes(h_);
  ASSERT_NO_FATAL_FAILURE(h_.Start({}, ProbeEnv(h_.ProbeOut(), /*all_threads=*/true)));
  const WorkoutResult w = Workout(h_, "", /*reloads=*/2, /*switches=*/0);
  EXPECT_EQ(w.reloads, 2);
  EXPECT_EQ(h_.Stop(), 0);
  const auto m = h_.Probe();
  const auto n = [&](const char* k) { return DaemonHarness::Num(m, k); };
  EXPECT_EQ(n("all_threads"), 1) << Dump(m);
  EXPECT_GT(n("rt.operator_new") + n("rt.malloc"), 100) << Dump(m);
  EXPECT_GT(n("rt.operator_delete") + n("rt.free"), 100) << Dump(m);
  EXPECT_GT(n("rt_syscalls"), 10) << Dump(m);
}

}  // namespace
}  // namespace gb::fw::testing
