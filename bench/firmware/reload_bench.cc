// Time from a saved pattern file to a program ready to swap in: the watcher
// sees the close (inotify, debounce set to 0 here; the daemon's default
// 150 ms quiet time comes on top), then the file is read, parsed, compiled,
// turned into an engine program and loaded (buffers, voices, effects) off the
// audio thread. A 100-line scene; p50/p99 over repeated saves.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "drivers/watch/inotify_watcher.h"
#include "dsp/kit/builtin_kit.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/ph_compile.h"

namespace {

std::string HundredLineScene(int variant) {
  std::string s = "-- a 100-line scene: 16 outputs, buses, chords, effects\nbpm: 124\n";
  s += "~lfo: sine 0.125\n~lfo2: tri 0.5 * 0.5 + 0.5\n";
  s += "~pad: supersaw 110 0.3 5 # lpf (~lfo * 1800 + 400) 0.7\n~lead: saw 220 # lpf 2000 0.9\n";
  s += "~bass: square 55 # lpf 600 1.2\n";
  const char* sounds[] = {"bd", "sn", "hh", "cp", "oh", "lt", "mt", "ht", "cb", "rim", "arpy", "808bd"};
  int line = 7;
  for (int o = 1; o <= 16 && line < 95; ++o) {
    const char* snd = sounds[(o + variant) % 12];
    s += "o" + std::to_string(o) + ": every " + std::to_string(2 + o % 3) + " (fast 2) $ s \"" + snd + "(" +
         std::to_string(3 + o % 5) + ",8," + std::to_string(o % 4) + ") [" + snd + " ~]*2\"\n";
    s += "  # gain \"0.8 0.6 <0.7 0.9>\" # pan (\"0 .. 7\" / 7) # speed \"<1 1.5 2>\"\n";
    s += "  # lpf \"<2000 4000 800>\" 0.5 # n \"<0 1 2 3>\"\n";
    s += "  -- output " + std::to_string(o) + " comment line\n";
    s += "  # delay 0.25 0.3 0.2\n";
    line += 5;
  }
  while (line++ < 99) s += "-- padding comment to reach a hundred lines\n";
  s += "out: s \"~pad\" # note \"<c4'min7 f3'min9 g3'dom7>\" # adsr 0.1 0.3 0.6 1 # reverb 0.7\n";
  return s;
}

void ReloadToReady(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("gb_reload_bench_" + std::to_string(getpid()));
  fs::create_directories(dir);
  gb::drivers::WatchOptions wo;
  wo.quiet = std::chrono::milliseconds(0);
  wo.open_quiet = std::chrono::milliseconds(0);
  wo.empty_quiet = std::chrono::milliseconds(0);
  auto w = gb::drivers::InotifyWatcher::Open(dir, wo);
  if (!w.watcher) {
    state.SkipWithError(w.error.c_str());
    return;
  }
  gb::dsp::BuiltinKit kit(48000);
  gb::fw::EngineConfig cfg;
  cfg.sounds = &kit;
  gb::fw::Engine engine(cfg);
  std::vector<double> total_ms, work_ms;
  int k = 0;
  for (auto _ : state) {
    const std::string text = HundredLineScene(k++);
    const auto t0 = std::chrono::steady_clock::now();
    {
      std::ofstream f(dir / "scene.ph");
      f << text;
    }  // closed: IN_CLOSE_WRITE
    std::vector<gb::drivers::FileEvent> ev;
    while (ev.empty()) {
      w.watcher->Poll(ev, gb::drivers::SteadyNowMs());
      if (ev.empty()) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const auto t1 = std::chrono::steady_clock::now();
    auto cr = gb::fw::CompileFile((dir / "scene.ph").string());
    std::string err;
    auto program = cr.ok() ? gb::fw::BuildEngineProgram(cr.scene, &err) : nullptr;
    auto loaded = program ? engine.Load(program, &err) : nullptr;
    const auto t2 = std::chrono::steady_clock::now();
    if (!loaded) {
      state.SkipWithError(cr.ok() ? err.c_str() : cr.error.ToString().c_str());
      break;
    }
    total_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
    work_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
  fs::remove_all(dir);
  auto pct = [](std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  state.counters["p50_ms"] = pct(total_ms, 0.5);
  state.counters["p99_ms"] = pct(total_ms, 0.99);
  std::printf("reload_bench lines=100 saves=%zu close_to_ready_ms_p50=%.2f close_to_ready_ms_p99=%.2f "
              "compile_and_load_ms_p50=%.2f compile_and_load_ms_p99=%.2f (plus the watcher's quiet time, 150 ms by default)\n",
              total_ms.size(), pct(total_ms, 0.5), pct(total_ms, 0.99), pct(work_ms, 0.5), pct(work_ms, 0.99));
}

}  // namespace

BENCHMARK(ReloadToReady)->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
