// Test helpers for drivers/: a self-removing temporary folder and a libsndfile
// fixture writer for formats the library only reads (AIFF, FLAC, 8-bit...).
#pragma once

#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

namespace gb::drivers::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gb_drivers_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void WriteBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// Writes `frames` frames whose channel c at frame i is `fn(c, i)`, in any
// libsndfile format (e.g. SF_FORMAT_AIFF | SF_FORMAT_PCM_24). False on failure.
inline bool WriteAudio(const std::filesystem::path& path, int format, int channels, int rate_hz,
                       size_t frames, const std::function<double(int, size_t)>& fn) {
  std::filesystem::create_directories(path.parent_path());
  SF_INFO info{};
  info.channels = channels;
  info.samplerate = rate_hz;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (f == nullptr) return false;
  std::vector<double> buf(frames * static_cast<size_t>(channels));
  for (size_t i = 0; i < frames; ++i) {
    for (int c = 0; c < channels; ++c) buf[i * static_cast<size_t>(channels) + static_cast<size_t>(c)] = fn(c, i);
  }
  const sf_count_t n = sf_writef_double(f, buf.data(), static_cast<sf_count_t>(frames));
  sf_close(f);
  return n == static_cast<sf_count_t>(frames);
}

inline std::function<double(int, size_t)> Sine(double freq_hz, int rate_hz, double amplitude) {
  return [=](int, size_t i) {
    return amplitude * std::sin(2.0 * std::numbers::pi * freq_hz * static_cast<double>(i) / rate_hz);
  };
}

}  // namespace gb::drivers::testing
