// Real-time safety of the engine: while it renders a busy file (voices
// starting and stealing, chords, filters, signal buses, random patterns), no
// heap allocation and no mutex lock happens on the audio thread or on any
// worker. The global allocator and pthread_mutex_lock are replaced by counting
// versions for the whole process (tests/support/rt_counter.h); counting is
// switched on, for every thread, around Render only.
#include <vector>

#include <gtest/gtest.h>

#include "tests/firmware/engine/engine_test_util.h"
#include "tests/support/rt_counter.h"

namespace gb::fw {
namespace {

const char* kBusyScene =
    "bpm: 140\n"
    "~lfo: sine 0.3\n"
    "~x: supersaw 110 0.3 5 # lpf (~lfo * 2000 + 400) 0.8\n"
    "~y: fm 220 330 2 # hpf 200\n"
    "o1: s \"~x*8\" # note \"<c4'min7 f3'min9>\" # adsr 0.01 0.1 0.6 0.3\n"
    "o2: s \"click*32?\" # pan rand # speed \"1 2 -1\" # lpf 3000 2\n"
    "o3: s \"dc(5,8,<0 2>)\" # cut 1 # begin 0.1 # end 0.5\n"
    "o4: jux rev $ every 2 (fast 2) $ s \"~y*4 click\" # n \"0 .. 3\"\n"
    "out: (saw \"<55 82.5>\" + noise * 0.1) * 0.2 # lpf 800\n";

void RenderCounting(size_t threads, int* allocs, int* locks, uint32_t* peak_voices) {
  auto bank = testing::TestSounds();
  auto p = testing::Program(kBusyScene);
  ASSERT_TRUE(p);
  EngineConfig cfg;
  cfg.max_block = 128;
  cfg.threads = threads;
  cfg.voices = 256;  // small, so stealing happens too
  cfg.sounds = bank.get();
  Engine e(cfg);
  std::string err;
  ASSERT_TRUE(e.SetProgram(p, &err)) << err;
  std::vector<float> l(128), r(128);
  e.Render(128, l.data(), r.data());  // warm-up block
  {
    test_support::CountRtCalls counting;
    for (int b = 0; b < 3000; ++b) e.Render(128, l.data(), r.data());
    *allocs = static_cast<int>(counting.allocs());
    *locks = static_cast<int>(counting.locks());
  }
  *peak_voices = e.stats().peak_voices;
}

TEST(EngineRealTime, CountersWork) {
  test_support::CountRtCalls counting;
  auto* v = new std::vector<int>(10);
  delete v;
  EXPECT_GE(counting.allocs(), 2u);
}

TEST(EngineRealTime, NoAllocationOrLockWhileRenderingOneThread) {
  int allocs = -1, locks = -1;
  uint32_t peak = 0;
  RenderCounting(1, &allocs, &locks, &peak);
  EXPECT_GE(peak, 30u) << "the scene should be busy";
  EXPECT_EQ(allocs, 0);
  EXPECT_EQ(locks, 0);
}

TEST(EngineRealTime, NoAllocationOrLockWhileRenderingOnTheWorkerPool) {
  int allocs = -1, locks = -1;
  uint32_t peak = 0;
  RenderCounting(3, &allocs, &locks, &peak);
  EXPECT_EQ(allocs, 0);
  EXPECT_EQ(locks, 0);
}

TEST(EngineRealTime, NoAllocationOrLockAcross100Swaps) {
  // The control side loads programs (allocating, not counted); the audio side
  // swaps them in on cycle and immediate boundaries while rendering (counted).
  auto bank = testing::TestSounds();
  const char* scenes[] = {kBusyScene, "bpm: 100\no1: s \"click*8\" # delay 0.2 0.4\nout: saw 110 * 0.1",
                          "cps: 0.7\n~l: sine 2\no1: s \"dc(3,8)\" # cut 1\nout: sine 220 * ~l * 0.2"};
  std::vector<std::shared_ptr<const EngineProgram>> programs;
  for (const char* s : scenes) programs.push_back(testing::Program(s));
  EngineConfig cfg;
  cfg.max_block = 128;
  cfg.threads = 2;
  cfg.voices = 256;
  cfg.sounds = bank.get();
  Engine e(cfg);
  std::string err;
  ASSERT_TRUE(e.SetProgram(programs[0], &err)) << err;
  std::vector<float> l(128), r(128);
  int allocs = 0, locks = 0;
  int64_t swaps = 0;
  for (int k = 0; k < 100; ++k) {
    auto st = e.Load(programs[static_cast<size_t>(k) % programs.size()], &err);
    ASSERT_TRUE(st) << err;
    ASSERT_TRUE(e.PostSwap(st, SwapAt{k % 2 ? SwapAt::Kind::kImmediate : SwapAt::Kind::kBeat, 1}));
    {
      test_support::CountRtCalls counting;
      for (int b = 0; b < 200 && e.SwapPending(); ++b) e.Render(128, l.data(), r.data());
      for (int b = 0; b < 20; ++b) e.Render(128, l.data(), r.data());
      allocs += static_cast<int>(counting.allocs());
      locks += static_cast<int>(counting.locks());
    }
    e.CollectGarbage();
    swaps = e.swaps_done();
  }
  EXPECT_EQ(swaps, 100);
  EXPECT_EQ(allocs, 0);
  EXPECT_EQ(locks, 0);
}

}  // namespace
}  // namespace gb::fw
