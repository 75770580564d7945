// Real-time safety proof: this binary replaces operator new/delete and the C
// allocator with counting versions (tests/support/rt_counter.h), then asserts
// that rendering 1000 blocks of a busy workload on the pool (after Prepare)
// allocates and frees nothing, on the calling thread or on any worker.
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include "dsp/workload.h"
#include "gtest/gtest.h"
#include "tests/support/rt_counter.h"

namespace gb::dsp {
namespace {

// Counts heap calls made on any thread while alive.
class CountAllocations {
 public:
  size_t calls() const { return counting_.allocs(); }

 private:
  test_support::CountRtCalls counting_{test_support::CountThreads::kAll};
};

TEST(RtAlloc, TheCounterSeesNewMallocAndOtherThreads) {
  size_t calls;
  {
    CountAllocations count;
    // Through volatile pointers: the compiler may drop a new/delete or
    // malloc/free pair it can see whole.
    int* volatile i = new int(3);
    delete i;
    void* volatile p = malloc(10);
    free(p);
    std::thread([] {
      char* volatile c = new char[100];
      delete[] c;
    }).join();
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
