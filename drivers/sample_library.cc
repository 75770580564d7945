// Sample library loading: libsndfile decode, libsamplerate resample, planar
// store. Control thread only (file I/O, allocation, libsndfile's global error
// string). Nothing here throws: every failure becomes a warning about one file.
#include "drivers/sample_library.h"

#include <sndfile.h>
#include <samplerate.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <system_error>
#include <utility>

namespace gb::drivers {
namespace {

struct SndfileClose {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileClose>;

struct SrcDelete {
  void operator()(SRC_STATE* s) const { src_delete(s); }
};

std::string Quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Resamples interleaved `in` (frames x channels) by `ratio` = out rate / in rate
// to exactly round(frames * ratio) frames, so lengths are predictable.
// libsamplerate compensates its filter delay, so onsets stay put.
bool Resample(const std::vector<float>& in, int channels, size_t in_frames, double ratio,
              int converter, std::vector<float>& out, std::string& error) {
  if (src_is_valid_ratio(ratio) == 0) {
    error = "rate ratio " + std::to_string(ratio) + " is outside libsamplerate's range";
    return false;
  }
  const size_t target = std::max<size_t>(
      1, static_cast<size_t>(std::llround(static_cast<double>(in_frames) * ratio)));
  const size_t capacity = target + 256;  // the converter may overshoot by a few frames
  out.assign(capacity * static_cast<size_t>(channels), 0.0f);

  int err = 0;
  std::unique_ptr<SRC_STATE, SrcDelete> state(src_new(converter, channels, &err));
  if (!state) {
    error = std::string("libsamplerate: ") + src_strerror(err);
    return false;
  }
  SRC_DATA data{};
  data.data_in = in.data();
  data.input_frames = static_cast<long>(in_frames);
  data.data_out = out.data();
  data.output_frames = static_cast<long>(capacity);
  data.src_ratio = ratio;
  data.end_of_input = 1;
  while (data.output_frames > 0) {
    err = src_process(state.get(), &data);
    if (err != 0) {
      error = std::string("libsamplerate: ") + src_strerror(err);
      return false;
    }
    if (data.input_frames_used == 0 && data.output_frames_gen == 0) break;  // drained
    data.data_in += data.input_frames_used * channels;
    data.input_frames -= data.input_frames_used;
    data.data_out += data.output_frames_gen * channels;
    data.output_frames -= data.output_frames_gen;
  }
  out.resize(target * static_cast<size_t>(channels));  // zero-padded if it fell short
  return true;
}

}  // namespace

bool IsAudioFileName(std::string_view file_name) {
  if (file_name.empty() || file_name.front() == '.') return false;
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return false;
  static const std::set<std::string, std::less<>> kExtensions = {
      "wav", "wave", "aif", "aiff", "aifc", "flac", "ogg", "oga",
      "opus", "mp3", "caf", "w64", "rf64", "au", "snd"};
  return kExtensions.count(Lower(file_name.substr(dot + 1))) > 0;
}

DecodeResult DecodeSampleFile(const std::filesystem::path& path, std::string label,
                              const SampleLibraryOptions& options) {
  DecodeResult result;
  auto fail = [&](const std::string& why) {
    result.error = Quoted(path) + ": " + why;
    return std::move(result);
  };
  if (!(options.engine_rate_hz > 0.0)) return fail("engine rate must be positive");

  SF_INFO info{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) return fail(std::string("libsndfile cannot open it: ") + sf_strerror(nullptr));
  if (info.channels < 1 || info.samplerate <= 0) {
    return fail("header says " + std::to_string(info.channels) + " channels at " +
                std::to_string(info.samplerate) + " Hz");
  }

  const auto file_channels = static_cast<size_t>(info.channels);
  sf_count_t limit_frames = info.frames > 0 ? info.frames : SF_COUNT_MAX;
  bool cut = false;
  if (options.max_file_s > 0.0) {
    const auto max_frames =
        static_cast<sf_count_t>(std::ceil(options.max_file_s * info.samplerate));
    if (limit_frames > max_frames) {
      limit_frames = max_frames;
      cut = true;
    }
  }

  // Read in chunks rather than trusting info.frames: a damaged header can claim
  // more (or, for some formats, unknown) length.
  std::vector<float> interleaved;
  constexpr sf_count_t kChunkFrames = 8192;
  std::vector<float> chunk(static_cast<size_t>(kChunkFrames) * file_channels);
  sf_count_t frames_read = 0;
  while (frames_read < limit_frames) {
    const sf_count_t want = std::min(kChunkFrames, limit_frames - frames_read);
    const sf_count_t got = sf_readf_float(file.get(), chunk.data(), want);
    if (got <= 0) break;
    interleaved.insert(interleaved.end(), chunk.begin(),
                       chunk.begin() + static_cast<std::ptrdiff_t>(got * info.channels));
    frames_read += got;
  }
  if (frames_read == 0) {
    const int err = sf_error(file.get());
    return fail(err != 0 ? std::string("libsndfile: ") + sf_error_number(err)
                         : std::string("contains no audio frames"));
  }
  for (float v : interleaved) {
    if (!std::isfinite(v)) return fail("contains NaN or infinite sample values");
  }

  std::vector<std::string> notes;
  if (cut) {
    notes.push_back("longer than " + std::to_string(options.max_file_s) + " s; cut to that length");
  } else if (info.frames > 0 && frames_read < info.frames) {
    notes.push_back("shorter than its header says (" + std::to_string(frames_read) + " of " +
                    std::to_string(info.frames) + " frames); kept what was there");
  }

  // Keep at most two channels (the engine is stereo); more is rare in drum libraries.
  const size_t channels = std::min<size_t>(file_channels, dsp::Sample::kMaxChannels);
  auto frames = static_cast<size_t>(frames_read);
  if (channels != file_channels) {
    notes.push_back("has " + std::to_string(file_channels) + " channels; kept the first " +
                    std::to_string(channels));
    std::vector<float> kept(frames * channels);
    for (size_t i = 0; i < frames; ++i) {
      for (size_t c = 0; c < channels; ++c) kept[i * channels + c] = interleaved[i * file_channels + c];
    }
    interleaved = std::move(kept);
  }

  if (static_cast<double>(info.samplerate) != options.engine_rate_hz) {
    const int converter = options.quality == ResampleQuality::kSincBest ? SRC_SINC_BEST_QUALITY
                                                                        : SRC_SINC_MEDIUM_QUALITY;
    std::vector<float> resampled;
    std::string why;
    if (!Resample(interleaved, static_cast<int>(channels), frames,
                  options.engine_rate_hz / static_cast<double>(info.samplerate), converter,
                  resampled, why)) {
      return fail("resampling from " + std::to_string(info.samplerate) + " Hz failed: " + why);
    }
    interleaved = std::move(resampled);
    frames = interleaved.size() / channels;
  }

  auto sample = std::make_unique<dsp::Sample>(std::move(label), options.engine_rate_hz,
                                              static_cast<int>(channels), frames);
  for (size_t c = 0; c < channels; ++c) {
    float* dst = sample->mutable_channel(static_cast<int>(c));
    for (size_t i = 0; i < frames; ++i) dst[i] = interleaved[i * channels + c];
  }
  result.sample = std::move(sample);
  for (size_t i = 0; i < notes.size(); ++i) {
    result.note += (i == 0 ? Quoted(path) + ": " : std::string("; ")) + notes[i];
  }
  return result;
}

SampleLibrary SampleLibrary::Load(const std::filesystem::path& root, SampleLibraryOptions options) {
  namespace fs = std::filesystem;
  SampleLibrary lib;
  lib.engine_rate_hz_ = options.engine_rate_hz;
  lib.fallback_ = options.fallback;
  auto warn = [&lib](std::string message) { lib.warnings_.push_back("sample library: " + std::move(message)); };

  if (lib.fallback_) {
    // A fallback built at another rate would play at the wrong pitch.
    for (const std::string& name : lib.fallback_->Names()) {
      const dsp::Sample* s = lib.fallback_->Find(name, 0);
      if (s != nullptr && s->rate_hz() != options.engine_rate_hz) {
        warn("fallback sounds are at " + std::to_string(s->rate_hz()) + " Hz, engine at " +
             std::to_string(options.engine_rate_hz) + " Hz");
        break;
      }
    }
  }

  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    warn("folder " + Quoted(root) + " not found; only built-in sounds are available");
    return lib;
  }

