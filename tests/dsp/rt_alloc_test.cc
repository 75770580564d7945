// Real-time safety proof: this binary replaces operator new/delete and the C
// allocator with counting versions, then asserts that rendering 1000 blocks of
// a busy workload on the pool (after Prepare) allocates and frees nothing, on
// the calling thread or on any worker.
#include <malloc.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include "dsp/workload.h"
#include "gtest/gtest.h"

// glibc's allocator entry points, which the replacements below forward to.
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}

namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_calls{0};

inline void Count() {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_calls.fetch_add(1, std::memory_order_relaxed);
  }
}

void* NewOrThrow(size_t n) {
  Count();
  void* p = __libc_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* AlignedNewOrThrow(size_t n, std::align_val_t a) {
  Count();
  void* p = __libc_memalign(static_cast<size_t>(a), n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

extern "C" {
void* malloc(size_t n) {
  Count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  Count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  Count();
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p != nullptr) Count();
  __libc_free(p);
}
void* memalign(size_t align, size_t n) {
  Count();
  return __libc_memalign(align, n);
}
void* aligned_alloc(size_t align, size_t n) {
  Count();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  Count();
  *out = __libc_memalign(align, n);
  return *out == nullptr ? ENOMEM : 0;
}
}

void* operator new(size_t n) { return NewOrThrow(n); }
void* operator new[](size_t n) { return NewOrThrow(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  Count();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  Count();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n, std::align_val_t a) {
  return AlignedNewOrThrow(n, a);
}
void* operator new[](size_t n, std::align_val_t a) {
  return AlignedNewOrThrow(n, a);
}
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept {
  free(p);
}

namespace gb::dsp {
namespace {

// Counts heap calls made on any thread while alive.
class CountAllocations {
 public:
  CountAllocations() {
    g_calls.store(0);
    g_counting.store(true);
  }
  ~CountAllocations() { g_counting.store(false); }
  size_t calls() const { return g_calls.load(); }
};

TEST(RtAlloc, TheCounterSeesNewMallocAndOtherThreads) {
  size_t calls;
  {
    CountAllocations count;
    delete new int(3);
    free(malloc(10));
    std::thread([] { delete[] new char[100]; }).join();
    calls = count.calls();
  }
  EXPECT_GE(calls, 6u);
}

TEST(RtAlloc, PoolRendersThousandBlocksWithoutTouchingTheHeap) {
  std::vector<float> sample(96000);
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (float& x : sample) x = u(rng);
  std::vector<SampleVoiceParams> sample_voices(1000);
  std::vector<SynthVoiceParams> synth_voices(1000);
  for (size_t i = 0; i < 1000; ++i) {
    sample_voices[i] = {.rate = 0.5 + 1.5 * (i % 97) / 97.0,
                        .gain = 0.01,
                        .pan = -1 + 2 * (i % 13) / 13.0};
    synth_voices[i] = {.freq_hz = 50.0 + 3 * i,
                       .cutoff_hz = 200.0 + 10 * i,
                       .rq = 0.25,
                       .gain = 0.01,
                       .pan = -1 + 2 * (i % 7) / 7.0};
  }
  WorkerPoolOptions options;
  options.threads = 3;
  WorkerPool pool(options);

  for (WorkloadKind kind : {WorkloadKind::kSampleCubic,
                            WorkloadKind::kSampleLinear,
                            WorkloadKind::kSynth}) {
    WorkloadParams p;
    p.kind = kind;
    p.time_s = 1000 * 64 / 48000.0;
    p.attack_s = 0.01;
    p.release_s = 0.2;  // the release falls inside the 1000 blocks
    p.sample = sample;
    p.sample_voices = sample_voices;
    p.synth_voices = synth_voices;
    WorkloadRenderer renderer;
    ASSERT_TRUE(renderer.Prepare(p, &pool).ok());
    std::vector<float> l(64), r(64);
    renderer.RenderBlock(l.data(), r.data(), 64);  // first-call warm-up

    // Which threads rendered, recorded without allocating.
    std::atomic<int> worker_chunks{0};
    const pthread_t caller = pthread_self();
    auto note = [&](size_t) {
      if (!pthread_equal(pthread_self(), caller)) worker_chunks.fetch_add(1);
    };
    size_t calls;
    {
      CountAllocations count;
      for (int block = 0; block < 1000; ++block) {
        renderer.RenderBlock(l.data(), r.data(), 64);
        pool.Run(4, note);
      }
      calls = count.calls();
    }
    EXPECT_EQ(calls, 0u) << "kind " << int(kind);
    EXPECT_GT(worker_chunks.load(), 0) << "workers took part";
    EXPECT_EQ(renderer.thread_count(), 3u);
  }
}

}  // namespace
}  // namespace gb::dsp
