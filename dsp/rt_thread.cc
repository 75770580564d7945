// The real-time thread marks (see rt_thread.h).
#include "dsp/rt_thread.h"

#include <atomic>

namespace gb::rt::internal {

// initial-exec: reading it from inside an interposed malloc never calls
// __tls_get_addr, which could itself allocate.
__attribute__((tls_model("initial-exec"))) thread_local uint8_t t_state = 0;

namespace {
std::atomic<uint32_t> g_marked{0};
}

void CountMarkedThread() { g_marked.fetch_add(1, std::memory_order_relaxed); }

}  // namespace gb::rt::internal

extern "C" __attribute__((visibility("default"), used)) int gb_rt_thread_state(void) {
  return gb::rt::internal::t_state;
}

extern "C" __attribute__((visibility("default"), used)) uint32_t gb_rt_marked_threads(void) {
  return gb::rt::internal::g_marked.load(std::memory_order_relaxed);
}
