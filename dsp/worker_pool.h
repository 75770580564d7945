// The DSP worker pool: threads created once at start-up, each named, pinned to
// a core, SCHED_FIFO where permitted and with denormals flushed, that sleep
// until the audio thread posts a block job and then share its chunks with it.
// The per-block path is lock-free and allocation-free: an atomic ticket hands
// out chunks, C++20 atomic wait/notify (futex) puts threads to sleep and wakes
// them; nothing spins beyond the library's brief back-off.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace gb::dsp {

// Sets DAZ and FTZ (denormal inputs read as zero, results flush to zero) on the
// calling thread: x86 MXCSR, AArch64 FPCR.FZ. Every thread that renders must
// run in the same mode for renders to be bit-identical.
void FlushDenormalsOnThisThread();

// Restores the calling thread's floating-point mode on scope exit.
class ScopedFlushDenormals {
 public:
  ScopedFlushDenormals();
  ~ScopedFlushDenormals();
  ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
  ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;

 private:
  uint64_t saved_ = 0;
};

// Thread set-up, as the workers do it and as the audio thread should (on
// core 0, so no worker competes with it). Control thread / start-up only;
// each returns false when the system refuses.
// Cores are numbered over the CPUs the process may use, as first seen.
size_t AllowedCoreCount();
bool NameThisThread(const char* name);  // at most 15 characters
bool PinThisThreadToCore(size_t core_index);  // index modulo the count
bool MakeThisThreadRealtime(int priority);    // SCHED_FIFO

struct WorkerPoolOptions {
  // Threads that render, the caller of Run() included; the pool starts
  // threads - 1 workers. 0 = one per core the process may use.
  size_t threads = 0;
  bool pin_to_cores = true;  // worker w on core w (the caller belongs on 0)
  bool realtime = true;      // SCHED_FIFO when permitted
  int realtime_priority = 70;
  size_t stack_prefault_bytes = 128 * 1024;
};

// Renders chunk `chunk` of the job described by `context`. Runs on any pool
// thread or the caller; must not allocate, lock or block.
using ChunkFn = void (*)(void* context, size_t chunk);

class WorkerPool {
 public:
  // Control thread, at start-up: starts the workers and waits until each has
  // set itself up. Prints one warning to stderr per process if SCHED_FIFO or
  // pinning was refused, and carries on.
  explicit WorkerPool(const WorkerPoolOptions& options = {});
  ~WorkerPool();  // control thread: stops and joins the workers
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Audio thread: runs fn(context, c) once for every c in [0, chunk_count),
  // spread over the workers and the calling thread, and returns when all have
  // finished. The caller runs in flush-denormals mode for the duration. Not
  // re-entrant: one Run at a time.
  void Run(size_t chunk_count, ChunkFn fn, void* context);

  // Convenience for a callable `f(size_t chunk)` that outlives the call.
  template <class F>
  void Run(size_t chunk_count, F& f) {
    Run(chunk_count,
        [](void* ctx, size_t chunk) { (*static_cast<F*>(ctx))(chunk); }, &f);
  }

  size_t thread_count() const { return workers_.size() + 1; }
  // Set-up outcome, for diagnostics.
  size_t realtime_workers() const { return realtime_workers_; }
  size_t pinned_workers() const { return pinned_workers_; }

 private:
  struct Job {
    std::atomic<ChunkFn> fn{nullptr};
    std::atomic<void*> context{nullptr};
    std::atomic<uint32_t> chunk_count{0};
  };

  void WorkerMain(uint32_t seen);
  // Claims and renders chunks of the current job until none are left.
  void Drain(bool is_caller);

  // Job n lives in jobs_[n & 1]; ticket_ = (n << 32) | next unclaimed chunk.
  // A claim is a compare-exchange on ticket_, so a thread that slept through
  // a whole job can never take a chunk of the next one with stale fields.
  Job jobs_[2];
  alignas(64) std::atomic<uint64_t> ticket_{0};
  alignas(64) std::atomic<uint32_t> remaining_{0};   // chunks not yet done
  alignas(64) std::atomic<uint32_t> generation_{0};  // workers sleep on this
  std::atomic<bool> stop_{false};
  uint32_t job_number_ = 0;  // audio thread only

  std::atomic<uint32_t> started_{0};  // workers that finished set-up
  size_t realtime_workers_ = 0;
  size_t pinned_workers_ = 0;
  std::atomic<uint32_t> realtime_ok_{0};
  std::atomic<uint32_t> pinned_ok_{0};
  WorkerPoolOptions options_;
  std::vector<std::thread> workers_;
};

}  // namespace gb::dsp
