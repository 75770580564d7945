// In-process real-time counters for the engine, dsp, driver and pattern RT
// tests: linking tests/support's gb_rt_counter replaces malloc and friends,
// operator new/delete and pthread_mutex_lock/trylock with versions that count
// while a CountRtCalls scope is alive (on every thread, or on the thread
// that opened it). One binary per test that links it: it replaces the
// allocator for the whole process.
#pragma once

#include <cstddef>

namespace gb::test_support {

enum class CountThreads {
  kAll,         // every thread of the process (an engine and its workers)
  kThisThread,  // only the thread that opened the scope (not JACK's own threads)
};

// Resets the counts and counts until destroyed. Scopes do not nest.
class CountRtCalls {
 public:
  explicit CountRtCalls(CountThreads who = CountThreads::kAll);
  ~CountRtCalls();
  CountRtCalls(const CountRtCalls&) = delete;
  CountRtCalls& operator=(const CountRtCalls&) = delete;
  size_t allocs() const;  // malloc, calloc, realloc, free, aligned, new, delete
  size_t locks() const;   // pthread_mutex_lock and trylock

 private:
  CountThreads who_;
};

}  // namespace gb::test_support
