// Live swaps in the engine: a program posted from the control thread takes
// effect exactly on the sample of the next quantum boundary; voices already
// sounding finish, effect tails ring out, continuous outputs crossfade, and a
// bus of the same name keeps its state. Rendering never allocates meanwhile.
#include <cmath>

#include <gtest/gtest.h>

#include "tests/firmware/engine/engine_test_util.h"

namespace gb::fw {
namespace {

using testing::Onsets;
using testing::Program;

struct Rig {
  std::shared_ptr<dsp::SampleBank> bank = testing::TestSounds();
  std::unique_ptr<Engine> engine;
  std::vector<float> l, r;
  explicit Rig(const std::string& first, size_t block = 128) {
    EngineConfig cfg;
    cfg.max_block = block;
    cfg.sounds = bank.get();
    engine = std::make_unique<Engine>(cfg);
    std::string err;
    EXPECT_TRUE(engine->SetProgram(Program(first), &err)) << err;
  }
  void Play(size_t frames, size_t block = 128) {
    std::vector<float> bl(block), br(block);
    for (size_t done = 0; done < frames;) {
      size_t n = std::min(block, frames - done);
      engine->Render(n, bl.data(), br.data());
      l.insert(l.end(), bl.begin(), bl.begin() + static_cast<long>(n));
      r.insert(r.end(), br.begin(), br.begin() + static_cast<long>(n));
      done += n;
      engine->CollectGarbage();
    }
  }
  void Post(const std::string& text, SwapAt at) {
    std::string err;
    auto st = engine->Load(Program(text), &err);
    ASSERT_TRUE(st) << err;
    ASSERT_TRUE(engine->PostSwap(st, at));
  }
};

TEST(Swap, TakesEffectExactlyOnTheNextCycleBoundary) {
  Rig rig("cps: 0.5\no1: s \"click*4\"");  // a cycle is 96000 frames
  rig.Play(10000);
  rig.Post("cps: 0.5\no1: s \"click*3\"", SwapAt{SwapAt::Kind::kCycle, 1});
  rig.Play(200000 - 10000);
  EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 24000, 48000, 72000, 96000, 128000, 160000, 192000}));
  EXPECT_EQ(rig.engine->last_swap_frame(), 96000);
}

TEST(Swap, EveryQuantum) {
  {
    Rig rig("cps: 0.5\no1: s \"click*4\"");
    rig.Play(10000);
    rig.Post("cps: 0.5\no1: s \"click*3\"", SwapAt{SwapAt::Kind::kCycles, 2});
    rig.Play(200000);
    EXPECT_EQ(rig.engine->last_swap_frame(), 192000);
  }
  {
    Rig rig("cps: 0.5\no1: s \"click*4\"");
    rig.Play(10000);
    rig.Post("cps: 0.5\no1: s \"click*3\"", SwapAt{SwapAt::Kind::kBeat, 1});
    rig.Play(100000);
    EXPECT_EQ(rig.engine->last_swap_frame(), 24000) << "a beat is a quarter cycle";
  }
  {
    Rig rig("cps: 0.5\no1: s \"click*4\"");
    rig.Play(10000);
    rig.Post("cps: 0.5\no1: s \"click*3\"", SwapAt{SwapAt::Kind::kImmediate, 1});
    rig.Play(1000);
    EXPECT_EQ(rig.engine->last_swap_frame(), 10000);
  }
}

TEST(Swap, BoundaryInsideABlockAtAnyBlockSize) {
  for (size_t block : {1u, 100u, 333u, 512u}) {
    Rig rig("cps: 0.6\no1: s \"click*2\"", block);  // a cycle is 80000 frames
    rig.Play(1000, block);
    rig.Post("cps: 0.6\no1: s \"click*5\"", SwapAt{SwapAt::Kind::kCycle, 1});
    rig.Play(120000, block);
    EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 40000, 80000, 96000, 112000})) << "block " << block;
  }
}

TEST(Swap, NewTempoStartsAtTheBoundary) {
  Rig rig("cps: 0.5\no1: s \"click*2\"");
  rig.Play(5000);
  rig.Post("cps: 1\no1: s \"click*2\"", SwapAt{SwapAt::Kind::kCycle, 1});
  rig.Play(160000);
  EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 48000, 96000, 120000, 144000}));
}

TEST(Swap, VoicesAlreadySoundingFinish) {
  // A 2 s sample starts at frame 0 and keeps playing across the swap.
  Rig rig("cps: 0.5\no1: s \"dc\" # pan 0");
  rig.Play(1000);
  rig.Post("cps: 0.5\no1: s \"~\"", SwapAt{SwapAt::Kind::kImmediate, 1});
  rig.Play(100000);
  EXPECT_NEAR(rig.l[50000], 0.5f, 1e-4f) << "the sample goes on after the swap";
  EXPECT_NEAR(rig.l[95000], 0.5f, 1e-4f);
  EXPECT_NEAR(rig.l[99000], 0.f, 1e-4f) << "and ends with itself";
}

