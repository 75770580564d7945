// ALSA playback (see alsa_sink.h). Open/Close/PollReopen: control thread.
// Write: audio thread, allocation-, lock- and log-free on our side. (alsa-lib
// itself takes an uncontended per-PCM pthread mutex inside plugin PCMs; only the
// audio thread uses the handle while it plays, so that never waits.)
#include "drivers/audio/alsa_sink.h"

#include <alsa/asoundlib.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "drivers/audio/sample_convert.h"
#include "dsp/rt_thread.h"

namespace gb::drivers {
namespace {

snd_pcm_format_t ToAlsa(SampleFormat fmt) {
  switch (fmt) {
    case SampleFormat::kFloat32: return SND_PCM_FORMAT_FLOAT_LE;
    case SampleFormat::kS32: return SND_PCM_FORMAT_S32_LE;
    case SampleFormat::kS24Packed: return SND_PCM_FORMAT_S24_3LE;
    case SampleFormat::kS24: return SND_PCM_FORMAT_S24_LE;
    case SampleFormat::kS16: return SND_PCM_FORMAT_S16_LE;
  }
  return SND_PCM_FORMAT_UNKNOWN;
}

constexpr SampleFormat kAllFormats[] = {SampleFormat::kFloat32, SampleFormat::kS32,
                                        SampleFormat::kS24Packed, SampleFormat::kS24,
                                        SampleFormat::kS16};

std::string Quoted(const std::string& device) { return "ALSA device '" + device + "'"; }

// Owns a PCM during Open so every early return closes it.
struct PcmGuard {
  snd_pcm_t* pcm = nullptr;
  ~PcmGuard() {
    if (pcm != nullptr) snd_pcm_close(pcm);
  }
  snd_pcm_t* Release() { return std::exchange(pcm, nullptr); }
};

Status Fail(AudioErrc code, const std::string& device, const std::string& what, int err) {
  std::string msg = Quoted(device) + ": " + what;
  if (err < 0) msg += std::string(": ") + snd_strerror(err);
  return Status::Error(code, std::move(msg));
}

Status ValidateConfig(const AudioConfig& c) {
  if (c.rate_hz <= 0 || c.channels <= 0 || c.period_frames == 0 || c.periods < 2 ||
      c.formats.empty()) {
    return Status::Error(AudioErrc::kInvalidConfig,
                         Quoted(c.device) + ": needs a positive rate, channels and period, 2+ "
                                            "periods and at least one format (got " +
                             std::to_string(c.rate_hz) + " Hz, " + std::to_string(c.channels) +
                             " ch, period " + std::to_string(c.period_frames) + " x " +
                             std::to_string(c.periods) + ")");
  }
  return Status::Ok();
}

// Opens and configures a PCM; the control thread's whole job for Open and reopen.
Status OpenPcm(const AudioConfig& c, snd_pcm_t** out, AudioFormat* negotiated) {
  if (Status v = ValidateConfig(c); !v.ok()) return v;
  PcmGuard guard;
  // Non-blocking open: a device held by another program fails at once with
  // EBUSY instead of hanging the control thread. The PCM stays non-blocking:
  // Write blocks in snd_pcm_wait, which has a timeout.
  int err = snd_pcm_open(&guard.pcm, c.device.c_str(), SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
  if (err < 0) {
    guard.pcm = nullptr;
    return Fail(err == -EBUSY ? AudioErrc::kBusy : AudioErrc::kNoDevice, c.device,
                "cannot open for playback", err);
  }
  snd_pcm_t* pcm = guard.pcm;

  snd_pcm_hw_params_t* hw = nullptr;
  snd_pcm_hw_params_alloca(&hw);
  if ((err = snd_pcm_hw_params_any(pcm, hw)) < 0) {
    return Fail(AudioErrc::kIo, c.device, "cannot read its hardware parameters", err);
  }
  if ((err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device, "does not take interleaved writes", err);
  }

  bool chosen = false;
  SampleFormat fmt = c.formats.front();
  for (SampleFormat f : c.formats) {
    if (snd_pcm_hw_params_test_format(pcm, hw, ToAlsa(f)) == 0) {
      fmt = f;
      chosen = true;
      break;
    }
  }
  if (!chosen) {
    std::string asked, offered;
    for (SampleFormat f : c.formats) asked += (asked.empty() ? "" : ", ") + std::string(SampleFormatName(f));
    for (SampleFormat f : kAllFormats) {
      if (snd_pcm_hw_params_test_format(pcm, hw, ToAlsa(f)) == 0) {
        offered += (offered.empty() ? "" : ", ") + std::string(SampleFormatName(f));
      }
    }
    return Fail(AudioErrc::kUnsupported, c.device,
                "takes none of the formats asked for (" + asked + "); it offers " +
                    (offered.empty() ? std::string("none that groovebox writes") : offered),
                0);
  }
  if ((err = snd_pcm_hw_params_set_format(pcm, hw, ToAlsa(fmt))) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device,
                "refused format " + std::string(SampleFormatName(fmt)), err);
  }

  if ((err = snd_pcm_hw_params_set_channels(pcm, hw, static_cast<unsigned>(c.channels))) < 0) {
    unsigned lo = 0, hi = 0;
    snd_pcm_hw_params_get_channels_min(hw, &lo);
    snd_pcm_hw_params_get_channels_max(hw, &hi);
    return Fail(AudioErrc::kUnsupported, c.device,
                "cannot play " + std::to_string(c.channels) + " channels (it takes " +
                    std::to_string(lo) + ".." + std::to_string(hi) + ")",
                err);
  }

  unsigned rate = static_cast<unsigned>(c.rate_hz);
  if ((err = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, nullptr)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device,
                "has no rate near " + std::to_string(c.rate_hz) + " Hz", err);
  }

