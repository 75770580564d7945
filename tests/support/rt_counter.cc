// The counting replacements behind rt_counter.h. glibc's __libc_* entry points
// are the real allocator (no dlsym, so no recursion); pthread_mutex_lock is
// forwarded through dlsym(RTLD_NEXT).
#include "tests/support/rt_counter.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}

namespace {

std::atomic<bool> g_all{false};
// Initial-exec TLS in the executable: reading it never allocates.
thread_local bool t_this = false;
std::atomic<size_t> g_allocs{0};
std::atomic<size_t> g_locks{0};

inline bool Counting() { return t_this || g_all.load(std::memory_order_relaxed); }
inline void CountAlloc() {
  if (Counting()) g_allocs.fetch_add(1, std::memory_order_relaxed);
}
inline void CountLock() {
  if (Counting()) g_locks.fetch_add(1, std::memory_order_relaxed);
}

void* NewOrThrow(size_t n) {
  CountAlloc();
  void* p = __libc_malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* AlignedNewOrThrow(size_t n, std::align_val_t a) {
  CountAlloc();
  void* p = __libc_memalign(static_cast<size_t>(a), n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void Delete(void* p) {
  if (p != nullptr) CountAlloc();
  __libc_free(p);
}

using LockFn = int (*)(pthread_mutex_t*);
LockFn RealLock(const char* name, std::atomic<LockFn>& slot) {
  LockFn f = slot.load(std::memory_order_acquire);
  if (f == nullptr) {
    f = reinterpret_cast<LockFn>(dlsym(RTLD_NEXT, name));
    slot.store(f, std::memory_order_release);
  }
  return f;
}
std::atomic<LockFn> g_real_lock{nullptr}, g_real_trylock{nullptr};

}  // namespace

namespace gb::test_support {

CountRtCalls::CountRtCalls(CountThreads who) : who_(who) {
  RealLock("pthread_mutex_lock", g_real_lock);  // resolved before counting starts
  RealLock("pthread_mutex_trylock", g_real_trylock);
  g_allocs.store(0);
  g_locks.store(0);
  if (who_ == CountThreads::kAll) g_all.store(true);
  else t_this = true;
}
CountRtCalls::~CountRtCalls() {
  if (who_ == CountThreads::kAll) g_all.store(false);
  else t_this = false;
}
size_t CountRtCalls::allocs() const { return g_allocs.load(); }
size_t CountRtCalls::locks() const { return g_locks.load(); }

}  // namespace gb::test_support

extern "C" {
void* malloc(size_t n) {
  CountAlloc();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  CountAlloc();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  CountAlloc();
  return __libc_realloc(p, n);
}
void free(void* p) { Delete(p); }
void* memalign(size_t align, size_t n) {
  CountAlloc();
  return __libc_memalign(align, n);
}
void* aligned_alloc(size_t align, size_t n) {
  CountAlloc();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  CountAlloc();
  void* p = __libc_memalign(align, n);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
int pthread_mutex_lock(pthread_mutex_t* m) {
  CountLock();
  return RealLock("pthread_mutex_lock", g_real_lock)(m);
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  CountLock();
  return RealLock("pthread_mutex_trylock", g_real_trylock)(m);
}
}

void* operator new(size_t n) { return NewOrThrow(n); }
void* operator new[](size_t n) { return NewOrThrow(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  CountAlloc();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  CountAlloc();
  return __libc_malloc(n == 0 ? 1 : n);
}
void* operator new(size_t n, std::align_val_t a) { return AlignedNewOrThrow(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return AlignedNewOrThrow(n, a); }
void operator delete(void* p) noexcept { Delete(p); }
void operator delete[](void* p) noexcept { Delete(p); }
void operator delete(void* p, size_t) noexcept { Delete(p); }
void operator delete[](void* p, size_t) noexcept { Delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { Delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Delete(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { Delete(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { Delete(p); }
