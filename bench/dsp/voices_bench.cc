// Cost of the standard voice workloads (README W1 cubic, W1 linear, W2) as the
// worker pool renders them: CPU ns per voice-sample at N = 1024 and 4096 on
// one thread for every Highway target this CPU runs, the marginal cost
// between the two, the share of a 64-frame block's deadline, the sample
// kernels' tap fetch by row loads vs GatherIndex, and the 2-thread vs
// 1-thread speedup measured in the same run (wall time, best of 5).
// Voices never end during a measurement and every voice renders every frame.
// The benchmark thread runs as the engine's audio thread would: pinned to core
// 0 and SCHED_FIFO where permitted, so other load on a shared machine does
// not preempt it mid-block (thread CPU time is reported either way).
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dsp/kernels/sample_voices.h"
#include "dsp/kernels/target_info.h"
#include "dsp/voices.h"
#include "dsp/workload.h"
#include "hwy/targets.h"

namespace gb::dsp {
namespace {

constexpr double kRate = 48000.0;
constexpr size_t kBlock = 64;  // the reference engines' block size

const char* KindName(WorkloadKind k) {
  switch (k) {
    case WorkloadKind::kSampleCubic:
      return "w1";
    case WorkloadKind::kSampleLinear:
      return "w1l";
    case WorkloadKind::kSynth:
      return "w2";
  }
  return "?";
}

// Inputs in the README's ranges, varied so no two voices run in lock-step.
struct Inputs {
  std::vector<float> sample;
  std::vector<SampleVoiceParams> sample_voices;
  std::vector<SynthVoiceParams> synth_voices;
};

const Inputs& GetInputs() {
  static const Inputs inputs = [] {
    Inputs in;
    in.sample.resize(96000);  // kick.wav's length: same memory footprint
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (size_t i = 0; i < in.sample.size(); ++i) {
      const double t = double(i) / kRate;
      in.sample[i] = static_cast<float>(
          0.9 * std::exp(-t * 6) * std::sin(2 * std::numbers::pi * 50 * t) +
          0.01 * (u(rng) - 0.5));
    }
    for (size_t i = 0; i < 4096; ++i) {
      in.sample_voices.push_back({.rate = 0.5 + 1.5 * u(rng),
                                  .gain = 0.002 + 0.02 * u(rng),
                                  .pan = -1 + 2 * u(rng)});
      const double freq = 57 * std::pow(30.0, u(rng));
      in.synth_voices.push_back({.freq_hz = freq,
                                 .cutoff_hz = freq * (2 + 6 * u(rng)),
                                 .rq = 0.25,
                                 .gain = 0.0625,
                                 .pan = -1 + 2 * u(rng)});
    }
    return in;
  }();
  return inputs;
}

// Makes the benchmark thread an audio thread for its lifetime, as firmware
// sets one up: pinned to core 0 (the workers take cores 1 ..) and SCHED_FIFO
// above the workers where permitted. Restores affinity and policy after.
class AsAudioThread {
 public:
  AsAudioThread() {
    pthread_getaffinity_np(pthread_self(), sizeof(affinity_), &affinity_);
    pthread_getschedparam(pthread_self(), &policy_, &param_);
    PinThisThreadToCore(0);
    MakeThisThreadRealtime(80);
  }
  ~AsAudioThread() {
    pthread_setschedparam(pthread_self(), policy_, &param_);
    pthread_setaffinity_np(pthread_self(), sizeof(affinity_), &affinity_);
  }
  AsAudioThread(const AsAudioThread&) = delete;
  AsAudioThread& operator=(const AsAudioThread&) = delete;

