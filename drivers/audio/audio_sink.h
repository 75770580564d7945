// The playback interface the engine's audio thread drives: AlsaSink (a real
// device), ClockSink (the silent real-time clock when there is none), and the
// tests' fakes. Open/Close belong to the control thread; after Open, Write and
// nothing else runs on the audio thread, and it never allocates, locks, logs or
// throws: problems are counted in SinkStats and described later, off that thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gb::drivers {

// Sample formats a sink can write, all native little endian (arm64, x86-64).
enum class SampleFormat : uint8_t {
  kFloat32,   // ALSA FLOAT_LE, clipped to [-1, 1]
  kS32,       // ALSA S32_LE
  kS24Packed, // ALSA S24_3LE: 3 bytes per sample (common on USB interfaces)
  kS24,       // ALSA S24_LE: 24 significant bits in the low bytes of an int32
  kS16,       // ALSA S16_LE
};

// ALSA's name for the format ("FLOAT_LE", "S24_3LE", ...).
std::string_view SampleFormatName(SampleFormat fmt);
size_t BytesPerSample(SampleFormat fmt);

struct AudioConfig {
  std::string device = "default";  // ALSA PCM name: "hw:1", "default", "plug:jack", ...
  int rate_hz = 48000;             // the nearest rate the device offers is taken and reported
  int channels = 2;                // exact: the engine renders this many
  size_t period_frames = 128;      // frames per device period (nearest offered is taken)
  size_t periods = 3;              // buffer = periods x period; 2..4 keeps latency low
  // Preference order; the first one the device takes wins.
  std::vector<SampleFormat> formats = {SampleFormat::kFloat32, SampleFormat::kS32,
                                       SampleFormat::kS24Packed, SampleFormat::kS24,
                                       SampleFormat::kS16};
  // A device that takes no data for this long is treated as gone (a JACK
  // server that died leaves alsa-lib's jack plugin blocked forever otherwise).
  int stall_timeout_ms = 500;
};

// What was negotiated.
struct AudioFormat {
  int rate_hz = 0;
  int channels = 0;
  size_t period_frames = 0;
  size_t buffer_frames = 0;
  SampleFormat fmt = SampleFormat::kFloat32;
};

enum class AudioErrc : uint8_t {
  kOk,
  kNoDevice,       // the PCM does not exist or cannot be opened
  kBusy,           // another program holds it
  kUnsupported,    // it exists but cannot do what was asked (format, channels, rate)
  kInvalidConfig,  // the request itself is impossible (0 channels, 1 period, ...)
  kDeviceLost,     // it was open and went away
  kIo,             // anything else alsa-lib reported
};

// The result of a control-thread call: ok(), or a code and a message that
// names the device and the reason, ready to print.
struct [[nodiscard]] Status {
  AudioErrc code = AudioErrc::kOk;
  std::string message;

  bool ok() const { return code == AudioErrc::kOk; }
  static Status Ok() { return {}; }
  static Status Error(AudioErrc c, std::string msg) { return {c, std::move(msg)}; }
};

enum class WriteResult : uint8_t {
  kOk,          // every frame was queued on the device
  kRecovered,   // an xrun or suspend happened and was recovered; playback goes on
  kDeviceLost,  // the device is gone: the sink paced this call on its own clock,
                // dropped the audio, and waits for the control thread to reopen it
  kNotOpen,     // Write before a successful Open: returns at once (a caller bug)
};

// A snapshot of a sink's counters; every field is monotonic.
struct SinkStats {
  uint64_t frames_written = 0;    // frames the device accepted (or the clock paced)
  uint64_t frames_dropped = 0;    // frames paced on the clock while the device was lost/suspended
  uint64_t xruns = 0;             // underruns (ALSA -EPIPE; for ClockSink: fell > 1 buffer behind)
  uint64_t recoveries = 0;        // xruns and suspends recovered without losing the device
  uint64_t suspends = 0;          // -ESTRPIPE seen
  uint64_t device_lost = 0;       // times the device went away
  uint64_t reopen_attempts = 0;   // control-thread attempts to reopen it
  uint64_t reopens = 0;           // of which succeeded
  int last_error = 0;             // last negative errno from alsa-lib (0: none)
};

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  // Control thread. Opens and negotiates; any earlier device is closed first.
  virtual Status Open(const AudioConfig& config) = 0;
  // Control thread, with the audio thread no longer calling Write.
  virtual void Close() = 0;
  // What Open negotiated (valid after a successful Open).
  virtual const AudioFormat& format() const = 0;
  // Audio thread only. Converts `frames` interleaved float frames to the device
  // format and blocks until the device has taken them: the one blocking call
  // the audio thread makes. Any `frames` works; one period per call is usual.
  virtual WriteResult Write(const float* interleaved, size_t frames) = 0;
  // Any thread; lock-free.
  virtual SinkStats stats() const = 0;
};

namespace internal {
// A counter written by one thread and read by any: a relaxed load and store,
// not a locked read-modify-write, is enough with a single writer.
inline void Bump(std::atomic<uint64_t>& counter, uint64_t by = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}
}  // namespace internal

}  // namespace gb::drivers
