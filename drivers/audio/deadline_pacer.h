// Keeps an audio thread on real time without a device: each Advance() sleeps
// until the absolute CLOCK_MONOTONIC instant at which the frames written so far
// are due, so lateness in one block is made up in the next and nothing drifts.
// Falling more than a buffer behind counts as an xrun and restarts the timeline
// at "now" (the backlog is dropped, as a device would). Audio thread only; its
// only syscall is clock_nanosleep.
#pragma once

#include <time.h>

#include <cstddef>
#include <cstdint>

namespace gb::drivers {

// Where a pacer reads the time and sleeps: CLOCK_MONOTONIC and clock_nanosleep
// unless a test substitutes a simulated clock.
struct PacerClock {
  int64_t (*now_ns)();
  void (*sleep_until_ns)(int64_t when_ns);
};

class DeadlinePacer {
 public:
  DeadlinePacer();
  // Tests: pace on a simulated clock. Not while another thread calls Advance.
  void SetClock(const PacerClock& clock) { clock_ = clock; }

  // Control thread (or the audio thread before its first Advance).
  void Configure(int rate_hz, size_t buffer_frames);
  // The next Advance starts a new timeline at the moment it is called.
  void Restart() { started_ = false; }

  // Audio thread. Counts `frames` as played and sleeps until they are due.
  // Returns false when it had fallen more than a buffer behind and resynchronised.
  bool Advance(size_t frames);

  // Frames since the timeline (re)started.
  uint64_t frames() const { return frames_; }

 private:
  PacerClock clock_;
  int rate_hz_ = 48000;
  int64_t buffer_ns_ = 0;
  bool started_ = false;
  int64_t origin_ns_ = 0;  // CLOCK_MONOTONIC time of frame 0
  uint64_t frames_ = 0;
};

// CLOCK_MONOTONIC in nanoseconds (a vDSO read, not a syscall).
int64_t MonotonicNs();
// Sleeps until CLOCK_MONOTONIC reaches `when_ns` (clock_nanosleep, TIMER_ABSTIME).
void SleepUntilNs(int64_t when_ns);
// Nanoseconds that `frames` last at `rate_hz`, without overflow for years of audio.
int64_t FramesToNs(uint64_t frames, int rate_hz);

}  // namespace gb::drivers
