// Cost of the engine's sample voices: the SIMD kernel (every Highway target
// this CPU runs) and its scalar twin side by side on the same 1024 active
// voices, rendered as VoicePool does it (chunks of 16 voices of one kind, each
// into its own buffer, summed in chunk order), in thread CPU ns per
// voice-sample, plus the twin/SIMD ratio. The voices: half mono, half stereo,
// rates in 0.5..2 both ways (44.1 kHz material at 48 kHz and transposed),
// looping so none ends, sustaining, half of them with a low-pass filter,
// starting in random order so the filtered ones are spread over the chunks.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dsp/arena.h"
#include "dsp/fx/svf.h"
#include "dsp/kernels/engine_voices.h"
#include "dsp/kernels/target_info.h"
#include "dsp/kit/sample.h"
#include "hwy/targets.h"

namespace gb::dsp {
namespace {

constexpr size_t kVoices = 1024;
constexpr size_t kChunk = 16;  // VoicePool::kChunk
constexpr size_t kBlock = 128;
constexpr float kRate = 48000.f;

struct Bank {
  std::vector<std::unique_ptr<Sample>> samples;
  std::unique_ptr<Arena> arena;
  EngineVoiceLanes lanes;
  std::vector<uint32_t> mono_slots, stereo_slots;  // grouped by kind, start order
  std::vector<LaneStart> starts;                   // per slot
};

Bank& GetBank() {
  static Bank bank = [] {
    Bank b;
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    for (int k = 0; k < 8; ++k) {
      const int channels = k < 4 ? 1 : 2;
      auto s = std::make_unique<Sample>("noise", 44100.0, channels, 96000);
      for (int c = 0; c < channels; ++c)
        for (size_t i = 0; i < s->frames(); ++i) s->mutable_channel(c)[i] = u(rng);
      b.samples.push_back(std::move(s));
    }
    b.arena = std::make_unique<Arena>(EngineVoiceLanesBytes(kVoices) + 64);
    AllocateEngineVoiceLanes(*b.arena, kVoices, b.lanes);
    std::uniform_real_distribution<double> v(0.0, 1.0);
    for (uint32_t slot = 0; slot < kVoices; ++slot) {
      const bool stereo = slot % 2 == 1;
      const Sample& smp = *b.samples[(stereo ? 4 : 0) + rng() % 4];
      LaneStart s;
      s.l = smp.channel(0);
      s.r = stereo ? smp.channel(1) : nullptr;
      s.frames = smp.frames();
      s.rate = (0.5 + 1.5 * v(rng)) * (rng() % 4 == 0 ? -1.0 : 1.0) * 44100.0 / 48000.0;
      s.begin = 0.1 * v(rng);
      s.loop = true;
      s.gain_l = static_cast<float>(v(rng));
      s.gain_r = static_cast<float>(v(rng));
      if (rng() % 2 == 0) {
        s.filter_count = 1;
        s.filters[0] = SvfCoefficients::Make(SvfMode::kLowPass, static_cast<float>(200.0 + 8000.0 * v(rng)),
                                             static_cast<float>(0.5 + v(rng)), kRate);
      }
      b.starts.push_back(s);
    }
    // Start order is random; the pool groups by kind keeping that order.
    std::vector<uint32_t> order(kVoices);
    for (uint32_t i = 0; i < kVoices; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    for (uint32_t slot : order) (slot % 2 ? b.stereo_slots : b.mono_slots).push_back(slot);
    return b;
  }();
  return bank;
}

using Kernel = void (*)(const EngineVoiceLanes&, const uint32_t*, size_t, bool, size_t, float*, float*);

void BM_Voices(benchmark::State& state, Kernel kernel, int64_t target) {
  if (target != 0) hwy::SetSupportedTargetsForTest(target);
  Bank& b = GetBank();
  for (uint32_t slot = 0; slot < kVoices; ++slot) StartLane(b.lanes, slot, b.starts[slot]);
  const size_t chunks = kVoices / kChunk;
  std::vector<float> chunk_out(chunks * 2 * kBlock), l(kBlock), r(kBlock);
  auto block = [&] {
    size_t c = 0;
    for (const auto* group : {&b.mono_slots, &b.stereo_slots}) {
      const bool stereo = group == &b.stereo_slots;
      for (size_t first = 0; first < group->size(); first += kChunk, ++c) {
        float* cl = chunk_out.data() + c * 2 * kBlock;
        float* cr = cl + kBlock;
        std::fill(cl, cl + 2 * kBlock, 0.f);
        kernel(b.lanes, group->data() + first, std::min(kChunk, group->size() - first), stereo, kBlock, cl, cr);
      }
    }
    for (size_t k = 0; k < chunks; ++k) {
      const float* cl = chunk_out.data() + k * 2 * kBlock;
      for (size_t i = 0; i < kBlock; ++i) {
        l[i] += cl[i];
        r[i] += cl[kBlock + i];
      }
    }
  };
  for (int i = 0; i < 10; ++i) block();
  for (auto _ : state) {
    block();
    benchmark::DoNotOptimize(l.data());
    benchmark::ClobberMemory();
  }
  size_t active = 0;
  for (uint32_t slot = 0; slot < kVoices; ++slot) active += b.lanes.flags[slot] & kLaneActive;
  if (active != kVoices) state.SkipWithError("a voice ended during the measurement");
  state.counters["ns_per_voice_sample"] = benchmark::Counter(
      double(kVoices * kBlock) * double(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(kernel == &RenderEngineSampleVoicesScalar ? "scalar twin" : KernelTargetName());
  if (target != 0) hwy::SetSupportedTargetsForTest(0);
}

// Best (smallest) thread CPU time per iteration over repetitions, in ns.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const double unit = run.time_unit == benchmark::kMicrosecond   ? 1e3
                          : run.time_unit == benchmark::kMillisecond ? 1e6
                                                                     : 1.0;
      double& best = cpu_ns_[run.run_name.function_name];
      const double cpu = run.GetAdjustedCPUTime() * unit;
      if (best == 0.0 || cpu < best) best = cpu;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  double Get(const std::string& name) const {
    auto it = cpu_ns_.find(name);
    return it == cpu_ns_.end() ? -1.0 : it->second;
  }

 private:
  std::map<std::string, double> cpu_ns_;
};

}  // namespace
}  // namespace gb::dsp

int main(int argc, char** argv) {
  using namespace gb::dsp;
  benchmark::Initialize(&argc, argv);
  const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  // Twin and best target alternate three times, so a burst of other load on
  // a shared machine hits both; then every other target once.
  for (int rep = 0; rep < 3; ++rep) {
    benchmark::RegisterBenchmark("engine_voices/scalar_twin", BM_Voices, &RenderEngineSampleVoicesScalar, 0);
    benchmark::RegisterBenchmark("engine_voices/simd_best", BM_Voices, &RenderEngineSampleVoices, 0);
  }
  for (int64_t t : targets) {
    benchmark::RegisterBenchmark((std::string("engine_voices/simd_") + hwy::TargetName(t)).c_str(), BM_Voices,
                                 &RenderEngineSampleVoices, t);
  }
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  const double per = 1.0 / (double(kVoices) * double(kBlock));
  const double twin = reporter.Get("engine_voices/scalar_twin");
  const double best = reporter.Get("engine_voices/simd_best");
  std::printf("\n");
  for (int64_t t : targets) {
    const double ns = reporter.Get(std::string("engine_voices/simd_") + hwy::TargetName(t));
    if (ns > 0 && twin > 0) {
      std::printf("engine_voices target=%s voices=%zu block=%zu ns_per_voice_sample=%.3f twin_over_simd=%.2f\n",
                  hwy::TargetName(t), kVoices, kBlock, ns * per, twin / ns);
    }
  }
  if (twin > 0 && best > 0) {
    std::printf("engine_voices simd=%s ns_per_voice_sample=%.3f scalar_twin ns_per_voice_sample=%.3f "
                "ratio_twin_over_simd=%.2f\n",
                KernelTargetName(), best * per, twin * per, twin / best);
  }
  benchmark::Shutdown();
  return 0;
}
