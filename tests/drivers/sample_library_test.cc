// Sample library: loads the shared Dirt-Samples subset faithfully (counts,
// byte-order sorting, wrap-around, 44101 Hz headers, stereo, float files),
// survives junk on disk, decodes every format and depth it claims, and
// resamples without changing pitch.
#include "drivers/sample_library.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numbers>
#include <map>
#include <string>
#include <vector>

#include "drivers/wav_writer.h"
#include "dsp/kit/builtin_kit.h"
#include "tests/drivers/test_files.h"

namespace gb::drivers {
namespace {

namespace fs = std::filesystem;
using testing::Sine;
using testing::TempDir;
using testing::WriteAudio;
using testing::WriteBytes;
using namespace std::string_literals;

constexpr double kEngineRateHz = 48000.0;

const fs::path kSamplesDir = GB_SAMPLES_DIR;

// Independent of IsAudioFileName on purpose: the shared folder holds only WAVs.
bool LooksLikeWav(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".wav" && p.filename().string().front() != '.';
}

std::map<std::string, std::vector<std::string>> ListShared() {
  std::map<std::string, std::vector<std::string>> folders;
  for (const auto& dir : fs::directory_iterator(kSamplesDir)) {
    if (!dir.is_directory()) continue;
    auto& files = folders[dir.path().filename().string()];
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.is_regular_file() && LooksLikeWav(f.path())) files.push_back(f.path().filename().string());
    }
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [](char x, char y) {
                                            return static_cast<unsigned char>(x) <
                                                   static_cast<unsigned char>(y);
                                          });
    });
  }
  return folders;
}

SF_INFO InfoOf(const fs::path& p) {
  SF_INFO info{};
  SNDFILE* f = sf_open(p.c_str(), SFM_READ, &info);
  if (f != nullptr) sf_close(f);
  return info;
}

// Frequency from upward zero crossings, interpolated between samples, ignoring
// the first and last 10 ms where the resampler's edges live.
double ZeroCrossingHz(std::span<const float> x, double rate_hz) {
  const auto skip = static_cast<size_t>(0.01 * rate_hz);
  double first = -1.0, last = -1.0;
  int crossings = 0;
  for (size_t i = skip + 1; i + skip < x.size(); ++i) {
    if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
      const double t = static_cast<double>(i - 1) + double{x[i - 1]} / double{x[i - 1] - x[i]};
      if (first < 0.0) first = t;
      last = t;
      ++crossings;
    }
  }
  if (crossings < 2) return 0.0;
  return (crossings - 1) / (last - first) * rate_hz;
}

// The shared library, loaded once at 48 kHz for the whole suite.
class SharedSamplesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::is_directory(kSamplesDir)) return;
    SampleLibraryOptions options;
    options.engine_rate_hz = kEngineRateHz;
    library_ = new SampleLibrary(SampleLibrary::Load(kSamplesDir, options));
  }
  static void TearDownTestSuite() {
    delete library_;
    library_ = nullptr;
  }
  void SetUp() override {
    if (library_ == nullptr) GTEST_SKIP() << "no shared samples at " << kSamplesDir;
  }
  static SampleLibrary* library_;
};
SampleLibrary* SharedSamplesTest::library_ = nullptr;

TEST_F(SharedSamplesTest, LoadsWithoutWarnings) {
  for (const auto& w : library_->warnings()) ADD_FAILURE() << w;
  EXPECT_GT(library_->files_loaded(), 200u);
}

TEST_F(SharedSamplesTest, CountPerFolderMatchesTheListingMinusNonAudio) {
  const auto listing = ListShared();
  ASSERT_GE(listing.size(), 19u);
  size_t total = 0;
  for (const auto& [folder, files] : listing) {
    EXPECT_EQ(library_->Count(folder), files.size()) << folder;
    EXPECT_TRUE(library_->OnDisk(folder)) << folder;
    total += files.size();
  }
  EXPECT_EQ(library_->files_loaded(), total);
  EXPECT_EQ(library_->disk().Names().size(), listing.size());
}

TEST_F(SharedSamplesTest, VariationsFollowByteOrderOfFileNames) {
  for (const auto& [folder, files] : ListShared()) {
    for (size_t i = 0; i < files.size(); ++i) {
      const dsp::Sample* s = library_->Find(folder, static_cast<int64_t>(i));
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(s->name(), folder + "/" + files[i]);
    }
  }
}

