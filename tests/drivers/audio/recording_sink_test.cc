// The fake sink other suites use in place of a device: it keeps what was
// written, in order, and counts what did not fit.
#include "tests/drivers/audio/common/recording_sink.h"

#include <vector>

#include "gtest/gtest.h"

namespace gb::drivers::testing {
namespace {

TEST(RecordingSink, KeepsWrittenFramesInOrderAndCountsWhatDidNotFit) {
  RecordingSink sink(5);
  std::vector<float> block = {0.1f, -0.1f, 0.2f, -0.2f, 0.3f, -0.3f};
  EXPECT_EQ(sink.Write(block.data(), 3), WriteResult::kNotOpen);
  AudioConfig c;
  c.channels = 2;
  ASSERT_TRUE(sink.Open(c).ok());
  EXPECT_EQ(sink.Write(block.data(), 3), WriteResult::kOk);
  EXPECT_EQ(sink.Write(block.data(), 3), WriteResult::kOk);  // only 2 frames fit
  const std::vector<float> want = {0.1f, -0.1f, 0.2f, -0.2f, 0.3f, -0.3f, 0.1f, -0.1f, 0.2f, -0.2f};
  EXPECT_EQ(std::vector<float>(sink.recorded().begin(), sink.recorded().end()), want);
  EXPECT_EQ(sink.stats().frames_written, 5u);
  EXPECT_EQ(sink.stats().frames_dropped, 1u);
  EXPECT_EQ(sink.writes(), 2u);
  EXPECT_EQ(sink.format().fmt, SampleFormat::kFloat32);
}

}  // namespace
}  // namespace gb::drivers::testing