 private:
  cpu_set_t affinity_;
  int policy_ = SCHED_OTHER;
  sched_param param_{};
};

void BM_Workload(benchmark::State& state, WorkloadKind kind, size_t voices,
                 size_t threads, int64_t target, bool scalar,
                 bool audio_thread) {
  if (target != 0) hwy::SetSupportedTargetsForTest(target);
  const Inputs& in = GetInputs();
  WorkloadParams p;
  p.kind = kind;
  p.time_s = 3600;  // voices stay in their hold phase
  p.block_frames = kBlock;
  p.threads = threads;
  p.sample = in.sample;
  p.sample_voices = {in.sample_voices.data(), voices};
  p.synth_voices = {in.synth_voices.data(), voices};
  p.scalar_kernels = scalar;
  WorkloadRenderer renderer;
  if (Status s = renderer.Prepare(p); !s.ok()) {
    state.SkipWithError(s.error);
    return;
  }
  std::optional<AsAudioThread> audio;
  if (audio_thread) audio.emplace();
  std::vector<float> l(kBlock), r(kBlock);
  for (int i = 0; i < 20; ++i) renderer.RenderBlock(l.data(), r.data(), kBlock);
  for (auto _ : state) {
    renderer.RenderBlock(l.data(), r.data(), kBlock);
    benchmark::DoNotOptimize(l.data());
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_voice_sample"] = benchmark::Counter(
      double(voices * kBlock) * double(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(scalar ? "scalar twin" : KernelTargetName());
  if (target != 0) hwy::SetSupportedTargetsForTest(0);
}

// One sample kernel alone on N voices, 64 frames per call: isolates the tap
// fetch (row loads vs GatherIndex) from the pool and the chunk sums.
using SampleKernel = void (*)(const LoopedSample&, const SampleVoices&, size_t,
                              size_t, float*, float*);
void BM_SampleKernel(benchmark::State& state, SampleKernel kernel,
                     size_t voices) {
  const Inputs& in = GetInputs();
  std::vector<float> storage(LoopedSampleStorageFloats(in.sample.size()));
  const LoopedSample loop =
      MakeLoopedSample(in.sample.data(), in.sample.size(), storage.data());
  Arena arena(SampleVoicesBytes(voices));
  SampleVoices v;
  AllocateSampleVoices(arena, voices, v);
  for (size_t i = 0; i < voices; ++i) {
    StartSampleVoice(v, i, loop.loop_frames,
                     {.rate = in.sample_voices[i].rate,
                      .gain = in.sample_voices[i].gain,
                      .pan = in.sample_voices[i].pan,
                      .attack_frames = 240,
                      .release_frames = 2400,
                      .length_frames = kMaxVoiceFrames});
  }
  std::vector<float> l(kBlock), r(kBlock);
  for (auto _ : state) {
    kernel(loop, v, voices, kBlock, l.data(), r.data());
    benchmark::DoNotOptimize(l.data());
    benchmark::ClobberMemory();
  }
  state.counters["ns_per_voice_sample"] = benchmark::Counter(
      double(voices * kBlock) * double(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(KernelTargetName());
}

// Per benchmark name, the best (smallest) wall and CPU time per iteration
// over its repetitions, in ns.
struct Timing {
  double real_ns = -1.0;
  double cpu_ns = -1.0;
};
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      const double unit = run.time_unit == benchmark::kMicrosecond   ? 1e3
                          : run.time_unit == benchmark::kMillisecond ? 1e6
                                                                     : 1.0;
      Timing& t = timings_[run.run_name.function_name];
      const double real = run.GetAdjustedRealTime() * unit;
      const double cpu = run.GetAdjustedCPUTime() * unit;
      if (t.real_ns < 0 || real < t.real_ns) t.real_ns = real;
      if (t.cpu_ns < 0 || cpu < t.cpu_ns) t.cpu_ns = cpu;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  Timing Get(const std::string& name) const {
    auto it = timings_.find(name);
    return it == timings_.end() ? Timing{} : it->second;
  }

 private:
  std::map<std::string, Timing> timings_;
};

std::string Name(WorkloadKind k, const char* target, size_t n, size_t threads) {
  return std::string("voices/") + KindName(k) + "/" + target + "/N" +
         std::to_string(n) + "/T" + std::to_string(threads);
}

}  // namespace
}  // namespace gb::dsp

int main(int argc, char** argv) {
  using namespace gb::dsp;
  benchmark::Initialize(&argc, argv);
  const WorkloadKind kinds[] = {WorkloadKind::kSampleCubic,
                                WorkloadKind::kSampleLinear,
                                WorkloadKind::kSynth};
  std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  std::vector<std::string> target_names;
  for (int64_t t : targets) target_names.push_back(hwy::TargetName(t));

  for (WorkloadKind k : kinds) {
    for (size_t ti = 0; ti < targets.size(); ++ti) {
      for (size_t n : {1024, 4096}) {
        benchmark::RegisterBenchmark(
            Name(k, target_names[ti].c_str(), n, 1).c_str(), BM_Workload, k,
            n, 1, targets[ti], false, true)
            ->UseRealTime();
      }
    }
    benchmark::RegisterBenchmark(Name(k, "scalar_twin", 1024, 1).c_str(),
                                 BM_Workload, k, 1024, 1, 0, true, true)
        ->UseRealTime();
  }
  // Thread scaling, best target, side by side: wall time, the caller set up
  // as an audio thread, alternating 1 and 2 threads five times so a burst of
  // other load hits both.
  for (int rep = 0; rep < 5; ++rep) {
    for (WorkloadKind k : kinds) {
      for (size_t threads : {1, 2}) {
        benchmark::RegisterBenchmark(Name(k, "best", 4096, threads).c_str(),
                                     BM_Workload, k, 4096, threads, 0, false,
                                     true)
            ->UseRealTime()
            ->MinTime(0.2);
      }
    }
  }
  const std::pair<const char*, SampleKernel> kernels[] = {
      {"kernel/w1/rows", &RenderSampleVoicesCubic},
      {"kernel/w1/gather", &RenderSampleVoicesCubicGather},
      {"kernel/w1l/rows", &RenderSampleVoicesLinear},
      {"kernel/w1l/gather", &RenderSampleVoicesLinearGather}};
  for (const auto& [name, fn] : kernels) {
    benchmark::RegisterBenchmark(name, BM_SampleKernel, fn, size_t{1024});
  }

  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  // Figures, one line each. Single-thread costs are thread CPU time (the
  // README's measure; wall time on a shared machine includes other load).
  const double deadline_ns = 1e9 * double(kBlock) / kRate;
  std::printf("\n");
  for (WorkloadKind k : kinds) {
    std::vector<std::string> names = target_names;
    names.push_back("scalar_twin");
    for (const std::string& t : names) {
      const Timing b1024 = reporter.Get(Name(k, t.c_str(), 1024, 1));
      const Timing b4096 = reporter.Get(Name(k, t.c_str(), 4096, 1));
      if (b1024.cpu_ns < 0) continue;
      std::printf("voices workload=%s target=%s block=%zu threads=1 "
                  "ns_per_voice_sample_n1024=%.3f",
                  KindName(k), t.c_str(), kBlock,
                  b1024.cpu_ns / (1024.0 * kBlock));
      if (b4096.cpu_ns >= 0) {
        std::printf(" ns_per_voice_sample_n4096=%.3f marginal_ns=%.3f",
                    b4096.cpu_ns / (4096.0 * kBlock),
                    (b4096.cpu_ns - b1024.cpu_ns) / (3072.0 * kBlock));
      }
      std::printf(" deadline_share_n1024=%.3f voices_per_core=%.0f\n",
                  b1024.cpu_ns / deadline_ns,
                  1024.0 * deadline_ns / b1024.cpu_ns);
    }
  }
  for (const auto& [name, fn] : kernels) {
    const Timing t = reporter.Get(name);
    if (t.cpu_ns < 0) continue;
    std::printf("voices_kernel name=%s target=%s n=1024 ns_per_voice_sample=%.3f\n",
                name, KernelTargetName(), t.cpu_ns / (1024.0 * kBlock));
  }
  for (WorkloadKind k : kinds) {
    const Timing t1 = reporter.Get(Name(k, "best", 4096, 1));
    const Timing t2 = reporter.Get(Name(k, "best", 4096, 2));
    if (t1.real_ns > 0 && t2.real_ns > 0) {
      std::printf(
          "voices_threads workload=%s target=%s n=4096 wall_ns_per_block_1t=%.0f "
          "wall_ns_per_block_2t=%.0f speedup_2t=%.3f\n",
          KindName(k), KernelTargetName(), t1.real_ns, t2.real_ns,
          t1.real_ns / t2.real_ns);
    }
  }
  benchmark::Shutdown();
  return 0;
}
