// Worker pool implementation. Everything that may fail or allocate (thread
// creation, naming, pinning, SCHED_FIFO, stack pre-faulting, the warning)
// happens in the constructor; Run() only touches atomics and the futex behind
// std::atomic::wait/notify.
#include "dsp/worker_pool.h"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "dsp/rt_thread.h"

namespace gb::dsp {

namespace {

#if defined(__x86_64__) || defined(__i386__)
constexpr uint32_t kMxcsrFtzDaz = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
uint64_t ReadFpMode() { return _mm_getcsr(); }
void WriteFpMode(uint64_t mode) { _mm_setcsr(static_cast<unsigned>(mode)); }
uint64_t FlushMode(uint64_t mode) { return mode | kMxcsrFtzDaz; }
#elif defined(__aarch64__)
uint64_t ReadFpMode() {
  uint64_t fpcr;
  asm volatile("mrs %0, fpcr" : "=r"(fpcr));
  return fpcr;
}
void WriteFpMode(uint64_t mode) { asm volatile("msr fpcr, %0" : : "r"(mode)); }
uint64_t FlushMode(uint64_t mode) { return mode | (uint64_t{1} << 24); }  // FZ
#elif defined(__arm__) && defined(__ARM_FP)
uint64_t ReadFpMode() {
  uint32_t fpscr;
  asm volatile("vmrs %0, fpscr" : "=r"(fpscr));
  return fpscr;
}
void WriteFpMode(uint64_t mode) {
  asm volatile("vmsr fpscr, %0" : : "r"(static_cast<uint32_t>(mode)));
}
uint64_t FlushMode(uint64_t mode) { return mode | (uint64_t{1} << 24); }  // FZ
#else
uint64_t ReadFpMode() { return 0; }
void WriteFpMode(uint64_t) {}
uint64_t FlushMode(uint64_t mode) { return mode; }
#endif

std::atomic<bool> g_warned{false};

// Touches `kStackPrefaultBytes` of stack so the first deep call on the audio
// path does not page-fault.
constexpr size_t kStackPrefaultBytes = 128 * 1024;
[[gnu::noinline]] void PrefaultStack() {
  unsigned char buf[kStackPrefaultBytes];
  std::memset(buf, 0, sizeof(buf));
  asm volatile("" : : "r"(buf) : "memory");
}

// The CPUs this process may run on, in order, as first seen (before any
// thread of ours is pinned): core index i means AllowedCpus()[i % size].
const std::vector<int>& AllowedCpus() {
  static const std::vector<int> cpus = [] {
    std::vector<int> list;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
      for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &set)) list.push_back(c);
      }
    }
    if (list.empty()) list.push_back(0);
    return list;
  }();
  return cpus;
}

}  // namespace

void FlushDenormalsOnThisThread() { WriteFpMode(FlushMode(ReadFpMode())); }

size_t AllowedCoreCount() { return AllowedCpus().size(); }

bool NameThisThread(const char* name) {
  return pthread_setname_np(pthread_self(), name) == 0;
}

