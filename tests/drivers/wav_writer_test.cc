// WAV writer: streamed blocks round-trip (exactly in float32, within one step
// in PCM), any channel count, overs clip rather than wrap, and every failure
// says which path and why.
#include "drivers/wav_writer.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "tests/drivers/test_files.h"

namespace gb::drivers {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Deterministic, non-periodic test signal in [-0.95, 0.95].
std::vector<float> Signal(size_t frames, int channels) {
  std::vector<float> x(frames * static_cast<size_t>(channels));
  uint32_t s = 12345u;
  for (float& v : x) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<float>((static_cast<double>(s >> 8) / 16777216.0 * 2.0 - 1.0) * 0.95);
  }
  return x;
}

// Writes `x` in blocks of uneven size, as a renderer would.
void WriteInBlocks(WavWriter& w, const std::vector<float>& x, int channels) {
  const size_t block_sizes[] = {1, 7, 64, 1000, 333};
  size_t frame = 0, b = 0;
  const size_t frames = x.size() / static_cast<size_t>(channels);
  while (frame < frames) {
    const size_t n = std::min(block_sizes[b++ % 5], frames - frame);
    ASSERT_TRUE(w.Write(std::span<const float>(x).subspan(frame * static_cast<size_t>(channels),
                                                           n * static_cast<size_t>(channels))))
        << w.error();
    frame += n;
  }
}

int SubtypeOnDisk(const fs::path& path) {
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  if (f == nullptr) return -1;
  sf_close(f);
  EXPECT_EQ(info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_WAV);
  return info.format & SF_FORMAT_SUBMASK;
}

struct EncodingCase {
  WavEncoding encoding;
  int subtype;
  double tolerance;
};

void PrintTo(const EncodingCase& ec, std::ostream* os) { *os << "subtype 0x" << std::hex << ec.subtype; }

class WavRoundTripTest : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(WavRoundTripTest, StreamedBlocksReadBackWithinOneStep) {
  const EncodingCase& ec = GetParam();
  for (int channels : {1, 2, 6}) {
    TempDir dir;
    const fs::path path = dir.path() / "out.wav";
    const std::vector<float> x = Signal(5003, channels);
    {
      WavWriter w(path, {channels, 44100, ec.encoding});
      ASSERT_TRUE(w.ok()) << w.error();
      WriteInBlocks(w, x, channels);
      EXPECT_EQ(w.frames_written(), 5003);
      ASSERT_TRUE(w.Close()) << w.error();
    }
    EXPECT_EQ(SubtypeOnDisk(path), ec.subtype);
    const AudioFileData back = ReadWav(path);
    ASSERT_TRUE(back.ok()) << back.error;
    EXPECT_EQ(back.channels, channels);
    EXPECT_EQ(back.rate_hz, 44100);
    EXPECT_EQ(back.frames, 5003);
    ASSERT_EQ(back.interleaved.size(), x.size());
    double worst = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
      worst = std::max(worst, std::fabs(double{back.interleaved[i]} - double{x[i]}));
    }
    EXPECT_LE(worst, ec.tolerance) << channels << " channels";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, WavRoundTripTest,
    ::testing::Values(EncodingCase{WavEncoding::kFloat32, SF_FORMAT_FLOAT, 0.0},
                      EncodingCase{WavEncoding::kPcm16, SF_FORMAT_PCM_16, 1.0 / 32767.0},
                      EncodingCase{WavEncoding::kPcm24, SF_FORMAT_PCM_24, 1.0 / 8388607.0}),
    [](const auto& param_info) {
      return std::string(param_info.param.encoding == WavEncoding::kFloat32 ? "Float32"
                         : param_info.param.encoding == WavEncoding::kPcm16 ? "Pcm16"
                                                                       : "Pcm24");
    });