TEST_F(SharedSamplesTest, IndexWrapsAroundTheFolder) {
  const auto n = static_cast<int64_t>(library_->Count("bd"));
  ASSERT_EQ(n, 24);
  EXPECT_EQ(library_->Find("bd", n), library_->Find("bd", 0));
  EXPECT_EQ(library_->Find("bd", n + 3), library_->Find("bd", 3));
  EXPECT_EQ(library_->Find("bd", 5 * n + 7), library_->Find("bd", 7));
  EXPECT_EQ(library_->Find("bd", -1), library_->Find("bd", n - 1));
  EXPECT_NE(library_->Find("bd", 3), library_->Find("bd", 0));
  EXPECT_EQ(library_->Find("no-such-folder", 0), nullptr);
  EXPECT_EQ(library_->Count("no-such-folder"), 0u);
}

TEST_F(SharedSamplesTest, Files44101HzAreResampledToTheEngineRate) {
  int checked = 0;
  for (const auto& [folder, files] : ListShared()) {
    for (size_t i = 0; i < files.size(); ++i) {
      const SF_INFO info = InfoOf(kSamplesDir / folder / files[i]);
      if (info.samplerate != 44101) continue;
      const dsp::Sample* s = library_->Find(folder, static_cast<int64_t>(i));
      const double expected = static_cast<double>(info.frames) * kEngineRateHz / 44101.0;
      EXPECT_NEAR(static_cast<double>(s->frames()), expected, 2.0) << s->name();
      EXPECT_EQ(s->rate_hz(), kEngineRateHz);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 101);  // the README's count: the quirk is really exercised
}

TEST_F(SharedSamplesTest, EverySampleIsAtTheEngineRateAndScaledByItsRatio) {
  for (const auto& [folder, files] : ListShared()) {
    for (size_t i = 0; i < files.size(); ++i) {
      const SF_INFO info = InfoOf(kSamplesDir / folder / files[i]);
      const dsp::Sample* s = library_->Find(folder, static_cast<int64_t>(i));
      EXPECT_EQ(s->rate_hz(), kEngineRateHz);
      EXPECT_NEAR(static_cast<double>(s->frames()),
                  static_cast<double>(info.frames) * kEngineRateHz / info.samplerate, 2.0)
          << s->name();
    }
  }
}

TEST_F(SharedSamplesTest, StereoFilesStayStereoAndMonoStaysMono) {
  int stereo = 0;
  for (const auto& [folder, files] : ListShared()) {
    for (size_t i = 0; i < files.size(); ++i) {
      const SF_INFO info = InfoOf(kSamplesDir / folder / files[i]);
      const dsp::Sample* s = library_->Find(folder, static_cast<int64_t>(i));
      EXPECT_EQ(s->channels(), info.channels) << s->name();
      if (info.channels == 2) ++stereo;
    }
  }
  EXPECT_GE(stereo, 16);  // hh (16-bit) plus cb and sd (float)
  EXPECT_EQ(library_->Find("hh", 0)->channels(), 2);
}

TEST_F(SharedSamplesTest, FloatFileDecodesToThePeakSndfileReports) {
  const fs::path path = kSamplesDir / "cb" / "rytm-cb.wav";
  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(info.format & SF_FORMAT_SUBMASK, SF_FORMAT_FLOAT);
  ASSERT_EQ(info.channels, 2);
  std::vector<double> peaks(2);
  ASSERT_EQ(sf_command(f, SFC_CALC_MAX_ALL_CHANNELS, peaks.data(),
                       static_cast<int>(sizeof(double) * peaks.size())),
            0);
  sf_close(f);

  // At the file's own rate nothing is resampled: the peak must match exactly.
  SampleLibraryOptions same_rate;
  same_rate.engine_rate_hz = info.samplerate;
  const DecodeResult decoded = DecodeSampleFile(path, "cb", same_rate);
  ASSERT_NE(decoded.sample, nullptr) << decoded.error;
  for (int c = 0; c < 2; ++c) {
    float peak = 0.0f;
    for (float v : decoded.sample->channel_span(c)) peak = std::max(peak, std::fabs(v));
    EXPECT_NEAR(peak, peaks[static_cast<size_t>(c)], 1e-6) << "channel " << c;
  }
  // Resampled to 48 kHz the peak moves only by the sinc filter's ripple.
  EXPECT_NEAR(library_->Find("cb", 0)->PeakAbs(), std::max(peaks[0], peaks[1]),
              0.05 * std::max(peaks[0], peaks[1]));
}

TEST_F(SharedSamplesTest, BuiltinKitFillsOnlyNamesAbsentFromDisk) {
  SampleLibraryOptions options;
  options.engine_rate_hz = kEngineRateHz;
  options.fallback = std::make_shared<dsp::BuiltinKit>(kEngineRateHz);
  // Only one folder, to keep this quick: bd on disk, everything else built in.
  TempDir dir;
  fs::create_directories(dir.path() / "bd");
  fs::copy_file(kSamplesDir / "bd" / "BT0A0A7.wav", dir.path() / "bd" / "BT0A0A7.wav");
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), options);
  EXPECT_TRUE(lib.warnings().empty());
  EXPECT_EQ(lib.Count("bd"), 1u);
  EXPECT_EQ(lib.Find("bd", 5)->name(), "bd/BT0A0A7.wav");  // disk wins, and wraps on disk
  ASSERT_NE(lib.Find("rim", 0), nullptr);
  EXPECT_EQ(lib.Find("rim", 0)->name().rfind("builtin:rim", 0), 0u);
  EXPECT_EQ(lib.Count("arpy"), options.fallback->Count("arpy"));
  EXPECT_EQ(lib.Find("nothing", 0), nullptr);
  const auto names = lib.Names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::count(names.begin(), names.end(), "bd"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "808lt"), 1);
}