bool PinThisThreadToCore(size_t core_index) {
  const std::vector<int>& cpus = AllowedCpus();
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus[core_index % cpus.size()], &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

bool MakeThisThreadRealtime(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
}

ScopedFlushDenormals::ScopedFlushDenormals() : saved_(ReadFpMode()) {
  WriteFpMode(FlushMode(saved_));
}

ScopedFlushDenormals::~ScopedFlushDenormals() { WriteFpMode(saved_); }

WorkerPool::WorkerPool(const WorkerPoolOptions& options) : options_(options) {
  const size_t threads =
      options.threads != 0 ? options.threads : AllowedCoreCount();
  workers_.reserve(threads - 1);
  for (size_t w = 1; w < threads; ++w) {
    workers_.emplace_back([this, w] {
      char name[16];
      std::snprintf(name, sizeof(name), "gb-dsp-%zu", w);
      NameThisThread(name);
      if (options_.pin_to_cores && PinThisThreadToCore(w)) {
        pinned_ok_.fetch_add(1, std::memory_order_relaxed);
      }
      if (options_.realtime &&
          MakeThisThreadRealtime(options_.realtime_priority)) {
        realtime_ok_.fetch_add(1, std::memory_order_relaxed);
      }
      FlushDenormalsOnThisThread();
      PrefaultStack();
      // No job can be posted before the constructor returns, so generation
      // 0 is the one this worker has seen. (Reading generation_ after
      // reporting in could miss the destructor's bump and sleep forever.)
      started_.fetch_add(1, std::memory_order_release);
      started_.notify_all();
      const rt::RealtimeScope realtime;  // from here on: no allocation, no lock
      WorkerMain(/*seen=*/0);
    });
  }
  // Wait (control thread, start-up only) until every worker is set up.
  for (uint32_t s; (s = started_.load(std::memory_order_acquire)) !=
                   workers_.size();) {
    started_.wait(s, std::memory_order_acquire);
  }
  realtime_workers_ = realtime_ok_.load();
  pinned_workers_ = pinned_ok_.load();
  const bool rt_refused =
      options.realtime && realtime_workers_ != workers_.size();
  const bool pin_refused =
      options.pin_to_cores && pinned_workers_ != workers_.size();
  if ((rt_refused || pin_refused) && !g_warned.exchange(true)) {
    std::fprintf(stderr,
                 "groovebox: dsp worker pool: %s%s%s; carrying on without\n",
                 rt_refused ? "SCHED_FIFO not permitted" : "",
                 rt_refused && pin_refused ? ", " : "",
                 pin_refused ? "could not pin workers to cores" : "");
  }
}

WorkerPool::~WorkerPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void WorkerPool::WorkerMain(uint32_t seen) {
  for (;;) {
    generation_.wait(seen, std::memory_order_acquire);  // futex sleep
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    Drain(/*is_caller=*/false);
  }
}

void WorkerPool::Drain(bool is_caller) {
  uint64_t ticket = ticket_.load(std::memory_order_acquire);
  for (;;) {
    const Job& job = jobs_[(ticket >> 32) & 1];
    const auto chunk = static_cast<uint32_t>(ticket);
    // A stale ticket can only make this read stale too; the exchange below
    // then fails, so a chunk is claimed only while its job is current.
    if (chunk >= job.chunk_count.load(std::memory_order_relaxed)) return;
    if (!ticket_.compare_exchange_weak(ticket, ticket + 1,
                                       std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
      continue;
    }
    job.fn.load(std::memory_order_relaxed)(
        job.context.load(std::memory_order_relaxed), chunk);
    // Only the caller waits on remaining_, so it never needs to wake itself.
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1 && !is_caller) {
      remaining_.notify_one();
    }
    ticket = ticket_.load(std::memory_order_acquire);
  }
}

void WorkerPool::Run(size_t chunk_count, ChunkFn fn, void* context) {
  if (chunk_count == 0) return;
  ScopedFlushDenormals flush;
  if (workers_.empty() || chunk_count == 1) {
    for (size_t c = 0; c < chunk_count; ++c) fn(context, c);
    return;
  }
  const uint32_t number = ++job_number_;
  Job& job = jobs_[number & 1];
  job.fn.store(fn, std::memory_order_relaxed);
  job.context.store(context, std::memory_order_relaxed);
  job.chunk_count.store(static_cast<uint32_t>(chunk_count),
                        std::memory_order_relaxed);
  remaining_.store(static_cast<uint32_t>(chunk_count),
                   std::memory_order_relaxed);
  ticket_.store(uint64_t{number} << 32, std::memory_order_release);
  generation_.store(number, std::memory_order_release);
  generation_.notify_all();

  Drain(/*is_caller=*/true);
  for (uint32_t r; (r = remaining_.load(std::memory_order_acquire)) != 0;) {
    remaining_.wait(r, std::memory_order_acquire);
  }
}

}  // namespace gb::dsp