  snd_pcm_uframes_t period = c.period_frames;
  if ((err = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, nullptr)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device,
                "has no period size near " + std::to_string(c.period_frames) + " frames", err);
  }
  snd_pcm_uframes_t buffer = period * c.periods;
  if ((err = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device,
                "has no buffer size near " + std::to_string(period * c.periods) + " frames", err);
  }
  if ((err = snd_pcm_hw_params(pcm, hw)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device,
                "refused " + std::string(SampleFormatName(fmt)) + ", " + std::to_string(rate) +
                    " Hz, " + std::to_string(c.channels) + " ch, period " +
                    std::to_string(period) + ", buffer " + std::to_string(buffer),
                err);
  }
  snd_pcm_hw_params_get_period_size(hw, &period, nullptr);
  snd_pcm_hw_params_get_buffer_size(hw, &buffer);
  snd_pcm_hw_params_get_rate(hw, &rate, nullptr);

  snd_pcm_sw_params_t* sw = nullptr;
  snd_pcm_sw_params_alloca(&sw);
  if ((err = snd_pcm_sw_params_current(pcm, sw)) < 0 ||
      // Start once the whole buffer is queued: the most slack before a first xrun.
      (err = snd_pcm_sw_params_set_start_threshold(pcm, sw, buffer)) < 0 ||
      // Wake the writer when a period is free.
      (err = snd_pcm_sw_params_set_avail_min(pcm, sw, period)) < 0 ||
      (err = snd_pcm_sw_params(pcm, sw)) < 0) {
    return Fail(AudioErrc::kUnsupported, c.device, "refused the software parameters", err);
  }

  *negotiated = AudioFormat{static_cast<int>(rate), c.channels, static_cast<size_t>(period),
                            static_cast<size_t>(buffer), fmt};
  *out = guard.Release();
  return Status::Ok();
}

}  // namespace

AlsaSink::AlsaSink(ReopenPolicy policy) : policy_(policy), delay_(policy.first_delay) {}

AlsaSink::~AlsaSink() { Close(); }

Status AlsaSink::Open(const AudioConfig& config) {
  Close();
  snd_pcm_t* pcm = nullptr;
  AudioFormat fmt;
  if (Status s = OpenPcm(config, &pcm, &fmt); !s.ok()) return s;
  config_ = config;
  format_ = fmt;
  pcm_ = pcm;
  bytes_per_frame_ = BytesPerSample(fmt.fmt) * static_cast<size_t>(fmt.channels);
  convert_frames_ = std::max(fmt.buffer_frames, fmt.period_frames);
  convert_.assign(convert_frames_ * bytes_per_frame_, 0);
  stall_timeout_ms_ = config.stall_timeout_ms > 0 ? config.stall_timeout_ms : 500;
  pacer_.Configure(fmt.rate_hz, fmt.buffer_frames);
  on_clock_ = false;
  lost_seen_ = false;
  delay_ = policy_.first_delay;
  last_reopen_error_ = Status::Ok();
  state_.store(State::kRunning, std::memory_order_release);
  return Status::Ok();
}