TEST(SampleLibrary, MissingFolderIsAWarningAndTheFallbackStillPlays) {
  SampleLibraryOptions options;
  options.fallback = std::make_shared<dsp::BuiltinKit>(options.engine_rate_hz);
  const SampleLibrary lib = SampleLibrary::Load("/nonexistent/groovebox/samples", options);
  EXPECT_EQ(lib.files_loaded(), 0u);
  ASSERT_EQ(lib.warnings().size(), 1u);
  EXPECT_NE(lib.warnings()[0].find("/nonexistent/groovebox/samples"), std::string::npos);
  EXPECT_NE(lib.Find("bd", 0), nullptr);
}

TEST(SampleLibrary, FallbackAtAnotherRateIsReported) {
  SampleLibraryOptions options;
  options.engine_rate_hz = 48000.0;
  options.fallback = std::make_shared<dsp::BuiltinKit>(44100.0);
  TempDir dir;
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), options);
  ASSERT_EQ(lib.warnings().size(), 1u);
  EXPECT_NE(lib.warnings()[0].find("44100"), std::string::npos);
}

TEST(SampleLibrary, SkipsNonAudioSilentlyAndReportsCorruptFilesByName) {
  TempDir dir;
  const fs::path kit = dir.path() / "kit";
  ASSERT_TRUE(WriteAudio(kit / "good.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000, 4800,
                         Sine(440.0, 48000, 0.5)));
  WriteBytes(kit / "readme.txt", "These samples are free to use.\n");
  WriteBytes(kit / "LICENSE", "CC0\n");
  WriteBytes(kit / ".DS_Store", std::string(64, '\0'));
  WriteBytes(kit / "._good.wav", "\x00\x05\x16\x07 AppleDouble junk"s);
  WriteBytes(kit / "corrupt.wav", "RIFF\x24\x00\x00\x00WAVEthis is not a wave file at all"s);
  {  // a real file cut off inside its header
    std::ifstream in(kit / "good.wav", std::ios::binary);
    std::string bytes(30, '\0');
    in.read(bytes.data(), 30);
    WriteBytes(kit / "truncated.wav", bytes);
  }
  WriteBytes(dir.path() / "notes.txt", "top-level files are not sounds\n");
  fs::create_directories(dir.path() / "empty");
  WriteBytes(dir.path() / "empty" / "readme.txt", "nothing here\n");

  const SampleLibrary lib = SampleLibrary::Load(dir.path(), {});
  EXPECT_EQ(lib.files_loaded(), 1u);
  EXPECT_EQ(lib.Count("kit"), 1u);
  EXPECT_EQ(lib.Find("kit", 0)->name(), "kit/good.wav");
  EXPECT_FALSE(lib.OnDisk("empty"));  // a folder with no audio is no sound

  ASSERT_EQ(lib.warnings().size(), 2u) << ::testing::PrintToString(lib.warnings());
  auto mentions = [&](const std::string& what) {
    return std::count_if(lib.warnings().begin(), lib.warnings().end(),
                         [&](const std::string& w) { return w.find(what) != std::string::npos; });
  };
  EXPECT_EQ(mentions("corrupt.wav"), 1);
  EXPECT_EQ(mentions("truncated.wav"), 1);
  EXPECT_EQ(mentions("readme"), 0);
  EXPECT_EQ(mentions("LICENSE"), 0);
  EXPECT_EQ(mentions("._good"), 0);
}