TEST(Swap, DelayTailsAreNotCut) {
  // One click into a 0.25 s delay; the new program has no delay at all.
  Rig rig("cps: 0.25\no1: s \"click\" # delay 0.25 0.5 1");
  rig.Play(2000);
  rig.Post("cps: 0.25\no1: s \"~\"", SwapAt{SwapAt::Kind::kImmediate, 1});
  rig.Play(60000);
  // Echoes at 12000, 24000, 36000 frames (fully wet), halving each time.
  EXPECT_NEAR(std::fabs(rig.l[12000]) + std::fabs(rig.l[12001]), std::sqrt(0.5f), 0.08f);
  EXPECT_NEAR(std::fabs(rig.l[24000]) + std::fabs(rig.l[24001]), 0.5f * std::sqrt(0.5f), 0.04f);
  EXPECT_NEAR(std::fabs(rig.l[36000]) + std::fabs(rig.l[36001]), 0.25f * std::sqrt(0.5f), 0.02f)
      << "the tail rings on after the swap";
}

TEST(Swap, ContinuousOutputsCrossfadeAndBusesKeepTheirState) {
  // Same bus, same shape: the LFO's phase carries over, so the output is
  // continuous across the swap (no jump bigger than the signal's own slope).
  Rig rig("cps: 0.5\n~lfo: sine 3\nout: sine 440 * ~lfo * 0.5");
  rig.Play(30000);
  rig.Post("cps: 0.5\n~lfo: sine 3\nout: sine 440 * ~lfo * 0.5\no1: s \"~\"", SwapAt{SwapAt::Kind::kImmediate, 1});
  rig.Play(30000);
  float max_jump = 0.f;
  for (size_t i = 1; i < rig.l.size(); ++i) max_jump = std::max(max_jump, std::fabs(rig.l[i] - rig.l[i - 1]));
  // A 440 Hz sine at 0.5 changes at most 2*pi*440/48000*0.5 = 0.029 per sample.
  EXPECT_LT(max_jump, 0.035f);
}

TEST(Swap, StopAndStartOnTheNextCycle) {
  Rig rig("cps: 0.5\no1: s \"click*4\"");
  rig.Play(30000);
  rig.engine->PostStop();
  rig.Play(100000);  // stopped through 130000
  rig.engine->PostStart();
  rig.Play(100000);
  EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 24000, 192000, 216000})) << "resumes at cycle 2";
}

TEST(Swap, TapTempo) {
  Rig rig("cps: 0.5\no1: s \"click*4\"");
  rig.Play(24000);
  rig.engine->PostTempo(1.0);
  rig.Play(48000);
  EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 24000, 36000, 48000, 60000}));
}

// Onsets are queried a 1/16th of a cycle ahead (engine.cc): a tempo change
// inside such a window must re-place the window's remaining onsets.
TEST(Swap, TapTempoInsideALookAheadWindow) {
  for (size_t block : {size_t{128}, size_t{100}, size_t{1}}) {
    // An onset every 1500 frames; the window [1/16, 1/8) of a cycle holds
    // frames 6000 .. 12000 and is queried before the tap at 10000 (cycle
    // 5/48). Its onset at 7/64 is then 250 frames on, not 500.
    Rig rig("cps: 0.5\no1: s \"click*64\"", block);
    rig.Play(10000, block);
    rig.engine->PostTempo(1.0);
    rig.Play(5000, block);
    EXPECT_EQ(Onsets(rig.l), (std::vector<size_t>{0, 1500, 3000, 4500, 6000, 7500, 9000, 10250, 11000, 11750,
                                                  12500, 13250, 14000, 14750}))
        << "block " << block;
  }
}

// A block longer than a window (4096 frames at cps 2, where a window is
// 1500) plays every onset of the windows it covers, once.
TEST(Swap, BlocksLongerThanALookAheadWindow) {
  for (size_t block : {size_t{4096}, size_t{1499}, size_t{1500}, size_t{1501}}) {
    Rig rig("cps: 2\no1: s \"click*16\"", block);
    rig.Play(20000, block);
    std::vector<size_t> want;
    for (size_t f = 0; f < 20000; f += 1500) want.push_back(f);
    EXPECT_EQ(Onsets(rig.l), want) << "block " << block;
  }
}

}  // namespace
}  // namespace gb::fw
