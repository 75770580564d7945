// One sound held in memory, immutable once published: planar float at the engine
// rate, built on the control thread and read by the audio thread and workers
// through `const Sample*` with no locks (nothing in it changes after it is built).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>

namespace gb::dsp {

class Sample {
 public:
  // Zeros readable before frame 0 and after the last frame of every channel, so
  // an interpolating reader (up to 2 * kGuardFrames taps) needs no bounds checks
  // near the ends. 16 floats = 64 bytes keeps frame 0 aligned.
  static constexpr size_t kGuardFrames = 16;
  static constexpr size_t kAlignBytes = 64;  // >= HWY_ALIGNMENT on every target
  static constexpr int kMaxChannels = 2;

  // Control thread: allocates zeroed storage for `channels` (1 or 2) x `frames`.
  // Fill it through mutable_channel(), then publish it as `const Sample*`.
  Sample(std::string name, double rate_hz, int channels, size_t frames);
  Sample(const Sample&) = delete;
  Sample& operator=(const Sample&) = delete;

  // For messages and listings only ("bd/BT0A0A7.wav", "builtin:bd:0").
  const std::string& name() const { return name_; }
  double rate_hz() const { return rate_hz_; }
  size_t frames() const { return frames_; }  // per channel
  int channels() const { return channels_; }
  double duration_s() const {
    return rate_hz_ > 0.0 ? static_cast<double>(frames_) / rate_hz_ : 0.0;
  }

  // `c` in [0, channels()). frames() floats, 64-byte aligned, with kGuardFrames
  // zeros on either side.
  const float* channel(int c) const { return storage_.get() + Offset(c); }
  std::span<const float> channel_span(int c) const { return {channel(c), frames_}; }
  float* mutable_channel(int c) { return storage_.get() + Offset(c); }

  float PeakAbs() const;                    // over all channels
  size_t bytes() const { return stride_floats_ * static_cast<size_t>(channels_) * sizeof(float); }

 private:
  struct AlignedDelete {
    void operator()(float* p) const { ::operator delete[](p, std::align_val_t{kAlignBytes}); }
  };
  size_t Offset(int c) const {
    return static_cast<size_t>(c) * stride_floats_ + kGuardFrames;
  }

  std::string name_;
  double rate_hz_ = 0.0;
  size_t frames_ = 0;
  int channels_ = 0;
  size_t stride_floats_ = 0;  // per channel: guard + frames + guard, rounded to 16
  std::unique_ptr<float[], AlignedDelete> storage_;
};

// Index wrapping as Tidal does for `bd:5` on a 4-file folder: modulo the count,
// and negative indices count back from the end. `count` must be > 0.
inline size_t WrapIndex(int64_t index, size_t count) {
  const auto n = static_cast<int64_t>(count);
  const int64_t r = index % n;
  return static_cast<size_t>(r < 0 ? r + n : r);
}

}  // namespace gb::dsp
