// The on-disk sample library: a Dirt-Samples folder (one sub-folder per sound)
// decoded with libsndfile and resampled once, at load, to the engine rate with
// libsamplerate. Loading is slow, blocking and allocating: CONTROL THREAD ONLY.
// A loaded library is immutable; a reload builds a new one and hands it over,
// and the old one is freed off the audio thread once no voice reads it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dsp/kit/sample.h"
#include "dsp/kit/sample_source.h"

namespace gb::drivers {

// libsamplerate's sinc converters; medium is transparent for drum samples and
// several times faster than best at load.
enum class ResampleQuality { kSincMedium, kSincBest };

struct SampleLibraryOptions {
  double engine_rate_hz = 48000.0;
  ResampleQuality quality = ResampleQuality::kSincMedium;
  // A single file longer than this is cut (with a warning) so one stray album
  // track on the share cannot exhaust a small board's memory. <= 0: no limit.
  double max_file_s = 120.0;
  // Consulted for names that have no folder on disk: normally the built-in kit,
  // built at the same engine rate. May be null.
  std::shared_ptr<const dsp::SampleSource> fallback;
};

// Extensions libsndfile decodes here (wav wave aif aiff aifc flac ogg oga opus
// mp3 caf w64 rf64 au snd), compared case-insensitively. Dotfiles (macOS `._x.wav`
// forks, `.DS_Store`) are never audio: users fill the folder over a network share.
bool IsAudioFileName(std::string_view file_name);

struct DecodeResult {
  std::unique_ptr<dsp::Sample> sample;  // null on failure
  std::string error;                    // why it failed, naming the file
  std::string note;                     // non-fatal remark (file cut short, channels dropped)
};

// Control thread: decodes one file (any rate, 8/16/24/32-bit int or float,
// mono/stereo; more channels keep the first two) and resamples it to
// `options.engine_rate_hz`. `label` becomes the Sample's name.
DecodeResult DecodeSampleFile(const std::filesystem::path& path, std::string label,
                              const SampleLibraryOptions& options);

class SampleLibrary final : public dsp::SampleSource {
 public:
  // Control thread only. Scans `root`: every non-hidden sub-folder is a sound
  // named after it; its audio files, sorted by byte order of their names (what
  // `LC_ALL=C ls` prints: upper case before lower case), are variations 0..n-1.
  // Non-audio files are skipped silently. A file that fails to decode is skipped
  // and reported in warnings(), and left out of the numbering, so `bd:3` is the
  // 4th file that loaded. A missing root is a warning, not an error: a fresh
  // install has none and plays from the fallback.
  static SampleLibrary Load(const std::filesystem::path& root, SampleLibraryOptions options);

  SampleLibrary(SampleLibrary&&) = default;
  SampleLibrary& operator=(SampleLibrary&&) = default;

  // The folder's files when `name` is on disk, else the fallback's. Lock- and
  // allocation-free (see dsp::SampleSource).
  size_t Count(std::string_view name) const override;
  const dsp::Sample* Find(std::string_view name, int64_t index) const override;
  // Disk names and fallback names, merged, byte order.
  std::vector<std::string> Names() const override;

  bool OnDisk(std::string_view name) const { return disk_.Count(name) > 0; }
  const dsp::SampleBank& disk() const { return disk_; }
  // Human-readable, one problem per entry, each naming its file; for the caller
  // to print or log (the library itself never prints).
  const std::vector<std::string>& warnings() const { return warnings_; }
  double engine_rate_hz() const { return engine_rate_hz_; }
  size_t files_loaded() const { return disk_.total_samples(); }
  size_t bytes() const { return disk_.total_bytes(); }

 private:
  SampleLibrary() = default;

  dsp::SampleBank disk_;
  std::shared_ptr<const dsp::SampleSource> fallback_;
  std::vector<std::string> warnings_;
  double engine_rate_hz_ = 0.0;
};

}  // namespace gb::drivers
