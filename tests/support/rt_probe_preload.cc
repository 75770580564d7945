// The real-time probe: an LD_PRELOAD library that counts, inside the real
// groovebox binary, every allocation, lock and syscall made by a thread that
// has marked itself real-time (dsp/rt_thread.h: the audio thread and the DSP
// workers). It reads the mark through the binary's exported
// gb_rt_thread_state(); calls inside the device write (the blocking the audio
// thread is allowed) are counted apart. At exit it writes its counts as
// `key=value` lines to the file named by $GB_RT_PROBE_OUT.
//
//   GB_RT_PROBE_OUT=counts.txt LD_PRELOAD=librt_probe.so groovebox run ...
//   GB_RT_PROBE_ALL=1: count every thread (a control: the probe does see the
//   daemon's own allocations).
//
// Everything here is async-signal-simple: counters are relaxed atomics, the
// real allocator is glibc's __libc_* entry points (no dlsym, so no recursion),
// the real pthread and I/O functions are resolved with dlsym(RTLD_NEXT) once.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <new>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}

namespace {

enum Category { kAlloc, kLock, kSyscall, kWait };

// X(name, category): one row per counted function.
#define GB_PROBE_KINDS(X)                                                                    \
  X(malloc, kAlloc) X(calloc, kAlloc) X(realloc, kAlloc) X(free, kAlloc)                     \
  X(aligned_alloc, kAlloc) X(posix_memalign, kAlloc) X(memalign, kAlloc) X(valloc, kAlloc)   \
  X(operator_new, kAlloc) X(operator_delete, kAlloc)                                         \
  X(pthread_mutex_lock, kLock) X(pthread_mutex_trylock, kLock)                               \
  X(pthread_mutex_timedlock, kLock) X(pthread_rwlock_rdlock, kLock)                          \
  X(pthread_rwlock_wrlock, kLock) X(pthread_spin_lock, kLock) X(pthread_cond_wait, kLock)    \
  X(pthread_cond_timedwait, kLock) X(pthread_cond_signal, kLock)                             \
  X(pthread_cond_broadcast, kLock) X(sem_wait, kLock) X(sem_timedwait, kLock)                \
  X(sem_post, kLock)                                                                         \
  X(write, kSyscall) X(writev, kSyscall) X(read, kSyscall) X(open, kSyscall)                 \
  X(openat, kSyscall) X(close, kSyscall) X(poll, kSyscall) X(ppoll, kSyscall)                \
  X(select, kSyscall) X(nanosleep, kSyscall) X(clock_nanosleep, kSyscall)                    \
  X(usleep, kSyscall) X(ioctl, kSyscall) X(fsync, kSyscall) X(send, kSyscall)                \
  X(sendto, kSyscall) X(recv, kSyscall) X(recvfrom, kSyscall) X(syscall_other, kSyscall)     \
  X(sched_yield, kWait) X(futex, kWait)

enum Kind {
#define GB_ENUM(n, c) k_##n,
  GB_PROBE_KINDS(GB_ENUM)
#undef GB_ENUM
  kKinds
};

struct KindInfo {
  const char* name;
  Category category;
};
constexpr KindInfo kInfo[kKinds] = {
#define GB_INFO(n, c) {#n, c},
    GB_PROBE_KINDS(GB_INFO)
#undef GB_INFO
};

using StateFn = int (*)();
using CountFn = uint32_t (*)();
std::atomic<StateFn> g_state{nullptr};
std::atomic<CountFn> g_marked{nullptr};
bool g_all = false;            // counting every thread now
bool g_all_requested = false;  // GB_RT_PROBE_ALL was set

std::atomic<uint64_t> g_rt[kKinds];      // real-time thread, outside the device write
std::atomic<uint64_t> g_device[kKinds];  // real-time thread, inside the device write

// The first few real-time violations, for the report.
struct Violation {
  Kind kind;
  void* caller;
  char thread[16];
};
constexpr int kMaxViolations = 12;
Violation g_first[kMaxViolations];
std::atomic<int> g_nfirst{0};

inline int ThreadState() {
  if (g_all) return 1;
  StateFn f = g_state.load(std::memory_order_relaxed);
  return f ? f() : 0;
}

// Counts `kind` if the calling thread is marked real-time.
inline void Note(Kind kind, void* caller) {
  const int s = ThreadState();
  if (!(s & 1)) return;
  if (s & 2) {
    g_device[kind].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_rt[kind].fetch_add(1, std::memory_order_relaxed);
  if (kInfo[kind].category == kWait) return;
  const int i = g_nfirst.fetch_add(1, std::memory_order_relaxed);
  if (i < kMaxViolations) {
    g_first[i].kind = kind;
    g_first[i].caller = caller;
    prctl(PR_GET_NAME, g_first[i].thread, 0, 0, 0);
  }
}

#define CALLER __builtin_return_address(0)

template <typename Fn>
Fn Real(std::atomic<Fn>& slot, const char* name) {
  Fn f = slot.load(std::memory_order_acquire);
  if (!f) {
    f = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
    slot.store(f, std::memory_order_release);
  }
  return f;
}
#define REAL(name)                                                         \
  static std::atomic<decltype(&::name)> real_slot{nullptr};                \
  auto real = Real(real_slot, #name);                                      \
  if (!real) {                                                             \
    errno = ENOSYS;                                                        \
  }

void Report() {
  const char* path = getenv("GB_RT_PROBE_OUT");
  if (!path || !*path) return;
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[512];
  auto put = [&](int n) {
    if (n > 0) (void)!::write(fd, line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
  };
  CountFn marked = g_marked.load();
  put(snprintf(line, sizeof line, "attached=%d\nall_threads=%d\nmarked_threads=%u\n",
               g_state.load() != nullptr ? 1 : 0, g_all_requested ? 1 : 0, marked ? marked() : 0u));
  uint64_t total[4] = {0, 0, 0, 0}, dev[4] = {0, 0, 0, 0}, dev_calls = 0;
  for (int k = 0; k < kKinds; ++k) {
    total[kInfo[k].category] += g_rt[k].load();
    dev[kInfo[k].category] += g_device[k].load();
    dev_calls += g_device[k].load();
  }
  put(snprintf(line, sizeof line,
               "rt_allocs=%llu\nrt_locks=%llu\nrt_syscalls=%llu\nrt_waits=%llu\n"
               "device_allocs=%llu\ndevice_locks=%llu\ndevice_syscalls=%llu\ndevice_calls=%llu\n",
               (unsigned long long)total[kAlloc], (unsigned long long)total[kLock],
               (unsigned long long)total[kSyscall], (unsigned long long)total[kWait],
               (unsigned long long)dev[kAlloc], (unsigned long long)dev[kLock],
               (unsigned long long)dev[kSyscall], (unsigned long long)dev_calls));
  for (int k = 0; k < kKinds; ++k) {
    if (g_rt[k].load()) put(snprintf(line, sizeof line, "rt.%s=%llu\n", kInfo[k].name, (unsigned long long)g_rt[k].load()));
    if (g_device[k].load())
      put(snprintf(line, sizeof line, "device.%s=%llu\n", kInfo[k].name, (unsigned long long)g_device[k].load()));
  }
  const int n = g_nfirst.load() < kMaxViolations ? g_nfirst.load() : kMaxViolations;
  for (int i = 0; i < n; ++i) {
    Dl_info info{};
    const char* sym = "?";
    const char* obj = "?";
    uintptr_t off = 0;
    if (dladdr(g_first[i].caller, &info)) {
      if (info.dli_sname) {
        sym = info.dli_sname;
        off = reinterpret_cast<uintptr_t>(g_first[i].caller) - reinterpret_cast<uintptr_t>(info.dli_saddr);
      } else if (info.dli_fbase) {
        off = reinterpret_cast<uintptr_t>(g_first[i].caller) - reinterpret_cast<uintptr_t>(info.dli_fbase);
      }
      if (info.dli_fname) obj = info.dli_fname;
    }
    put(snprintf(line, sizeof line, "violation=%s thread=%s caller=%s+0x%lx (%s)\n", kInfo[g_first[i].kind].name,
                 g_first[i].thread, sym, static_cast<unsigned long>(off), obj));
  }
  ::close(fd);
}

__attribute__((constructor)) void Attach() {
  const char* all = getenv("GB_RT_PROBE_ALL");
  g_all = g_all_requested = all && *all == '1';
  // The executable's exported marks; absent in a binary without them.
  g_state.store(reinterpret_cast<StateFn>(dlsym(RTLD_DEFAULT, "gb_rt_thread_state")));
  g_marked.store(reinterpret_cast<CountFn>(dlsym(RTLD_DEFAULT, "gb_rt_marked_threads")));
}

__attribute__((destructor)) void Detach() {
  g_all = false;  // the report's own calls are not counted
  Report();
}

}  // namespace

extern "C" {

// Allocation: glibc's own entry points underneath, so there is no recursion.
void* malloc(size_t n) {
  Note(k_malloc, CALLER);
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  Note(k_calloc, CALLER);
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  Note(k_realloc, CALLER);
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p) Note(k_free, CALLER);
  __libc_free(p);
}
void* aligned_alloc(size_t align, size_t n) {
  Note(k_aligned_alloc, CALLER);
  return __libc_memalign(align, n);
}
void* memalign(size_t align, size_t n) {
  Note(k_memalign, CALLER);
  return __libc_memalign(align, n);
}
void* valloc(size_t n) {
  Note(k_valloc, CALLER);
  return __libc_memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  Note(k_posix_memalign, CALLER);
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

// Locks and waits.
int pthread_mutex_lock(pthread_mutex_t* m) {
  Note(k_pthread_mutex_lock, CALLER);
  REAL(pthread_mutex_lock);
  return real ? real(m) : ENOSYS;
}
int pthread_mutex_trylock(pthread_mutex_t* m) {
  Note(k_pthread_mutex_trylock, CALLER);
  REAL(pthread_mutex_trylock);
  return real ? real(m) : ENOSYS;
}
int pthread_mutex_timedlock(pthread_mutex_t* m, const struct timespec* t) {
  Note(k_pthread_mutex_timedlock, CALLER);
  REAL(pthread_mutex_timedlock);
  return real ? real(m, t) : ENOSYS;
}
int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  Note(k_pthread_rwlock_rdlock, CALLER);
  REAL(pthread_rwlock_rdlock);
  return real ? real(l) : ENOSYS;
}
int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  Note(k_pthread_rwlock_wrlock, CALLER);
  REAL(pthread_rwlock_wrlock);
  return real ? real(l) : ENOSYS;
}
int pthread_spin_lock(pthread_spinlock_t* l) {
  Note(k_pthread_spin_lock, CALLER);
  REAL(pthread_spin_lock);
  return real ? real(l) : ENOSYS;
}
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  Note(k_pthread_cond_wait, CALLER);
  REAL(pthread_cond_wait);
  return real ? real(c, m) : ENOSYS;
}
int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const struct timespec* t) {
  Note(k_pthread_cond_timedwait, CALLER);
  REAL(pthread_cond_timedwait);
  return real ? real(c, m, t) : ENOSYS;
}
int pthread_cond_signal(pthread_cond_t* c) {
  Note(k_pthread_cond_signal, CALLER);
  REAL(pthread_cond_signal);
  return real ? real(c) : ENOSYS;
}
int pthread_cond_broadcast(pthread_cond_t* c) {
  Note(k_pthread_cond_broadcast, CALLER);
  REAL(pthread_cond_broadcast);
  return real ? real(c) : ENOSYS;
}
int sem_wait(sem_t* s) {
  Note(k_sem_wait, CALLER);
  REAL(sem_wait);
  return real ? real(s) : -1;
}
int sem_timedwait(sem_t* s, const struct timespec* t) {
  Note(k_sem_timedwait, CALLER);
  REAL(sem_timedwait);
  return real ? real(s, t) : -1;
}
int sem_post(sem_t* s) {
  Note(k_sem_post, CALLER);
  REAL(sem_post);
  return real ? real(s) : -1;
}

