// End-to-end engine figures a user would ask for, printed as `key=value`:
//  - the real-time factor of realistic files (Phonon's benchmark scene, the
//    default scene) rendered block by block as the audio thread would, with
//    block-time percentiles against the 128-frame deadline at 48 kHz;
//  - the largest number of W1 voices (../shared/bench, cubic) that renders
//    48 kHz in 128-frame blocks with the p99 block time under 70 % of the
//    deadline, for 1 thread and for every thread the machine has.
// Timings on shared machines are noisy: compare figures from one run only.
//
// Where phonon.ph's time goes (perf, 1 thread, 2026-11-21, after the
// Freeverb kernels, batched synth graphs and look-ahead onset windows; share
// of the render loop): sample voices 27 % (the SIMD kernel; ~13 kicks and
// toms sound at once), synth voices 35 % (graph VM: saw + SVF per voice,
// then the scalar envelope), reverb 10 %, delay 6 %, pattern queries and
// rational time 6 %, engine and pool bookkeeping 8 %, the rest kernel and
// scheduler. mean_voices is ~18: at the W1 target of 1.7 ns per
// voice-sample, the ~13 sample voices alone take ~2.8 us of a 128-frame
// block, more than the whole budget of 1000x real time (2.67 us).
//
// After the bus-voice kernel (dsp/kernels/bus_voices.h: the saw + SVF of
// the chord voices SIMD across voices), same day: the graph VM's 13.6 % of a
// phonon.ph render became 3 % in the kernel; phonon.ph 118x -> 156x cpu real
// time (medians of 7 interleaved runs each, `groovebox render --stats
// --threads 1`), phonon_synth.ph (its synth part alone) 259x -> 360x. What is
// left of the synth voices is mostly the scalar envelope/gain/pan after the
// graph (RenderEngineVoiceScalar: 17 % of a phonon_synth.ph render, twice
// the kernel's 8 %), then rational time for onsets (7 %).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <time.h>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "drivers/wav_writer.h"
#include "dsp/kit/builtin_kit.h"
#include "dsp/workload.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/ph_compile.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kRate = 48000.0;
constexpr size_t kBlock = 128;
constexpr double kDeadlineNs = 1e9 * kBlock / kRate;

// CPU time of the calling thread: on a shared, busy machine it leaves out the
// time other processes held the core (read twice per scene, never per block:
// the syscall costs about as much as a tenth of a block at 1000x).
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

void SceneRealtime(benchmark::State& state, const char* path, size_t threads) {
  static gb::dsp::BuiltinKit kit(kRate);
  auto cr = gb::fw::CompileFile(path);
  if (!cr.ok()) {
    state.SkipWithError(cr.error.ToString().c_str());
    return;
  }
  std::string err;
  auto program = gb::fw::BuildEngineProgram(cr.scene, &err);
  if (!program) {
    state.SkipWithError(err.c_str());
    return;
  }
  const double seconds = 60.0;
  const auto blocks = static_cast<size_t>(seconds * kRate / kBlock);
  std::vector<float> l(kBlock), r(kBlock);
  for (auto _ : state) {
    gb::fw::EngineConfig cfg;
    cfg.max_block = kBlock;
    cfg.threads = threads;
    cfg.sounds = &kit;
    gb::fw::Engine e(cfg);
    e.SetProgram(program, &err);
    std::vector<double> ns;
    ns.reserve(blocks);
    double total = 0;
    double voice_blocks = 0;
    const double cpu0 = ThreadCpuSeconds();
    for (size_t b = 0; b < blocks; ++b) {
      auto t0 = Clock::now();
      e.Render(kBlock, l.data(), r.data());
      double d = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
      ns.push_back(d);
      total += d;
      voice_blocks += e.stats().active_voices;
      benchmark::DoNotOptimize(l.data());
    }
    const double cpu_s = ThreadCpuSeconds() - cpu0;
    const double rtf = seconds / (total * 1e-9);
    state.counters["realtime_factor"] = rtf;
    state.counters["cpu_realtime_factor"] = seconds / cpu_s;
    state.counters["p99_of_deadline"] = Percentile(ns, 0.99) / kDeadlineNs;
    // cpu_block_us: thread CPU per block (with threads=1, the whole cost of
    // a block); mean_voices: voices sounding at the end of a block, averaged.
    std::printf("engine_bench scene=%s threads=%zu seconds=%.0f realtime_factor=%.1f cpu_realtime_factor=%.1f "
                "cpu_block_us=%.2f block_us_p50=%.2f block_us_p99=%.2f block_us_max=%.2f deadline_us=%.2f "
                "peak_voices=%u mean_voices=%.1f\n",
                path, e.threads(), seconds, rtf, seconds / cpu_s, cpu_s * 1e6 / static_cast<double>(blocks),
                Percentile(ns, 0.5) / 1e3, Percentile(ns, 0.99) / 1e3, Percentile(ns, 1.0) / 1e3,
                kDeadlineNs / 1e3, e.stats().peak_voices, voice_blocks / static_cast<double>(blocks));
  }
}

