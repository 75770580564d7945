// libsndfile-backed WAV writer and reader. File I/O: never on the audio thread.
#include "drivers/wav_writer.h"

#include <sndfile.h>

#include <utility>

namespace gb::drivers {
namespace {

int SubtypeOf(WavEncoding encoding) {
  switch (encoding) {
    case WavEncoding::kPcm16: return SF_FORMAT_PCM_16;
    case WavEncoding::kPcm24: return SF_FORMAT_PCM_24;
    case WavEncoding::kFloat32: break;
  }
  return SF_FORMAT_FLOAT;
}

std::string Quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

}  // namespace

WavWriter::WavWriter(const std::filesystem::path& path, const WavSpec& spec)
    : path_(path), spec_(spec) {
  if (spec.channels < 1 || spec.rate_hz <= 0) {
    Fail("needs at least 1 channel and a positive rate (got " + std::to_string(spec.channels) +
         " channels at " + std::to_string(spec.rate_hz) + " Hz)");
    return;
  }
  SF_INFO info{};
  info.channels = spec.channels;
  info.samplerate = spec.rate_hz;
  info.format = SF_FORMAT_WAV | SubtypeOf(spec.encoding);
  if (sf_format_check(&info) == 0) {
    Fail("libsndfile rejects this format (" + std::to_string(spec.channels) + " channels)");
    return;
  }
  file_ = sf_open(path.c_str(), SFM_WRITE, &info);
  if (file_ == nullptr) {
    Fail(std::string("cannot open for writing: ") + sf_strerror(nullptr));
    return;
  }
  // Overs must clip in PCM; libsndfile's default lets them wrap to the other rail.
  sf_command(file_, SFC_SET_CLIPPING, nullptr, SF_TRUE);
}

WavWriter::~WavWriter() { Close(); }

WavWriter::WavWriter(WavWriter&& other) noexcept
    : path_(std::move(other.path_)),
      spec_(other.spec_),
      file_(std::exchange(other.file_, nullptr)),
      frames_written_(other.frames_written_),
      error_(std::move(other.error_)) {}

WavWriter& WavWriter::operator=(WavWriter&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    spec_ = other.spec_;
    file_ = std::exchange(other.file_, nullptr);
    frames_written_ = other.frames_written_;
    error_ = std::move(other.error_);
  }
  return *this;
}

void WavWriter::Fail(std::string why) {
  if (error_.empty()) error_ = "WAV " + Quoted(path_) + ": " + std::move(why);
}

bool WavWriter::Write(std::span<const float> interleaved) {
  if (!ok()) return false;
  if (file_ == nullptr) {
    Fail("write after Close()");
    return false;
  }
  const auto channels = static_cast<size_t>(spec_.channels);
  if (interleaved.size() % channels != 0) {
    Fail("block of " + std::to_string(interleaved.size()) + " samples is not a whole number of " +
         std::to_string(channels) + "-channel frames");
    return false;
  }
  const auto frames = static_cast<sf_count_t>(interleaved.size() / channels);
  if (frames == 0) return true;
  const sf_count_t written = sf_writef_float(file_, interleaved.data(), frames);
  if (written > 0) frames_written_ += written;
  if (written != frames) {
    Fail("short write (" + std::to_string(written) + " of " + std::to_string(frames) +
         " frames): " + sf_strerror(file_));
    return false;
  }
  return true;
}

bool WavWriter::Close() {
  if (file_ == nullptr) return ok();
  const int err = sf_close(file_);
  file_ = nullptr;
  if (err != 0) Fail(std::string("closing failed: ") + sf_error_number(err));
  return ok();
}

AudioFileData ReadWav(const std::filesystem::path& path) {
  AudioFileData out;
  SF_INFO info{};
  SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
  if (file == nullptr) {
    out.error = Quoted(path) + ": " + sf_strerror(nullptr);
    return out;
  }
  out.channels = info.channels;
  out.rate_hz = info.samplerate;
  out.interleaved.resize(static_cast<size_t>(info.frames) * static_cast<size_t>(info.channels));
  out.frames = sf_readf_float(file, out.interleaved.data(), info.frames);
  if (out.frames < info.frames) {
    out.interleaved.resize(static_cast<size_t>(out.frames) * static_cast<size_t>(info.channels));
  }
  sf_close(file);
  return out;
}

}  // namespace gb::drivers