TEST(SampleLibrary, SortsByBytesNotByLocaleOrCase) {
  TempDir dir;
  // Created in an order unrelated to the expected one.
  const std::vector<std::string> expected = {"10.wav", "9.wav", "B.WAV", "C.wav",
                                             "_x.wav", "a.wav", "b.wav"};
  for (const char* name : {"b.wav", "_x.wav", "a.wav", "C.wav", "9.wav", "B.WAV", "10.wav"}) {
    ASSERT_TRUE(WriteAudio(dir.path() / "s" / name, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000,
                           100, Sine(440.0, 48000, 0.5)));
  }
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), {});
  ASSERT_EQ(lib.Count("s"), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(lib.Find("s", static_cast<int64_t>(i))->name(), "s/" + expected[i]);
  }
}

struct FormatCase {
  const char* label;
  int format;
  int channels;
  int rate_hz;
  double tolerance;  // a little over one step of the stored depth
};

void PrintTo(const FormatCase& fc, std::ostream* os) {
  *os << fc.label << " format 0x" << std::hex << fc.format << std::dec << ", " << fc.channels
      << " ch, " << fc.rate_hz << " Hz";
}

class DecodeFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(DecodeFormatTest, DecodesTheWaveformAndResamples) {
  const FormatCase& fc = GetParam();
  TempDir dir;
  const fs::path path = dir.path() / (std::string("tone.") + fc.label);
  constexpr size_t kFrames = 4410;
  // Left a 441 Hz sine, right its negative at half level: channel order checked.
  auto fn = [&](int c, size_t i) {
    const double v = 0.5 * std::sin(2.0 * std::numbers::pi * 441.0 * static_cast<double>(i) / fc.rate_hz);
    return c == 0 ? v : -0.5 * v;
  };
  ASSERT_TRUE(WriteAudio(path, fc.format, fc.channels, fc.rate_hz, kFrames, fn));

  SampleLibraryOptions at_file_rate;
  at_file_rate.engine_rate_hz = fc.rate_hz;
  const DecodeResult same = DecodeSampleFile(path, "t", at_file_rate);
  ASSERT_NE(same.sample, nullptr) << same.error;
  EXPECT_TRUE(same.note.empty()) << same.note;
  ASSERT_EQ(same.sample->channels(), fc.channels);
  ASSERT_EQ(same.sample->frames(), kFrames);
  for (int c = 0; c < fc.channels; ++c) {
    for (size_t i = 0; i < kFrames; i += 7) {
      ASSERT_NEAR(same.sample->channel(c)[i], fn(c, i), fc.tolerance) << "ch " << c << " frame " << i;
    }
  }

  SampleLibraryOptions at_48k;
  at_48k.engine_rate_hz = 48000.0;
  const DecodeResult resampled = DecodeSampleFile(path, "t", at_48k);
  ASSERT_NE(resampled.sample, nullptr) << resampled.error;
  EXPECT_EQ(resampled.sample->channels(), fc.channels);
  EXPECT_NEAR(static_cast<double>(resampled.sample->frames()),
              kFrames * 48000.0 / fc.rate_hz, 2.0);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, DecodeFormatTest,
    ::testing::Values(
        FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, 22050, 1.0 / 100},
        FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, 1.0 / 30000},
        FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 96000, 1e-6},
        FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1, 32000, 1e-7},
        FormatCase{"WAV", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 44101, 1e-7},
        FormatCase{"wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 1, 48000, 1e-7},
        FormatCase{"aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_S8, 1, 44100, 1.0 / 100},
        FormatCase{"aif", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 2, 22050, 1.0 / 30000},
        FormatCase{"AIFF", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 1, 88200, 1e-6},
        FormatCase{"aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 2, 48000, 1e-7},
        FormatCase{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, 44100, 1.0 / 30000},
        FormatCase{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1, 96000, 1e-6},
        FormatCase{"FLAC", SF_FORMAT_FLAC | SF_FORMAT_PCM_S8, 1, 16000, 1.0 / 100}),
    [](const auto& param_info) { return "case" + std::to_string(param_info.index) + "_" + param_info.param.label; });

TEST(SampleLibrary, ResampledSineKeepsItsPitch) {
  for (ResampleQuality quality : {ResampleQuality::kSincMedium, ResampleQuality::kSincBest}) {
    TempDir dir;
    const fs::path path = dir.path() / "sine" / "1k.wav";
    fs::create_directories(path.parent_path());
    WavWriter writer(path, {1, 44100, WavEncoding::kFloat32});
    std::vector<float> block(44100);
    for (size_t i = 0; i < block.size(); ++i) {
      block[i] = static_cast<float>(0.8 * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(i) / 44100.0));
    }
    ASSERT_TRUE(writer.Write(block)) << writer.error();
    ASSERT_TRUE(writer.Close()) << writer.error();

    SampleLibraryOptions options;
    options.engine_rate_hz = 48000.0;
    options.quality = quality;
    const SampleLibrary lib = SampleLibrary::Load(dir.path(), options);
    const dsp::Sample* s = lib.Find("sine", 0);
    ASSERT_NE(s, nullptr);
    EXPECT_NEAR(static_cast<double>(s->frames()), 48000.0, 2.0);
    const double hz = ZeroCrossingHz(s->channel_span(0), s->rate_hz());
    EXPECT_NEAR(hz, 1000.0, 5.0);  // +-0.5 %
    // Had it been copied without resampling it would read 1000 * 48000 / 44100.
    EXPECT_NEAR(s->PeakAbs(), 0.8f, 0.01f);
    // Against the ideal 48 kHz sine, away from the edges: libsamplerate keeps
    // time alignment, and a sinc converter stays far below what linear
    // interpolation would leave (about 2e-3 here). Medium measures ~1e-7.
    double worst = 0.0;
    for (size_t i = 480; i + 480 < s->frames(); ++i) {
      const double ideal = 0.8 * std::sin(2.0 * std::numbers::pi * 1000.0 * static_cast<double>(i) / 48000.0);
      worst = std::max(worst, std::fabs(ideal - double{s->channel(0)[i]}));
    }
    EXPECT_LT(worst, 1e-4);
  }
}

