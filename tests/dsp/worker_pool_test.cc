// Worker pool: every chunk runs exactly once per job, for any thread count and
// thousands of jobs in a row; the workers are named, take part, and render in
// flush-denormals mode like the caller; creation and teardown are clean.
#include "dsp/worker_pool.h"

#include <pthread.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace gb::dsp {
namespace {

WorkerPoolOptions Threads(size_t n) {
  WorkerPoolOptions o;
  o.threads = n;
  return o;
}

// True when the calling thread flushes denormal results to zero.
bool FlushesDenormals() {
  volatile float tiny = 1e-30f;
  volatile float scale = 1e-10f;
  return tiny * scale == 0.f;
}

TEST(WorkerPool, RunsEveryChunkExactlyOnceForAnyThreadCount) {
  const size_t chunk_counts[] = {0, 1, 2, 3, 7, 16, 100};
  for (size_t threads : {1, 2, 3, 8}) {
    WorkerPool pool(Threads(threads));
    ASSERT_EQ(pool.thread_count(), threads);
    std::vector<std::atomic<int>> hits(100);
    for (int job = 0; job < 700; ++job) {
      const size_t n = chunk_counts[job % 7];
      for (auto& h : hits) h.store(0, std::memory_order_relaxed);
      auto fn = [&](size_t c) { hits[c].fetch_add(1); };
      pool.Run(n, fn);
      for (size_t c = 0; c < hits.size(); ++c) {
        ASSERT_EQ(hits[c].load(), c < n ? 1 : 0)
            << "threads " << threads << " job " << job << " chunk " << c;
      }
    }
  }
}

TEST(WorkerPool, SurvivesThousandsOfBlocks) {
  for (size_t threads : {2, 3, 8}) {
    WorkerPool pool(Threads(threads));
    std::vector<uint64_t> per_chunk(6, 0);  // each chunk writes only its own
    const int blocks = threads > 2 ? 5000 : 20000;
    for (int b = 0; b < blocks; ++b) {
      auto fn = [&](size_t c) { per_chunk[c] += c + 1; };
      pool.Run(per_chunk.size(), fn);
    }
    for (size_t c = 0; c < per_chunk.size(); ++c) {
      EXPECT_EQ(per_chunk[c], uint64_t(blocks) * (c + 1)) << threads;
    }
  }
}

TEST(WorkerPool, WorkersTakePartAndAreNamed) {
  WorkerPool pool(Threads(2));
  const pthread_t caller = pthread_self();
  std::atomic<int> on_workers{0};
  std::atomic<int> misnamed{0};
  for (int job = 0; job < 2000 && on_workers.load() == 0; ++job) {
    auto fn = [&](size_t) {
      // A little work so the caller does not take every chunk itself.
      volatile double x = 0;
      for (int i = 0; i < 2000; ++i) x = x + 1e-3;
      if (!pthread_equal(pthread_self(), caller)) {
        char name[16] = {};
        pthread_getname_np(pthread_self(), name, sizeof(name));
        if (std::strncmp(name, "gb-dsp-", 7) != 0) misnamed.fetch_add(1);
        on_workers.fetch_add(1);
      }
    };
    pool.Run(8, fn);
  }
  EXPECT_GT(on_workers.load(), 0);
  EXPECT_EQ(misnamed.load(), 0);
}

TEST(WorkerPool, EveryRenderingThreadFlushesDenormalsAndCallerIsRestored) {
  ASSERT_FALSE(FlushesDenormals()) << "test thread starts in IEEE mode";
  WorkerPool pool(Threads(3));
  std::atomic<int> ieee{0};
  for (int job = 0; job < 200; ++job) {
    auto fn = [&](size_t) {
      if (!FlushesDenormals()) ieee.fetch_add(1);
    };
    pool.Run(12, fn);
  }
  EXPECT_EQ(ieee.load(), 0);
  EXPECT_FALSE(FlushesDenormals()) << "Run restores the caller's mode";
}

TEST(WorkerPool, PinsWorkersWhenAllowed) {
  WorkerPool pool(Threads(3));
  if (pool.pinned_workers() != 2) GTEST_SKIP() << "pinning refused here";
  std::atomic<int> unpinned{0};
  const pthread_t caller = pthread_self();
  for (int job = 0; job < 200; ++job) {
    auto fn = [&](size_t) {
      if (pthread_equal(pthread_self(), caller)) return;
      cpu_set_t set;
      CPU_ZERO(&set);
      pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
      if (CPU_COUNT(&set) != 1) unpinned.fetch_add(1);
    };
    pool.Run(6, fn);
  }
  EXPECT_EQ(unpinned.load(), 0);
}

TEST(WorkerPool, DefaultsToOneThreadPerAllowedCore) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  WorkerPool pool;
  EXPECT_EQ(pool.thread_count(), static_cast<size_t>(CPU_COUNT(&set)));
}

TEST(WorkerPool, CarriesOnWithOneWarningWhenRealtimeIsRefused) {
  WorkerPoolOptions o = Threads(3);
  o.realtime_priority = 1000;  // out of SCHED_FIFO's range: always refused
  ::testing::internal::CaptureStderr();
  {
    WorkerPool a(o);
    WorkerPool b(o);
    EXPECT_EQ(a.realtime_workers(), 0u);
    EXPECT_EQ(b.realtime_workers(), 0u);
    std::atomic<int> n{0};
    auto fn = [&](size_t) { n.fetch_add(1); };
    a.Run(10, fn);
    b.Run(10, fn);
    EXPECT_EQ(n.load(), 20);
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  // One line per process at most (none here if an earlier pool warned).
  size_t lines = 0;
  for (size_t at = 0; (at = err.find("dsp worker pool", at)) != err.npos; ++at) {
    ++lines;
  }
  EXPECT_LE(lines, 1u) << err;
}

TEST(WorkerPool, StartsAndStopsCleanlyManyTimes) {
  for (int i = 0; i < 50; ++i) {
    WorkerPool pool(Threads(1 + i % 5));
    if (i % 2 == 0) {
      std::atomic<int> n{0};
      auto fn = [&](size_t) { n.fetch_add(1); };
      pool.Run(9, fn);
      ASSERT_EQ(n.load(), 9);
    }
  }
}

}  // namespace
}  // namespace gb::dsp
