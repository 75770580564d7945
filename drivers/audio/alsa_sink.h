// AlsaSink: playback straight to an ALSA PCM (alsa-lib, no sound server).
// Open negotiates format (preference list), nearest rate, exact channels, small
// periods and a buffer of a few periods, and preallocates the conversion buffer.
// Write converts and queues one block; it blocks only in snd_pcm_wait (with a
// stall watchdog), recovers xruns (-EPIPE) and suspends (-ESTRPIPE) in place,
// and on a lost device (-ENODEV, -EBADFD, -EIO, a stall) hands the PCM over to
// the control thread and keeps the audio thread on real time with its own
// absolute-deadline clock until PollReopen (control thread, exponential
// backoff) hands a reopened PCM back. The Write path never allocates, locks or
// logs; errno values are stored and turned into words on the control thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/audio/audio_sink.h"
#include "drivers/audio/deadline_pacer.h"

using snd_pcm_t = struct _snd_pcm;  // alsa-lib's handle, kept out of this header

namespace gb::drivers {

struct ReopenPolicy {
  std::chrono::milliseconds first_delay{100};  // after the loss is first seen
  std::chrono::milliseconds max_delay{5000};   // the doubling stops here
};

enum class ReopenStep : uint8_t {
  kNotNeeded,  // the device is playing (or was never opened)
  kWaiting,    // lost; the next attempt is not due yet (or the audio thread has not taken the last one)
  kFailed,     // an attempt was made and failed; see last_reopen_error()
  kReopened,   // a new PCM was opened and handed to the audio thread
};

class AlsaSink final : public AudioSink {
 public:
  explicit AlsaSink(ReopenPolicy policy = {});
  ~AlsaSink() override;
  AlsaSink(const AlsaSink&) = delete;
  AlsaSink& operator=(const AlsaSink&) = delete;

  // Control thread.
  Status Open(const AudioConfig& config) override;
  void Close() override;
  const AudioFormat& format() const override { return format_; }

  // Audio thread. While the device is lost this still takes real time (the
  // internal clock), drops the audio and returns kDeviceLost.
  WriteResult Write(const float* interleaved, size_t frames) override;

  // Any thread, lock-free.
  SinkStats stats() const override;
  bool device_lost() const;

  // Control thread; call it from the control loop (every 10-100 ms is plenty).
  // Never touches what the audio thread uses: once the audio thread has marked
  // the device lost it no longer reads the PCM, so this closes the dead handle,
  // and when the backoff delay (first_delay, doubling up to max_delay) has
  // passed, opens the same device with the same config. A new PCM must keep the
  // rate and channel count the engine runs at. Success is published with one
  // atomic store; the audio thread picks the PCM up at its next Write.
  ReopenStep PollReopen(std::chrono::steady_clock::time_point now);
  std::chrono::milliseconds next_retry_delay() const { return delay_; }
  const Status& last_reopen_error() const { return last_reopen_error_; }

  // Control thread: words for the last errno the audio thread stored
  // (e.g. "device lost: No such device"), or "" when there was none.
  std::string DescribeLastError() const;
  const AudioConfig& config() const { return config_; }

 private:
  // Who owns pcm_: the audio thread in kRunning, the control thread otherwise.
  enum class State : uint8_t { kClosed, kRunning, kLost, kReady };

  void EnterLost(int err);
  void PaceDropped(size_t frames);

  ReopenPolicy policy_;
  AudioConfig config_;
  AudioFormat format_;
  snd_pcm_t* pcm_ = nullptr;
  std::vector<uint8_t> convert_;  // preallocated at Open: device-format samples
  size_t convert_frames_ = 0;     // frames that fit in convert_
  size_t bytes_per_frame_ = 0;
  int stall_timeout_ms_ = 500;
  std::atomic<State> state_{State::kClosed};

  // Audio thread: keeps time while the device is lost or suspended.
  DeadlinePacer pacer_;
  bool on_clock_ = false;

  // Control thread: reopen bookkeeping.
  bool lost_seen_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds delay_;
  Status last_reopen_error_;

  // Counters: the audio thread writes the first group, the control thread the second.
  std::atomic<uint64_t> frames_written_{0}, frames_dropped_{0}, xruns_{0}, recoveries_{0},
      suspends_{0}, device_lost_{0};
  std::atomic<int> last_error_{0};
  std::atomic<uint64_t> reopen_attempts_{0}, reopens_{0};
};

// Control thread: opens `config.device` and negotiates as AlsaSink::Open does,
// then closes it. For probing and tests.
Status ProbeAlsaPlayback(const AudioConfig& config, AudioFormat* negotiated);

}  // namespace gb::drivers
