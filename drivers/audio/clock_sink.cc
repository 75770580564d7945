// The silent real-time clock sink (see clock_sink.h).
#include "drivers/audio/clock_sink.h"

#include <string>

#include "dsp/rt_thread.h"

namespace gb::drivers {

Status ClockSink::Open(const AudioConfig& config) {
  Close();
  if (config.rate_hz <= 0 || config.channels <= 0 || config.period_frames == 0 ||
      config.periods < 2) {
    return Status::Error(AudioErrc::kInvalidConfig,
                         "clock sink: needs a positive rate, channels and period, and 2+ periods (got " +
                             std::to_string(config.rate_hz) + " Hz, " +
                             std::to_string(config.channels) + " ch, period " +
                             std::to_string(config.period_frames) + " x " +
                             std::to_string(config.periods) + ")");
  }
  format_ = AudioFormat{config.rate_hz, config.channels, config.period_frames,
                        config.period_frames * config.periods, SampleFormat::kFloat32};
  pacer_.Configure(format_.rate_hz, format_.buffer_frames);
  open_.store(true, std::memory_order_release);
  return Status::Ok();
}

void ClockSink::Close() { open_.store(false, std::memory_order_release); }

WriteResult ClockSink::Write(const float* /*interleaved*/, size_t frames) {
  if (!open_.load(std::memory_order_acquire)) return WriteResult::kNotOpen;
  bool on_time;
  {
    const rt::DeviceScope device;  // the clock's sleep is this sink's device wait
    on_time = pacer_.Advance(frames);
  }
  internal::Bump(frames_written_, frames);
  if (on_time) return WriteResult::kOk;
  internal::Bump(xruns_);
  return WriteResult::kRecovered;
}

SinkStats ClockSink::stats() const {
  SinkStats s;
  s.frames_written = frames_written_.load(std::memory_order_relaxed);
  s.xruns = xruns_.load(std::memory_order_relaxed);
  s.recoveries = s.xruns;
  return s;
}

}  // namespace gb::drivers