// p99 block time (ns) of W1 cubic with n voices.
double W1P99(size_t n, size_t threads, const std::vector<float>& sample, const nlohmann::json& j) {
  const auto& vp = j["voices_params"];
  std::vector<gb::dsp::SampleVoiceParams> sv;
  for (size_t i = 0; i < n; ++i) {
    const auto& v = vp[i % vp.size()];
    sv.push_back({v["rate"].get<double>(), v["gain"].get<double>(), v["pan"].get<double>()});
  }
  gb::dsp::WorkloadParams wp;
  wp.kind = gb::dsp::WorkloadKind::kSampleCubic;
  wp.time_s = 1.0;
  wp.block_frames = kBlock;
  wp.threads = threads;
  wp.sample = sample;
  wp.sample_voices = sv;
  gb::dsp::WorkloadRenderer r;
  if (!r.Prepare(wp).ok()) return 1e18;
  std::vector<float> l(kBlock), rr(kBlock);
  std::vector<double> ns;
  const size_t blocks = gb::dsp::WorkloadFrames(wp) / kBlock;
  for (size_t b = 0; b < blocks; ++b) {
    auto t0 = Clock::now();
    r.RenderBlock(l.data(), rr.data(), kBlock);
    ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  return Percentile(ns, 0.99);
}

void LargestW1(benchmark::State& state, size_t threads) {
  std::ifstream f(GB_SHARED_BENCH_DIR "/w1_n64.json");
  if (!f) {
    state.SkipWithError("../shared/bench/w1_n64.json not found");
    return;
  }
  nlohmann::json j = nlohmann::json::parse(f);
  auto wav = gb::drivers::ReadWav(GB_SHARED_BENCH_DIR "/kick.wav");
  std::vector<float> sample;
  for (int64_t i = 0; i < wav.frames; ++i) sample.push_back(wav.interleaved[static_cast<size_t>(i * wav.channels)]);
  for (auto _ : state) {
    // Doubling, then bisection on multiples of 64 voices.
    size_t lo = 0, hi = 64;
    while (W1P99(hi, threads, sample, j) < 0.7 * kDeadlineNs) {
      lo = hi;
      hi *= 2;
      if (hi > (1u << 17)) break;
    }
    while (hi - lo > 64) {
      size_t mid = (lo + hi) / 2 / 64 * 64;
      if (W1P99(mid, threads, sample, j) < 0.7 * kDeadlineNs) lo = mid;
      else hi = mid;
    }
    state.counters["max_voices"] = static_cast<double>(lo);
    std::printf("engine_bench w1_max_voices=%zu threads=%zu block=%zu p99_limit=0.70\n", lo, threads, kBlock);
  }
}

}  // namespace

BENCHMARK_CAPTURE(SceneRealtime, phonon_1thread, GB_BENCH_SCENES_DIR "/phonon.ph", 1)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(SceneRealtime, phonon_synth_1thread, GB_BENCH_SCENES_DIR "/phonon_synth.ph", 1)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(SceneRealtime, default_1thread, GB_DEFAULT_SCENE_PATH, 1)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(LargestW1, threads_1, 1)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(LargestW1, threads_all, 0)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
