// RecordingSink: the fake AudioSink for engine and firmware tests. Keeps every
// frame written (up to a capacity fixed at construction, so Write never
// allocates), returns at once instead of pacing, and negotiates exactly what it
// is asked for, in FLOAT. Frames past the capacity are counted as dropped.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <span>
#include <vector>

#include "drivers/audio/audio_sink.h"

namespace gb::drivers::testing {

class RecordingSink final : public AudioSink {
 public:
  explicit RecordingSink(size_t capacity_frames) : capacity_frames_(capacity_frames) {}

  Status Open(const AudioConfig& config) override {
    if (config.rate_hz <= 0 || config.channels <= 0 || config.period_frames == 0) {
      return Status::Error(AudioErrc::kInvalidConfig, "recording sink: impossible config");
    }
    format_ = AudioFormat{config.rate_hz, config.channels, config.period_frames,
                          config.period_frames * config.periods, SampleFormat::kFloat32};
    samples_.assign(capacity_frames_ * static_cast<size_t>(config.channels), 0.f);
    frames_ = 0;
    written_ = 0;
    dropped_ = 0;
    writes_ = 0;
    open_ = true;
    return Status::Ok();
  }
  void Close() override { open_ = false; }
  const AudioFormat& format() const override { return format_; }

  WriteResult Write(const float* interleaved, size_t frames) override {
    if (!open_) return WriteResult::kNotOpen;
    const auto ch = static_cast<size_t>(format_.channels);
    const size_t keep = std::min(frames, capacity_frames_ - frames_);
    std::copy(interleaved, interleaved + keep * ch, samples_.begin() + static_cast<std::ptrdiff_t>(frames_ * ch));
    frames_ += keep;
    written_.store(frames_, std::memory_order_relaxed);
    internal::Bump(dropped_, frames - keep);
    internal::Bump(writes_);
    return WriteResult::kOk;
  }

  SinkStats stats() const override {
    SinkStats s;
    s.frames_written = written_.load(std::memory_order_relaxed);
    s.frames_dropped = dropped_.load(std::memory_order_relaxed);
    return s;
  }

  // Test thread, after the writer has stopped.
  std::span<const float> recorded() const {
    return {samples_.data(), frames_ * static_cast<size_t>(format_.channels)};
  }
  uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }

 private:
  size_t capacity_frames_;
  AudioFormat format_;
  std::vector<float> samples_;
  size_t frames_ = 0;
  bool open_ = false;
  std::atomic<uint64_t> written_{0}, dropped_{0}, writes_{0};
};

}  // namespace gb::drivers::testing
