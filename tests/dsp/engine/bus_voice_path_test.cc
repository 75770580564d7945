// The engine's bus-voice path (VoicePool rendering covered synth graphs with
// dsp/kernels/bus_voices) against the graph VM it replaces: the same voices,
// onsets and parameters rendered both ways. Covered graphs agree to 5e-6
// absolute on a peak of ~1..3 (measured <= 1e-6 on x86-64: the kernel's float
// residuals vs the VM's double ones, see
// bus_voices_test.cc); graphs it does not cover take the VM either way and
// stay bit-identical; a block split anywhere renders the same onsets.
#include <cmath>
#include <cstdio>
#include <vector>

#include "dsp/arena.h"
#include "dsp/engine/graph.h"
#include "dsp/engine/voices.h"
#include "gtest/gtest.h"

namespace gb::dsp {
namespace {

constexpr size_t kBlock = 128;

// ~x: osc 220 # f1 (~in0 * 1 ...) q # f2 const
GraphProgram Instrument(GraphOp osc, GraphOp f1, GraphOp f2, bool modulated) {
  GraphProgram p;
  const uint16_t hz = p.AddNode(GraphOp::kVoiceFreq, {}, 220.f);
  uint16_t x = osc == GraphOp::kPulse ? p.AddNode(osc, {hz, p.AddNode(GraphOp::kConst, {}, 0.25f)}) : p.AddNode(osc, {hz});
  if (f1 != GraphOp::kConst) {
    uint16_t cut = modulated ? p.AddNode(GraphOp::kAdd, {p.AddNode(GraphOp::kMul, {p.AddNode(GraphOp::kInput, {}, 0.f, 0),
                                                                                    p.AddNode(GraphOp::kConst, {}, 2000.f)}),
                                                         p.AddNode(GraphOp::kConst, {}, 500.f)})
                             : p.AddNode(GraphOp::kConst, {}, 1200.f);
    x = p.AddNode(f1, {x, cut, p.AddNode(GraphOp::kConst, {}, 0.8f)});
  }
  if (f2 != GraphOp::kConst)
    x = p.AddNode(f2, {x, p.AddNode(GraphOp::kConst, {}, 3000.f), p.AddNode(GraphOp::kConst, {}, 2.f)});
  return p;
}

// Renders 200 blocks of chords (4 notes at once, new chords at odd offsets,
// each with an envelope and pan) and returns L then R.
std::vector<float> Render(const GraphProgram& prog, bool kernels, size_t threads) {
  Arena arena(64 << 20, false);
  VoicePool pool;
  VoicePool::Config cfg;
  cfg.max_block = kBlock;
  cfg.capacity = 256;
  cfg.threads = threads;
  cfg.bus_voice_kernels = kernels;
  std::vector<const GraphProgram*> inst = {&prog};
  EXPECT_TRUE(pool.Prepare(cfg, inst, arena));
  std::vector<float> lfo(kBlock), out;
  std::vector<float> l(kBlock), r(kBlock);
  const float ratios[] = {1.f, 1.189207f, 1.498307f, 1.781797f};
  for (size_t b = 0; b < 200; ++b) {
    for (size_t i = 0; i < kBlock; ++i)
      lfo[i] = 0.5f + 0.5f * std::sin(static_cast<float>(b * kBlock + i) * 2e-4f);  // a slow sweep
    if (b % 7 == 0 || b % 11 == 3) {
      for (int n = 0; n < 4; ++n) {
        VoiceStart s;
        s.offset = static_cast<uint32_t>((b * 37) % kBlock);
        s.instrument = 0;
        s.pitch_ratio = ratios[n] * (b % 2 ? 0.5f : 1.f);
        s.gain = 0.3f;
        s.pan = -0.6f + 0.4f * static_cast<float>(n);
        s.attack_s = 0.003f;
        s.release_s = 0.05f;
        s.gate_s = 0.08 + 0.01 * n;
        pool.Start(s);
      }
    }
    std::fill(l.begin(), l.end(), 0.f);
    std::fill(r.begin(), r.end(), 0.f);
    float* dl[] = {l.data()};
    float* dr[] = {r.data()};
    const float* in[] = {lfo.data()};
    pool.Render(nullptr, kBlock, dl, dr, in, 1);
    out.insert(out.end(), l.begin(), l.end());
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

TEST(BusVoicePath, CoveredGraphsMatchTheGraphVm) {
  struct Case {
    GraphOp osc, f1, f2;
    bool modulated;
  } cases[] = {
      {GraphOp::kSaw, GraphOp::kLowpass, GraphOp::kConst, true},  // phonon.ph's ~x
      {GraphOp::kSaw, GraphOp::kLowpass, GraphOp::kConst, false},
      {GraphOp::kSquare, GraphOp::kHighpass, GraphOp::kConst, true},
      {GraphOp::kPulse, GraphOp::kBandpass, GraphOp::kNotch, false},
      {GraphOp::kTri, GraphOp::kNotch, GraphOp::kConst, true},
      {GraphOp::kSine, GraphOp::kConst, GraphOp::kConst, false},
      {GraphOp::kSaw, GraphOp::kLowpass, GraphOp::kHighpass, true},
  };
  for (const Case& c : cases) {
    const GraphProgram p = Instrument(c.osc, c.f1, c.f2, c.modulated);
    const auto vm = Render(p, false, 1);
    const auto fast = Render(p, true, 1);
    ASSERT_EQ(vm.size(), fast.size());
    double worst = 0.0, peak = 0.0;
    for (size_t i = 0; i < vm.size(); ++i) {
      ASSERT_TRUE(std::isfinite(fast[i]));
      worst = std::max(worst, static_cast<double>(std::fabs(vm[i] - fast[i])));
      peak = std::max(peak, static_cast<double>(std::fabs(vm[i])));
    }
    std::printf("osc %d: peak %.3f, max |fast - VM| %.3g\n", static_cast<int>(c.osc), peak, worst);
    EXPECT_GT(peak, 0.01) << "the voices sound";
    EXPECT_LE(worst, 5e-6) << "osc " << static_cast<int>(c.osc);
  }
}

TEST(BusVoicePath, GraphsItDoesNotCoverRenderBitIdenticalThroughTheVm) {
  GraphProgram p;  // noise # lpf: not covered
  p.AddNode(GraphOp::kLowpass, {p.AddNode(GraphOp::kNoise, {}), p.AddNode(GraphOp::kConst, {}, 800.f),
                                p.AddNode(GraphOp::kConst, {}, 1.f)});
  EXPECT_EQ(Render(p, false, 1), Render(p, true, 1));
  GraphProgram q;  // math on the voice's signal: not covered
  const uint16_t hz = q.AddNode(GraphOp::kVoiceFreq, {}, 220.f);
  q.AddNode(GraphOp::kMul, {q.AddNode(GraphOp::kSaw, {hz}), q.AddNode(GraphOp::kConst, {}, 0.5f)});
  EXPECT_EQ(Render(q, false, 1), Render(q, true, 1));
}


// A voice that starts inside a block reads its buses from its own onset on:
// an instrument that plays its input (~x: ~in0) started at frame 64 of a
// block whose input steps from 0 to 1 at frame 64 sounds from frame 64, at
// once. (It used to read the input from frame 0 in its first block: silence
// for that block, the step a block late.) Both paths, VM and kernel.
TEST(BusVoicePath, AVoiceStartedInsideABlockReadsItsBusesFromItsOnset) {
  GraphProgram passthrough;
  passthrough.AddNode(GraphOp::kInput, {}, 0.f, 0);
  for (bool kernels : {false, true}) {
    Arena arena(16 << 20, false);
    VoicePool pool;
    VoicePool::Config cfg;
    cfg.max_block = kBlock;
    cfg.capacity = 16;
    cfg.bus_voice_kernels = kernels;
    std::vector<const GraphProgram*> inst = {&passthrough};
    ASSERT_TRUE(pool.Prepare(cfg, inst, arena));
    VoiceStart s;
    s.offset = 64;
    s.instrument = 0;
    s.gate_s = 1.0;
    pool.Start(s);
    std::vector<float> step(kBlock, 0.f), l(kBlock, 0.f), r(kBlock, 0.f);
    for (size_t i = 64; i < kBlock; ++i) step[i] = 1.f;
    float* dl[] = {l.data()};
    float* dr[] = {r.data()};
    const float* in[] = {step.data()};
    pool.Render(nullptr, kBlock, dl, dr, in, 1);
    for (size_t i = 0; i < 64; ++i) ASSERT_EQ(l[i], 0.f) << "before the onset, frame " << i;
    const float centre = std::sqrt(0.5f);  // equal-power pan at the centre
    for (size_t i = 64; i < kBlock; ++i) {
      EXPECT_NEAR(l[i], centre, 1e-6f) << "frame " << i << (kernels ? " (kernels on)" : " (VM)");
      EXPECT_NEAR(r[i], centre, 1e-6f) << "frame " << i;
    }
  }
}

}  // namespace
}  // namespace gb::dsp
