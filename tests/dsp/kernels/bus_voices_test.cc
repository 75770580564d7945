// Bus-voice kernel (dsp/kernels/bus_voices*): every compiled target against
// the scalar twin, and the twin against the graph VM it stands in for.
//
// Tolerances. Target vs twin: the oscillators match bit for bit except the
// sine (Highway's polynomial vs sinf, a few ULP) and where a target with FMA
// contracts a residual's or the filter's multiply-adds; 2e-5 absolute on
// signals of full scale ~1..3 after 512 frames of q <= 4 filtering, phases
// exact. Twin vs VM: the VM keeps its phase and residuals in double, the
// kernel a Q0.64 phase (exact steps) and float residuals: 5e-6 absolute over
// a second of 55 Hz .. 3.5 kHz notes (measured at most 8.3e-7 here, x86-64).
#include "dsp/kernels/bus_voices.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "dsp/arena.h"
#include "dsp/engine/graph.h"
#include "dsp/kernels/target_info.h"
#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"

namespace gb::dsp {
namespace {

constexpr BusOsc kOscs[] = {BusOsc::kSaw, BusOsc::kSquare, BusOsc::kPulse, BusOsc::kTri, BusOsc::kSine};
constexpr float kSr = 48000.f;

class BusVoicesKernel : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(BusVoicesKernel);

BusVoiceLanes RandomLanes(std::mt19937& rng, size_t count) {
  std::uniform_int_distribution<uint32_t> word;
  std::uniform_real_distribution<double> hz(20.0, 4000.0);
  std::uniform_real_distribution<float> st(-0.5f, 0.5f);
  BusVoiceLanes l;
  for (size_t v = 0; v < count; ++v) {
    l.phase_hi[v] = word(rng);
    l.phase_lo[v] = word(rng);
    SetBusVoiceStep(l, v, hz(rng) / static_cast<double>(kSr));
    l.tri_y[v] = st(rng);
    for (size_t k = 0; k < kMaxBusVoiceFilters; ++k) {
      l.ic1[k][v] = st(rng);
      l.ic2[k][v] = st(rng);
    }
  }
  return l;
}

std::vector<SvfCoefficients> RandomCoefs(std::mt19937& rng, size_t frames) {
  const size_t segments = (frames + kBusVoiceSegment - 1) / kBusVoiceSegment;
  std::uniform_real_distribution<float> cut(100.f, 10000.f), q(0.5f, 4.f);
  std::vector<SvfCoefficients> c(kMaxBusVoiceFilters * std::max<size_t>(segments, 1));
  const SvfMode modes[] = {SvfMode::kLowPass, SvfMode::kHighPass, SvfMode::kBandPass, SvfMode::kNotch};
  for (size_t k = 0; k < kMaxBusVoiceFilters; ++k) {
    const SvfMode m = modes[rng() % 4];
    for (size_t s = 0; s < segments; ++s) c[k * segments + s] = SvfCoefficients::Make(m, cut(rng), q(rng), kSr);
  }
  return c;
}

TEST_P(BusVoicesKernel, MatchesTheScalarTwinForEveryOscillatorAndFilterCount) {
  std::mt19937 rng(11);
  const size_t lanes = KernelFloatLanes();
  const size_t counts[] = {1, std::max<size_t>(lanes, 2) - 1, lanes, std::min<size_t>(lanes + 1, 16), 16};
  const size_t lengths[] = {0, 1, 15, 16, 17, 63, 128, 512};
  double overall = 0.0;
  for (BusOsc osc : kOscs) {
    for (size_t nf = 0; nf <= kMaxBusVoiceFilters; ++nf) {
      for (size_t count : counts) {
        for (size_t frames : lengths) {
          BusVoiceShape shape;
          shape.osc = osc;
          shape.filter_count = nf;
          if (osc == BusOsc::kPulse) {
            shape.width_hi = 0x40000000u + (rng() >> 2);
            shape.width_lo = rng();
          }
          BusVoiceLanes a = RandomLanes(rng, count);
          BusVoiceLanes b = a;
          const auto coefs = RandomCoefs(rng, frames);
          std::vector<std::vector<float>> oa(count, std::vector<float>(frames + 2, 7.f)), ob = oa;
          std::vector<float*> pa(count), pb(count);
          for (size_t v = 0; v < count; ++v) {
            pa[v] = oa[v].data() + (v % 2);  // unaligned for odd voices
            pb[v] = ob[v].data() + (v % 2);
          }
          RenderBusVoices(shape, a, count, coefs.data(), frames, pa.data());
          RenderBusVoicesScalar(shape, b, count, coefs.data(), frames, pb.data());
          double worst = 0.0;
          for (size_t v = 0; v < count; ++v) {
            ASSERT_EQ(a.phase_hi[v], b.phase_hi[v]);
            ASSERT_EQ(a.phase_lo[v], b.phase_lo[v]);
            for (size_t i = 0; i < frames + 2; ++i) {
              ASSERT_TRUE(std::isfinite(oa[v][i]));
              worst = std::max(worst, static_cast<double>(std::fabs(oa[v][i] - ob[v][i])));
            }
            EXPECT_EQ(oa[v][frames + (v % 2)], 7.f) << "wrote past the end";
            worst = std::max(worst, static_cast<double>(std::fabs(a.tri_y[v] - b.tri_y[v])));
            for (size_t k = 0; k < nf; ++k) {
              worst = std::max(worst, static_cast<double>(std::fabs(a.ic1[k][v] - b.ic1[k][v])));
              worst = std::max(worst, static_cast<double>(std::fabs(a.ic2[k][v] - b.ic2[k][v])));
            }
          }
          overall = std::max(overall, worst);
          EXPECT_LE(worst, 2e-5) << "osc " << static_cast<int>(osc) << " filters " << nf << " voices " << count
                                 << " frames " << frames;
        }
      }
    }
  }
  std::printf("%s: max |target - twin| %.3g\n", KernelTargetName(), overall);
}

// The graph the kernel stands in for: osc(kVoiceFreq) -> filters(const cutoff, q).
struct VmVoice {
  GraphProgram p;
  std::vector<float> state;
  GraphState gs;
  std::vector<std::vector<float>> bufs;
  std::vector<float*> ptrs;
};

TEST(BusVoicesVm, TwinMatchesTheGraphVmOverASecond) {
  const GraphOp ops[] = {GraphOp::kSaw, GraphOp::kSquare, GraphOp::kPulse, GraphOp::kTri, GraphOp::kSine};
  const float notes_hz[] = {261.63f, 311.13f, 392.f, 466.16f, 55.f, 3520.f};
  constexpr size_t kBlock = 128;
  constexpr size_t kBlocks = 375;  // 1 s
  for (size_t o = 0; o < 5; ++o) {
    for (size_t nf = 0; nf <= kMaxBusVoiceFilters; ++nf) {
      VmVoice vm[6];
      BusVoiceShape shape;
      shape.osc = kOscs[o];
      shape.filter_count = nf;
      const float width = 0.3f;
      if (shape.osc == BusOsc::kPulse) {
        const auto q = static_cast<uint64_t>(static_cast<double>(width) * 18446744073709551616.0);
        shape.width_hi = static_cast<uint32_t>(q >> 32);
        shape.width_lo = static_cast<uint32_t>(q);
      }
      BusVoiceLanes lanes;
      const float cut[2] = {900.f, 3000.f}, q[2] = {0.8f, 2.f};
      const GraphOp fops[2] = {GraphOp::kLowpass, GraphOp::kBandpass};
      const SvfMode fmodes[2] = {SvfMode::kLowPass, SvfMode::kBandPass};
      for (size_t v = 0; v < 6; ++v) {
        GraphProgram& p = vm[v].p;
        const uint16_t f = p.AddNode(GraphOp::kVoiceFreq, {}, notes_hz[v]);
        uint16_t x = ops[o] == GraphOp::kPulse ? p.AddNode(ops[o], {f, p.AddNode(GraphOp::kConst, {}, width)})
                                               : p.AddNode(ops[o], {f});
        for (size_t k = 0; k < nf; ++k) {
          const uint16_t c = p.AddNode(GraphOp::kConst, {}, cut[k]);
          const uint16_t qq = p.AddNode(GraphOp::kConst, {}, q[k]);
          x = p.AddNode(fops[k], {x, c, qq});
        }
        vm[v].state.assign(p.state_floats + 1, 0.f);
        vm[v].gs.s = vm[v].state.data();
        ResetGraphState(p, vm[v].gs, 1);
        vm[v].bufs.assign(p.buffers, std::vector<float>(kBlock));
        for (auto& b : vm[v].bufs) vm[v].ptrs.push_back(b.data());
        SetBusVoiceStep(lanes, v, static_cast<double>(notes_hz[v] * 1.f) * (1.0 / static_cast<double>(kSr)));
      }
      std::vector<SvfCoefficients> coefs(kMaxBusVoiceFilters * (kBlock / kBusVoiceSegment));
      for (size_t k = 0; k < nf; ++k)
        for (size_t s = 0; s < kBlock / kBusVoiceSegment; ++s)
          coefs[k * (kBlock / kBusVoiceSegment) + s] = SvfCoefficients::Make(fmodes[k], cut[k], q[k], kSr);
      std::vector<std::vector<float>> out(6, std::vector<float>(kBlock));
      std::vector<float*> po;
      for (auto& b : out) po.push_back(b.data());
      double worst = 0.0;
      for (size_t blk = 0; blk < kBlocks; ++blk) {
        RenderBusVoicesScalar(shape, lanes, 6, coefs.data(), kBlock, po.data());
        for (size_t v = 0; v < 6; ++v) {
          GraphRunContext ctx;
          ctx.sample_rate_hz = kSr;
          ctx.buffers = vm[v].ptrs.data();
          RunGraph(vm[v].p, vm[v].gs, ctx, kBlock);
          const float* r = vm[v].ptrs[vm[v].p.result];
          for (size_t i = 0; i < kBlock; ++i) worst = std::max(worst, static_cast<double>(std::fabs(r[i] - out[v][i])));
        }
      }
      EXPECT_LE(worst, 5e-6) << "osc " << o << " filters " << nf;
      std::printf("osc %zu filters %zu: max |kernel - VM| over 1 s = %.3g\n", o, nf, worst);
    }
  }
}

}  // namespace
}  // namespace gb::dsp
