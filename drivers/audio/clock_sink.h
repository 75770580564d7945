// ClockSink: the silent real-time clock. Same interface as a playback device,
// but Write only sleeps until the block is due (absolute CLOCK_MONOTONIC
// deadlines, so it never drifts), which keeps the engine, the sequencer and the
// status line running at real speed when there is no sound card. Falling more
// than one buffer behind counts an xrun and resynchronises. Audio thread: Write.
#pragma once

#include <atomic>

#include "drivers/audio/audio_sink.h"
#include "drivers/audio/deadline_pacer.h"

namespace gb::drivers {

class ClockSink final : public AudioSink {
 public:
  // Takes rate, channels, period and periods from `config` as given (the
  // device name and formats are ignored); reports FLOAT.
  Status Open(const AudioConfig& config) override;
  void Close() override;
  const AudioFormat& format() const override { return format_; }
  WriteResult Write(const float* interleaved, size_t frames) override;
  SinkStats stats() const override;

 private:
  AudioFormat format_;
  DeadlinePacer pacer_;
  std::atomic<bool> open_{false};
  std::atomic<uint64_t> frames_written_{0};
  std::atomic<uint64_t> xruns_{0};
};

}  // namespace gb::drivers