// Syscalls (I/O, sleeps, logging underneath stdio).
ssize_t write(int fd, const void* b, size_t n) {
  Note(k_write, CALLER);
  REAL(write);
  return real ? real(fd, b, n) : -1;
}
ssize_t writev(int fd, const struct iovec* v, int n) {
  Note(k_writev, CALLER);
  REAL(writev);
  return real ? real(fd, v, n) : -1;
}
ssize_t read(int fd, void* b, size_t n) {
  Note(k_read, CALLER);
  REAL(read);
  return real ? real(fd, b, n) : -1;
}
int open(const char* path, int flags, ...) {
  Note(k_open, CALLER);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = static_cast<mode_t>(va_arg(ap, int));
    va_end(ap);
  }
  REAL(open);
  return real ? real(path, flags, mode) : -1;
}
int openat(int dir, const char* path, int flags, ...) {
  Note(k_openat, CALLER);
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = static_cast<mode_t>(va_arg(ap, int));
    va_end(ap);
  }
  REAL(openat);
  return real ? real(dir, path, flags, mode) : -1;
}
int close(int fd) {
  Note(k_close, CALLER);
  REAL(close);
  return real ? real(fd) : -1;
}
int poll(struct pollfd* f, nfds_t n, int timeout) {
  Note(k_poll, CALLER);
  REAL(poll);
  return real ? real(f, n, timeout) : -1;
}
int ppoll(struct pollfd* f, nfds_t n, const struct timespec* t, const sigset_t* s) {
  Note(k_ppoll, CALLER);
  REAL(ppoll);
  return real ? real(f, n, t, s) : -1;
}
int select(int n, fd_set* r, fd_set* w, fd_set* e, struct timeval* t) {
  Note(k_select, CALLER);
  REAL(select);
  return real ? real(n, r, w, e, t) : -1;
}
int nanosleep(const struct timespec* req, struct timespec* rem) {
  Note(k_nanosleep, CALLER);
  REAL(nanosleep);
  return real ? real(req, rem) : -1;
}
int clock_nanosleep(clockid_t c, int flags, const struct timespec* req, struct timespec* rem) {
  Note(k_clock_nanosleep, CALLER);
  REAL(clock_nanosleep);
  return real ? real(c, flags, req, rem) : ENOSYS;
}
int usleep(useconds_t us) {
  Note(k_usleep, CALLER);
  REAL(usleep);
  return real ? real(us) : -1;
}
int ioctl(int fd, unsigned long req, ...) {
  Note(k_ioctl, CALLER);
  va_list ap;
  va_start(ap, req);
  void* arg = va_arg(ap, void*);
  va_end(ap);
  using Fn = int (*)(int, unsigned long, void*);
  static std::atomic<Fn> slot{nullptr};
  Fn real = Real(slot, "ioctl");
  return real ? real(fd, req, arg) : -1;
}
int fsync(int fd) {
  Note(k_fsync, CALLER);
  REAL(fsync);
  return real ? real(fd) : -1;
}
ssize_t send(int fd, const void* b, size_t n, int flags) {
  Note(k_send, CALLER);
  REAL(send);
  return real ? real(fd, b, n, flags) : -1;
}
ssize_t sendto(int fd, const void* b, size_t n, int flags, const struct sockaddr* a, socklen_t al) {
  Note(k_sendto, CALLER);
  REAL(sendto);
  return real ? real(fd, b, n, flags, a, al) : -1;
}
ssize_t recv(int fd, void* b, size_t n, int flags) {
  Note(k_recv, CALLER);
  REAL(recv);
  return real ? real(fd, b, n, flags) : -1;
}
ssize_t recvfrom(int fd, void* b, size_t n, int flags, struct sockaddr* a, socklen_t* al) {
  Note(k_recvfrom, CALLER);
  REAL(recvfrom);
  return real ? real(fd, b, n, flags, a, al) : -1;
}
int sched_yield(void) {
  Note(k_sched_yield, CALLER);
  REAL(sched_yield);
  return real ? real() : -1;
}
// syscall(2), through which libstdc++'s std::atomic::wait/notify reach the
// futex: waits and wakes are counted apart from other syscalls.
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (long& x : a) x = va_arg(ap, long);
  va_end(ap);
  Note(number == SYS_futex ? k_futex : k_syscall_other, CALLER);
  using Fn = long (*)(long, ...);
  static std::atomic<Fn> slot{nullptr};
  Fn real = Real(slot, "syscall");
  return real ? real(number, a[0], a[1], a[2], a[3], a[4], a[5]) : -1;
}

}  // extern "C"

