// WAV output through libsndfile: streaming writes of interleaved float blocks,
// stored as float32 (default, lossless for renders) or 16/24-bit PCM. Does file
// I/O: control or offline-render thread, never the real-time audio thread.
// Also ReadWav(), a small whole-file reader for tests and tools.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

struct sf_private_tag;  // libsndfile's SNDFILE, kept out of this header

namespace gb::drivers {

enum class WavEncoding { kFloat32, kPcm16, kPcm24 };

struct WavSpec {
  int channels = 2;
  int rate_hz = 48000;
  WavEncoding encoding = WavEncoding::kFloat32;
};

// Errors are sticky, iostream-style: check ok() after construction and after
// writing; error() names the path and libsndfile's reason.
class WavWriter {
 public:
  WavWriter(const std::filesystem::path& path, const WavSpec& spec);
  ~WavWriter();  // closes, which finalizes the header
  WavWriter(WavWriter&& other) noexcept;
  WavWriter& operator=(WavWriter&& other) noexcept;
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // `interleaved.size()` must be a whole number of frames. In the PCM encodings
  // values beyond [-1, 1] clip rather than wrap around.
  bool Write(std::span<const float> interleaved);
  // Writes the final header and closes; later writes fail. Safe to call twice.
  bool Close();

  int64_t frames_written() const { return frames_written_; }
  const WavSpec& spec() const { return spec_; }

 private:
  void Fail(std::string why);

  std::filesystem::path path_;
  WavSpec spec_;
  sf_private_tag* file_ = nullptr;
  int64_t frames_written_ = 0;
  std::string error_;
};

struct AudioFileData {
  std::vector<float> interleaved;  // frames x channels, as libsndfile normalizes (PCM to [-1, 1))
  int channels = 0;
  int rate_hz = 0;
  int64_t frames = 0;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

// Reads a whole file (WAV or anything libsndfile knows) into interleaved floats.
AudioFileData ReadWav(const std::filesystem::path& path);

}  // namespace gb::drivers