void AlsaSink::Close() {
  state_.store(State::kClosed, std::memory_order_release);
  if (pcm_ != nullptr) {
    snd_pcm_close(pcm_);  // drops what is queued
    pcm_ = nullptr;
  }
}

bool AlsaSink::device_lost() const {
  const State s = state_.load(std::memory_order_acquire);
  return s == State::kLost || s == State::kReady;
}

void AlsaSink::EnterLost(int err) {
  last_error_.store(err, std::memory_order_relaxed);
  internal::Bump(device_lost_);
  pacer_.Restart();
  on_clock_ = true;
  // Release: every use of pcm_ above happens before the control thread closes it.
  state_.store(State::kLost, std::memory_order_release);
}

void AlsaSink::PaceDropped(size_t frames) {
  const rt::DeviceScope device;  // the pacer's sleep stands in for the device
  internal::Bump(frames_dropped_, frames);
  pacer_.Advance(frames);
}

WriteResult AlsaSink::Write(const float* interleaved, size_t frames) {
  switch (state_.load(std::memory_order_acquire)) {
    case State::kRunning: break;
    case State::kReady:  // the control thread reopened the device: take it over
      state_.store(State::kRunning, std::memory_order_relaxed);
      on_clock_ = false;
      break;
    case State::kLost:
      PaceDropped(frames);
      return WriteResult::kDeviceLost;
    case State::kClosed: return WriteResult::kNotOpen;
  }

  WriteResult result = WriteResult::kOk;
  const size_t channels = static_cast<size_t>(format_.channels);
  size_t done = 0;
  while (done < frames) {
    const size_t chunk = std::min(frames - done, convert_frames_);
    ConvertFromFloat(interleaved + done * channels, chunk * channels, format_.fmt, convert_.data());
    size_t offset = 0;
    while (offset < chunk) {
      const rt::DeviceScope device;  // alsa-lib's write, wait and recovery: the allowed blocking
      snd_pcm_sframes_t n =
          snd_pcm_writei(pcm_, convert_.data() + offset * bytes_per_frame_, chunk - offset);
      if (n > 0) {
        offset += static_cast<size_t>(n);
        internal::Bump(frames_written_, static_cast<uint64_t>(n));
        on_clock_ = false;
        continue;
      }
      if (n == -EINTR) continue;  // a signal; nothing was lost
      if (n == 0 || n == -EAGAIN) {
        // The buffer is full: sleep until a period is free. This poll is where
        // the audio thread spends its idle time; the timeout is the stall watchdog.
        const int w = snd_pcm_wait(pcm_, stall_timeout_ms_);
        if (w > 0) continue;
        n = (w == 0) ? -ETIMEDOUT : w;
      }
      if (n == -EPIPE) {  // underrun: the device ran dry; prepare and refill
        internal::Bump(xruns_);
        last_error_.store(-EPIPE, std::memory_order_relaxed);
        const int r = snd_pcm_prepare(pcm_);
        if (r < 0) {
          EnterLost(r);
          PaceDropped(frames - done - offset);
          return WriteResult::kDeviceLost;
        }
        internal::Bump(recoveries_);
        result = WriteResult::kRecovered;
        continue;
      }
      if (n == -ESTRPIPE) {  // system suspend
        if (!on_clock_) internal::Bump(suspends_);
        last_error_.store(-ESTRPIPE, std::memory_order_relaxed);
        int r = snd_pcm_resume(pcm_);
        if (r == -EAGAIN) {
          // Still suspended. Do not spin or sleep for seconds here: keep real
          // time on the clock for this block and try again next Write.
          if (!on_clock_) pacer_.Restart();
          on_clock_ = true;
          PaceDropped(frames - done - offset);
          return WriteResult::kRecovered;
        }
        if (r < 0) r = snd_pcm_prepare(pcm_);  // no resume support: start over
        if (r < 0) {
          EnterLost(r);
          PaceDropped(frames - done - offset);
          return WriteResult::kDeviceLost;
        }
        internal::Bump(recoveries_);
        result = WriteResult::kRecovered;
        continue;
      }
      // -ENODEV, -EBADFD, -EIO, a stall, or anything unexpected: give it up.
      EnterLost(static_cast<int>(n));
      PaceDropped(frames - done - offset);
      return WriteResult::kDeviceLost;
    }
    done += chunk;
  }
  return result;
}