// operator new/delete: counted by name, then straight to glibc (not through
// the malloc above, so each is counted once).
void* operator new(size_t n) {
  Note(k_operator_new, CALLER);
  void* p = __libc_malloc(n ? n : 1);
  if (!p) abort();
  return p;
}
void* operator new[](size_t n) {
  Note(k_operator_new, CALLER);
  void* p = __libc_malloc(n ? n : 1);
  if (!p) abort();
  return p;
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  Note(k_operator_new, CALLER);
  return __libc_malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  Note(k_operator_new, CALLER);
  return __libc_malloc(n ? n : 1);
}
void* operator new(size_t n, std::align_val_t a) {
  Note(k_operator_new, CALLER);
  void* p = __libc_memalign(static_cast<size_t>(a), n ? n : 1);
  if (!p) abort();
  return p;
}
void* operator new[](size_t n, std::align_val_t a) {
  Note(k_operator_new, CALLER);
  void* p = __libc_memalign(static_cast<size_t>(a), n ? n : 1);
  if (!p) abort();
  return p;
}
static inline void Delete(void* p, void* caller) {
  if (p) Note(k_operator_delete, caller);
  __libc_free(p);
}
void operator delete(void* p) noexcept { Delete(p, CALLER); }
void operator delete[](void* p) noexcept { Delete(p, CALLER); }
void operator delete(void* p, size_t) noexcept { Delete(p, CALLER); }
void operator delete[](void* p, size_t) noexcept { Delete(p, CALLER); }
void operator delete(void* p, std::align_val_t) noexcept { Delete(p, CALLER); }
void operator delete[](void* p, std::align_val_t) noexcept { Delete(p, CALLER); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { Delete(p, CALLER); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { Delete(p, CALLER); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Delete(p, CALLER); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Delete(p, CALLER); }
