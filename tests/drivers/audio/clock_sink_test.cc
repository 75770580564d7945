// ClockSink, the silent real-time clock: N periods take N periods of wall time,
// lateness below a buffer is made up (absolute deadlines: no drift even when
// every block renders late by a random amount), and a stall longer than a
// buffer counts one xrun and restarts the timeline.
#include "drivers/audio/clock_sink.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/drivers/audio/audio_test_util.h"

namespace gb::drivers {
namespace {

using testing::SecondsSince;
using std::chrono::steady_clock;

constexpr int kRate = 48000;
constexpr size_t kPeriod = 128;
constexpr double kPeriodS = static_cast<double>(kPeriod) / kRate;

AudioConfig Config() {
  AudioConfig c;
  c.rate_hz = kRate;
  c.channels = 2;
  c.period_frames = kPeriod;
  c.periods = 3;  // buffer 384 frames = 8 ms
  return c;
}

// Timing cases run at SCHED_FIFO where allowed, as the firmware's audio thread
// does, so a busy machine's scheduling does not pose as the sink's error.
class ClockSinkTiming : public ::testing::Test {
 protected:
  void SetUp() override { rt_ = testing::TryRealtime(); }
  void TearDown() override {
    if (rt_) testing::NormalPriority();
  }
  bool rt_ = false;
};

TEST_F(ClockSinkTiming, TwoSecondsOfPeriodsTakeTwoSeconds) {
  ClockSink sink;
  ASSERT_TRUE(sink.Open(Config()).ok());
  std::vector<float> block(kPeriod * 2, 0.f);
  const size_t n = 750;  // 750 x 128 / 48000 = 2.000 s
  const auto t0 = steady_clock::now();
  for (size_t i = 0; i < n; ++i) ASSERT_NE(sink.Write(block.data(), kPeriod), WriteResult::kNotOpen);
  const double elapsed = SecondsSince(t0);
  std::printf("clock sink: %zu periods, expected %.4f s, took %.4f s, xruns %llu\n", n, n * kPeriodS,
              elapsed, static_cast<unsigned long long>(sink.stats().xruns));
  EXPECT_GE(elapsed, n * kPeriodS - 0.001);  // never early
  EXPECT_LE(elapsed, n * kPeriodS + 0.100);  // wake-up latency of the last sleep only
  EXPECT_EQ(sink.stats().frames_written, n * kPeriod);
  // Without SCHED_FIFO a busy machine may wake this thread a buffer late.
  if (rt_) {
    EXPECT_EQ(sink.stats().xruns, 0u);
  }
}

TEST_F(ClockSinkTiming, RandomRenderTimeDoesNotDrift) {
  // Each block "renders" for 0..2 ms before its Write (the period is 2.67 ms).
  // A sink sleeping one period per call would run ~0.75 s long over 2 s. (On a
  // loaded machine a sleep can overshoot past the buffer: that is an xrun, a
  // resync that costs its own lateness once, and is reported, not failed.)
  ClockSink sink;
  ASSERT_TRUE(sink.Open(Config()).ok());
  std::vector<float> block(kPeriod * 2, 0.f);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> render_us(0, 2000);
  const size_t n = 750;
  const auto t0 = steady_clock::now();
  double worst_lag_s = 0;
  for (size_t i = 0; i < n; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(render_us(rng)));
    sink.Write(block.data(), kPeriod);
    worst_lag_s = std::max(worst_lag_s, SecondsSince(t0) - (i + 1) * kPeriodS);
  }
  const double elapsed = SecondsSince(t0);
  std::printf("clock sink with jittery render: expected %.4f s, took %.4f s, worst lag %.2f ms, xruns %llu\n",
              n * kPeriodS, elapsed, worst_lag_s * 1e3,
              static_cast<unsigned long long>(sink.stats().xruns));
  EXPECT_GE(elapsed, n * kPeriodS - 0.001);
  EXPECT_LE(elapsed, n * kPeriodS + 0.100);
}

TEST_F(ClockSinkTiming, LatenessBelowABufferIsMadeUpNotCounted) {
  if (!rt_) GTEST_SKIP() << "needs SCHED_FIFO: without it, scheduling noise is of the size checked here";
  ClockSink sink;
  ASSERT_TRUE(sink.Open(Config()).ok());
  std::vector<float> block(kPeriod * 2, 0.f);
  const auto t0 = steady_clock::now();
  for (size_t i = 0; i < 300; ++i) {
    if (i == 100) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // < 8 ms buffer
    ASSERT_EQ(sink.Write(block.data(), kPeriod), WriteResult::kOk) << "write " << i;
  }
  // Still on the original timeline: the 5 ms were caught up, not added.
  EXPECT_LE(SecondsSince(t0), 300 * kPeriodS + 0.100);
  EXPECT_GE(SecondsSince(t0), 300 * kPeriodS - 0.001);
  EXPECT_EQ(sink.stats().xruns, 0u);
}

TEST_F(ClockSinkTiming, StallLongerThanABufferCountsOneXrunAndResynchronises) {
  ClockSink sink;
  ASSERT_TRUE(sink.Open(Config()).ok());
  std::vector<float> block(kPeriod * 2, 0.f);
  for (size_t i = 0; i < 100; ++i) ASSERT_NE(sink.Write(block.data(), kPeriod), WriteResult::kNotOpen);
  const uint64_t before = sink.stats().xruns;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // 6 buffers' worth
  EXPECT_EQ(sink.Write(block.data(), kPeriod), WriteResult::kRecovered);
  EXPECT_EQ(sink.stats().xruns, before + 1);
  // After the resync, pacing resumes from the stall instead of racing to catch up.
  const auto t0 = steady_clock::now();
  for (size_t i = 0; i < 150; ++i) ASSERT_NE(sink.Write(block.data(), kPeriod), WriteResult::kNotOpen);
  const double elapsed = SecondsSince(t0);
  std::printf("clock sink after a 50 ms stall: 150 periods took %.4f s (expected %.4f s)\n", elapsed,
              150 * kPeriodS);
  EXPECT_GE(elapsed, 150 * kPeriodS - 0.004);
  EXPECT_LE(elapsed, 150 * kPeriodS + 0.100);
  if (rt_) {
    EXPECT_EQ(sink.stats().xruns, before + 1);
  }
}

TEST(ClockSink, ReportsTheConfiguredFormat) {
  ClockSink sink;
  ASSERT_TRUE(sink.Open(Config()).ok());
  EXPECT_EQ(sink.format().rate_hz, kRate);
  EXPECT_EQ(sink.format().channels, 2);
  EXPECT_EQ(sink.format().period_frames, kPeriod);
  EXPECT_EQ(sink.format().buffer_frames, 3 * kPeriod);
}

TEST(ClockSink, RefusesAnImpossibleConfigAndWritesNothingUnopened) {
  ClockSink sink;
  std::vector<float> block(kPeriod * 2, 0.f);
  EXPECT_EQ(sink.Write(block.data(), kPeriod), WriteResult::kNotOpen);
  AudioConfig bad = Config();
  bad.periods = 1;
  Status s = sink.Open(bad);
  EXPECT_EQ(s.code, AudioErrc::kInvalidConfig);
  EXPECT_NE(s.message.find("2+ periods"), std::string::npos) << s.message;
  EXPECT_EQ(sink.Write(block.data(), kPeriod), WriteResult::kNotOpen);
}

TEST(DeadlinePacer, FrameTimesDoNotOverflowOverDays) {
  // 10 days at 48 kHz: frames * 1e9 would overflow 64 bits.
  const uint64_t frames = uint64_t{48000} * 86400 * 10 + 24000;
  EXPECT_EQ(FramesToNs(frames, 48000), int64_t{86400} * 10 * 1'000'000'000 + 500'000'000);
  EXPECT_EQ(FramesToNs(1, 48000), 20833);
}

}  // namespace
}  // namespace gb::drivers