SinkStats AlsaSink::stats() const {
  SinkStats s;
  s.frames_written = frames_written_.load(std::memory_order_relaxed);
  s.frames_dropped = frames_dropped_.load(std::memory_order_relaxed);
  s.xruns = xruns_.load(std::memory_order_relaxed);
  s.recoveries = recoveries_.load(std::memory_order_relaxed);
  s.suspends = suspends_.load(std::memory_order_relaxed);
  s.device_lost = device_lost_.load(std::memory_order_relaxed);
  s.reopen_attempts = reopen_attempts_.load(std::memory_order_relaxed);
  s.reopens = reopens_.load(std::memory_order_relaxed);
  s.last_error = last_error_.load(std::memory_order_relaxed);
  return s;
}

ReopenStep AlsaSink::PollReopen(std::chrono::steady_clock::time_point now) {
  const State s = state_.load(std::memory_order_acquire);
  if (s == State::kReady) return ReopenStep::kWaiting;  // the audio thread has not taken it yet
  if (s != State::kLost) return ReopenStep::kNotNeeded;
  if (!lost_seen_) {
    // First look since the loss: the audio thread no longer touches pcm_, so
    // the dead handle is ours to close.
    lost_seen_ = true;
    if (pcm_ != nullptr) {
      snd_pcm_close(pcm_);
      pcm_ = nullptr;
    }
    delay_ = policy_.first_delay;
    next_attempt_ = now + delay_;
    return ReopenStep::kWaiting;
  }
  if (now < next_attempt_) return ReopenStep::kWaiting;

  internal::Bump(reopen_attempts_);
  snd_pcm_t* pcm = nullptr;
  AudioFormat fmt;
  Status st = OpenPcm(config_, &pcm, &fmt);
  if (st.ok() && (fmt.rate_hz != format_.rate_hz || fmt.channels != format_.channels)) {
    snd_pcm_close(pcm);
    st = Status::Error(AudioErrc::kUnsupported,
                       Quoted(config_.device) + ": came back at " + std::to_string(fmt.rate_hz) +
                           " Hz, " + std::to_string(fmt.channels) + " ch; the engine runs at " +
                           std::to_string(format_.rate_hz) + " Hz, " +
                           std::to_string(format_.channels) + " ch");
  }
  if (!st.ok()) {
    last_reopen_error_ = std::move(st);
    next_attempt_ = now + delay_;
    delay_ = std::min(delay_ * 2, policy_.max_delay);
    return ReopenStep::kFailed;
  }
  // Everything the audio thread reads is set before the release store below.
  format_ = fmt;
  bytes_per_frame_ = BytesPerSample(fmt.fmt) * static_cast<size_t>(fmt.channels);
  convert_frames_ = std::max(fmt.buffer_frames, fmt.period_frames);
  convert_.assign(convert_frames_ * bytes_per_frame_, 0);
  // (pacer_ stays as it is: the audio thread is using it right now, and the
  // rate it paces at has not changed.)
  pcm_ = pcm;
  lost_seen_ = false;
  delay_ = policy_.first_delay;
  last_reopen_error_ = Status::Ok();
  internal::Bump(reopens_);
  state_.store(State::kReady, std::memory_order_release);
  return ReopenStep::kReopened;
}

std::string AlsaSink::DescribeLastError() const {
  const int err = last_error_.load(std::memory_order_relaxed);
  if (err == 0) return {};
  std::string what = err == -EPIPE      ? "underrun (xrun)"
                     : err == -ESTRPIPE ? "suspended"
                     : err == -ETIMEDOUT
                         ? "device lost: it took no audio for " + std::to_string(stall_timeout_ms_) + " ms"
                         : "device lost";
  if (err != -ETIMEDOUT) what += std::string(": ") + snd_strerror(err);
  return Quoted(config_.device) + ": " + what;
}

Status ProbeAlsaPlayback(const AudioConfig& config, AudioFormat* negotiated) {
  snd_pcm_t* pcm = nullptr;
  AudioFormat fmt;
  Status s = OpenPcm(config, &pcm, &fmt);
  if (s.ok()) {
    snd_pcm_close(pcm);
    if (negotiated != nullptr) *negotiated = fmt;
  }
  return s;
}

}  // namespace gb::drivers
