// Real-time safety of the engine: while it renders a busy file (voices
// starting and stealing, chords, filters, signal buses, random patterns), no
// heap allocation and no mutex lock happens on the audio thread or on any
// worker. The global allocator and pthread_mutex_lock are replaced by counting
// versions for the whole process; counting is switched on around Render only.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "tests/firmware/engine/engine_test_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<int> g_allocs{0};
std::atomic<int> g_locks{0};
}  // namespace

void* operator new(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, std::align_val_t a) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  if (void* p = std::aligned_alloc(static_cast<size_t>(a), (n + static_cast<size_t>(a) - 1) & ~(static_cast<size_t>(a) - 1))) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept {
  if (p && g_counting.load(std::memory_order_relaxed)) g_allocs.fetch_add(1);
  std::free(p);
}
void operator delete[](void* p) noexcept { operator delete(p); }
void operator delete(void* p, size_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t) noexcept { operator delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { operator delete(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { operator delete(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { operator delete(p); }

extern "C" int pthread_mutex_lock(pthread_mutex_t* m) {
  using Fn = int (*)(pthread_mutex_t*);
  static Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
  if (g_counting.load(std::memory_order_relaxed)) g_locks.fetch_add(1);
  return real(m);
}

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
  g_allocs = 0;
  g_locks = 0;
  g_counting = true;
  for (int b = 0; b < 3000; ++b) e.Render(128, l.data(), r.data());
  g_counting = false;
  *allocs = g_allocs;
  *locks = g_locks;
  *peak_voices = e.stats().peak_voices;
}

TEST(EngineRealTime, CountersWork) {
  int before = g_allocs;
  g_counting = true;
  auto* v = new std::vector<int>(10);
  delete v;
  g_counting = false;
  EXPECT_GE(g_allocs - before, 2);
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
    g_allocs = 0;
    g_locks = 0;
    g_counting = true;
    for (int b = 0; b < 200 && e.SwapPending(); ++b) e.Render(128, l.data(), r.data());
    for (int b = 0; b < 20; ++b) e.Render(128, l.data(), r.data());
    g_counting = false;
    allocs += g_allocs;
    locks += g_locks;
    e.CollectGarbage();
    swaps = e.swaps_done();
  }
  EXPECT_EQ(swaps, 100);
  EXPECT_EQ(allocs, 0);
  EXPECT_EQ(locks, 0);
}

}  // namespace
}  // namespace gb::fw