TEST(WavWriter, DefaultsToFloat32Stereo48k) {
  TempDir dir;
  const fs::path path = dir.path() / "default.wav";
  {
    WavWriter w(path, {});
    const std::vector<float> x = {0.25f, -0.5f, 1.5f, -2.0f};  // floats keep overs
    ASSERT_TRUE(w.Write(x));
  }  // the destructor finalizes
  const AudioFileData back = ReadWav(path);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.channels, 2);
  EXPECT_EQ(back.rate_hz, 48000);
  EXPECT_EQ(back.interleaved, (std::vector<float>{0.25f, -0.5f, 1.5f, -2.0f}));
}

TEST(WavWriter, Pcm16OversClipInsteadOfWrapping) {
  TempDir dir;
  const fs::path path = dir.path() / "loud.wav";
  {
    WavWriter w(path, {1, 48000, WavEncoding::kPcm16});
    ASSERT_TRUE(w.Write(std::vector<float>{1.5f, -1.5f, 3.0f, -3.0f}));
  }
  const AudioFileData back = ReadWav(path);
  ASSERT_EQ(back.interleaved.size(), 4u);
  EXPECT_GT(back.interleaved[0], 0.999f);
  EXPECT_LT(back.interleaved[1], -0.999f);
  EXPECT_GT(back.interleaved[2], 0.999f);
  EXPECT_LT(back.interleaved[3], -0.999f);
}

TEST(WavWriter, UnopenablePathGivesAMessageNamingIt) {
  const fs::path path = "/nonexistent-dir/groovebox/out.wav";
  WavWriter w(path, {2, 48000, WavEncoding::kFloat32});
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.error().find(path.string()), std::string::npos) << w.error();
  EXPECT_FALSE(w.Write(std::vector<float>{0.0f, 0.0f}));
  EXPECT_FALSE(w.Close());
}

TEST(WavWriter, RejectsBadSpecsAndPartialFrames) {
  TempDir dir;
  EXPECT_FALSE(WavWriter(dir.path() / "a.wav", {0, 48000, WavEncoding::kFloat32}).ok());
  EXPECT_FALSE(WavWriter(dir.path() / "b.wav", {2, 0, WavEncoding::kFloat32}).ok());

  WavWriter w(dir.path() / "c.wav", {2, 48000, WavEncoding::kFloat32});
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_FALSE(w.Write(std::vector<float>{0.1f, 0.2f, 0.3f}));
  EXPECT_NE(w.error().find("whole number"), std::string::npos) << w.error();
}

TEST(WavWriter, WriteAfterCloseFails) {
  TempDir dir;
  WavWriter w(dir.path() / "a.wav", {1, 48000, WavEncoding::kFloat32});
  ASSERT_TRUE(w.Write(std::vector<float>{0.1f}));
  ASSERT_TRUE(w.Close());
  EXPECT_TRUE(w.Close());  // idempotent
  EXPECT_FALSE(w.Write(std::vector<float>{0.1f}));
  EXPECT_FALSE(w.ok());
}

TEST(WavWriter, MovedWriterKeepsWritingToTheSameFile) {
  TempDir dir;
  const fs::path path = dir.path() / "moved.wav";
  {
    WavWriter a(path, {1, 48000, WavEncoding::kFloat32});
    ASSERT_TRUE(a.Write(std::vector<float>{0.1f}));
    WavWriter b = std::move(a);
    ASSERT_TRUE(b.Write(std::vector<float>{0.2f}));
    EXPECT_EQ(b.frames_written(), 2);
  }
  EXPECT_EQ(ReadWav(path).interleaved, (std::vector<float>{0.1f, 0.2f}));
}

TEST(ReadWav, MissingFileGivesAMessageNamingIt) {
  const AudioFileData d = ReadWav("/nonexistent-dir/x.wav");
  EXPECT_FALSE(d.ok());
  EXPECT_NE(d.error.find("/nonexistent-dir/x.wav"), std::string::npos);
  EXPECT_TRUE(d.interleaved.empty());
}

}  // namespace
}  // namespace gb::drivers
