// Which threads are real-time: the audio thread and the DSP workers mark
// themselves for the span in which they must not allocate, lock, log or make
// syscalls, and mark the device write (the one place the audio thread may
// block) as such. A mark is one thread-local byte store: always compiled in,
// free at run time. Nothing in the firmware reads it; it exists so that a
// probe preloaded into the real binary (tests/support/rt_probe_preload.cc)
// can count what a marked thread calls, through the exported C functions
// below.
#pragma once

#include <cstdint>

extern "C" {
// Bit 0: this thread is real-time; bit 1: it is inside the device write.
// Reads a thread-local: no allocation, no lock, callable from an allocator.
int gb_rt_thread_state(void);
// How many threads have marked themselves real-time since start.
uint32_t gb_rt_marked_threads(void);
}

namespace gb::rt {

inline constexpr uint8_t kRealtime = 1;
inline constexpr uint8_t kInDevice = 2;

namespace internal {
extern thread_local uint8_t t_state __attribute__((tls_model("initial-exec")));
void CountMarkedThread();
}  // namespace internal

// Marks the calling thread real-time while alive. Construct it after the
// thread's setup (its buffers, priority) and let it end before teardown.
class RealtimeScope {
 public:
  RealtimeScope() {
    internal::t_state = kRealtime;
    internal::CountMarkedThread();
  }
  ~RealtimeScope() { internal::t_state = 0; }
  RealtimeScope(const RealtimeScope&) = delete;
  RealtimeScope& operator=(const RealtimeScope&) = delete;
};

// Marks the device write (ALSA, the clock's sleep): the blocking the audio
// thread is allowed.
class DeviceScope {
 public:
  DeviceScope() { internal::t_state |= kInDevice; }
  ~DeviceScope() { internal::t_state &= static_cast<uint8_t>(~kInDevice); }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;
};

}  // namespace gb::rt