TEST(SampleLibrary, CutsOverlongFilesWithAWarning) {
  TempDir dir;
  ASSERT_TRUE(WriteAudio(dir.path() / "long" / "take.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1,
                         44100, 44100, Sine(100.0, 44100, 0.5)));
  SampleLibraryOptions options;
  options.max_file_s = 0.25;
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), options);
  ASSERT_EQ(lib.Count("long"), 1u);
  EXPECT_NEAR(static_cast<double>(lib.Find("long", 0)->frames()), 0.25 * 48000.0, 2.0);
  ASSERT_EQ(lib.warnings().size(), 1u);
  EXPECT_NE(lib.warnings()[0].find("take.wav"), std::string::npos);
}

TEST(SampleLibrary, KeepsTheFirstTwoOfManyChannels) {
  TempDir dir;
  ASSERT_TRUE(WriteAudio(dir.path() / "multi" / "quad.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 4,
                         48000, 100, [](int c, size_t) { return 0.1 * (c + 1); }));
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), {});
  const dsp::Sample* s = lib.Find("multi", 0);
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->channels(), 2);
  EXPECT_FLOAT_EQ(s->channel(0)[50], 0.1f);
  EXPECT_FLOAT_EQ(s->channel(1)[50], 0.2f);
  ASSERT_EQ(lib.warnings().size(), 1u);
  EXPECT_NE(lib.warnings()[0].find("4 channels"), std::string::npos);
}

TEST(SampleLibrary, RejectsNonFiniteFloatFiles) {
  TempDir dir;
  ASSERT_TRUE(WriteAudio(dir.path() / "bad" / "nan.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 48000,
                         100, [](int, size_t i) { return i == 50 ? std::nan("") : 0.1; }));
  const SampleLibrary lib = SampleLibrary::Load(dir.path(), {});
  EXPECT_EQ(lib.Count("bad"), 0u);
  ASSERT_EQ(lib.warnings().size(), 1u);
  EXPECT_NE(lib.warnings()[0].find("nan.wav"), std::string::npos);
}

TEST(SampleLibrary, PointersSurviveMovingTheLibrary) {
  TempDir dir;
  ASSERT_TRUE(WriteAudio(dir.path() / "x" / "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 48000,
                         100, Sine(440.0, 48000, 0.5)));
  SampleLibrary lib = SampleLibrary::Load(dir.path(), {});
  const dsp::Sample* before = lib.Find("x", 0);
  const float* data = before->channel(0);
  const SampleLibrary moved = std::move(lib);
  EXPECT_EQ(moved.Find("x", 0), before);
  EXPECT_EQ(moved.Find("x", 0)->channel(0), data);
}

TEST(IsAudioFileName, KnowsAudioExtensionsInAnyCaseAndSkipsDotfiles) {
  for (const char* yes : {"a.wav", "B.WAV", "c.Wav", "d.aif", "e.AIFF", "f.flac", "g.ogg", "h.mp3"}) {
    EXPECT_TRUE(IsAudioFileName(yes)) << yes;
  }
  for (const char* no : {"readme.txt", "LICENSE", "license", ".DS_Store", "._a.wav", "wav",
                         "a.wav.txt", "a.", ""}) {
    EXPECT_FALSE(IsAudioFileName(no)) << no;
  }
}

}  // namespace
}  // namespace gb::drivers
