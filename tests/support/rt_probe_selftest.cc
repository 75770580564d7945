// A program for the probe's own test (tests/firmware/app/daemon_rt_test.cc):
// a thread marked real-time makes exactly one call of each kind the probe
// counts, once outside and once inside a device scope; an unmarked thread
// makes the same calls. Under the probe the first set must be counted once
// each, the device set apart, and the unmarked thread not at all.
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "dsp/rt_thread.h"

namespace {

pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

// One malloc, one free, one new, one delete, one mutex lock, one sem_wait,
// one sem_post, one write.
__attribute__((noinline)) void OneOfEach(int fd) {
  void* volatile p = std::malloc(24);
  std::free(p);
  int* volatile q = new int(7);
  delete q;
  pthread_mutex_lock(&g_mu);
  pthread_mutex_unlock(&g_mu);
  sem_t s;
  sem_init(&s, 0, 1);
  sem_wait(&s);
  sem_post(&s);
  sem_destroy(&s);
  (void)!write(fd, "x", 1);
}

}  // namespace

int main() {
  const int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::thread([fd] {
    const gb::rt::RealtimeScope realtime;
    OneOfEach(fd);
    {
      const gb::rt::DeviceScope device;
      (void)!write(fd, "d", 1);
    }
  }).join();
  std::thread([fd] { OneOfEach(fd); }).join();
  OneOfEach(fd);
  close(fd);
  return 0;
}