  // Directory iteration order is arbitrary; sort names as bytes (std::string's
  // operator< compares as unsigned char, i.e. `LC_ALL=C ls`).
  auto list = [&](const fs::path& dir, bool want_dirs) {
    std::vector<std::string> names;
    std::error_code iter_ec;
    fs::directory_iterator it(dir, iter_ec), end;
    if (iter_ec) {
      warn("cannot list " + Quoted(dir) + ": " + iter_ec.message());
      return names;
    }
    for (; it != end; it.increment(iter_ec)) {
      std::string name = it->path().filename().string();
      if (name.empty() || name.front() == '.') continue;  // .git, .Trashes, ._x.wav
      std::error_code type_ec;
      if (want_dirs ? it->is_directory(type_ec)
                    : (it->is_regular_file(type_ec) && IsAudioFileName(name))) {
        names.push_back(std::move(name));
      }
    }
    if (iter_ec) warn("listing " + Quoted(dir) + " stopped early: " + iter_ec.message());
    std::sort(names.begin(), names.end());
    return names;
  };

  for (const std::string& folder : list(root, /*want_dirs=*/true)) {
    for (const std::string& file : list(root / folder, /*want_dirs=*/false)) {
      DecodeResult decoded = DecodeSampleFile(root / folder / file, folder + "/" + file, options);
      if (!decoded.sample) {
        warn("skipped " + decoded.error);
        continue;
      }
      if (!decoded.note.empty()) warn(decoded.note);
      lib.disk_.Add(folder, std::move(decoded.sample));
    }
  }
  return lib;
}

size_t SampleLibrary::Count(std::string_view name) const {
  const size_t n = disk_.Count(name);
  if (n > 0 || !fallback_) return n;
  return fallback_->Count(name);
}

const dsp::Sample* SampleLibrary::Find(std::string_view name, int64_t index) const {
  if (const dsp::Sample* s = disk_.Find(name, index)) return s;
  return fallback_ ? fallback_->Find(name, index) : nullptr;
}

std::vector<std::string> SampleLibrary::Names() const {
  std::vector<std::string> names = disk_.Names();
  if (fallback_) {
    std::vector<std::string> extra = fallback_->Names();
    names.insert(names.end(), extra.begin(), extra.end());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
  }
  return names;
}

}  // namespace gb::drivers
