// Absolute-deadline pacing (see deadline_pacer.h). Audio thread.
#include "drivers/audio/deadline_pacer.h"

#include <cerrno>

namespace gb::drivers {

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void SleepUntilNs(int64_t when_ns) {
  const timespec ts{static_cast<time_t>(when_ns / 1'000'000'000),
                    static_cast<long>(when_ns % 1'000'000'000)};
  // Absolute deadline: a signal that interrupts the sleep does not stretch it.
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

int64_t FramesToNs(uint64_t frames, int rate_hz) {
  // Whole seconds and the remainder apart: frames * 1e9 alone overflows 64 bits
  // after about 4 days at 48 kHz.
  const auto rate = static_cast<uint64_t>(rate_hz);
  return static_cast<int64_t>((frames / rate) * 1'000'000'000ULL +
                              (frames % rate) * 1'000'000'000ULL / rate);
}

DeadlinePacer::DeadlinePacer() : clock_{&MonotonicNs, &SleepUntilNs} {}

void DeadlinePacer::Configure(int rate_hz, size_t buffer_frames) {
  rate_hz_ = rate_hz > 0 ? rate_hz : 48000;
  buffer_ns_ = FramesToNs(buffer_frames, rate_hz_);
  started_ = false;
}

bool DeadlinePacer::Advance(size_t frames) {
  const int64_t now = clock_.now_ns();
  if (!started_) {
    started_ = true;
    origin_ns_ = now;
    frames_ = 0;
  }
  // Lateness is measured at the start of this block: how far "now" is past the
  // moment the previous blocks ran out.
  const int64_t block_start = origin_ns_ + FramesToNs(frames_, rate_hz_);
  frames_ += frames;
  const int64_t deadline = origin_ns_ + FramesToNs(frames_, rate_hz_);
  if (now - block_start > buffer_ns_) {
    // Resynchronise: this block starts now, as after a device xrun and prepare.
    origin_ns_ = now;
    frames_ = frames;
    clock_.sleep_until_ns(now + FramesToNs(frames, rate_hz_));
    return false;
  }
  if (deadline > now) clock_.sleep_until_ns(deadline);
  return true;
}

}  // namespace gb::drivers
