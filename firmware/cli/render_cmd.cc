// `groovebox render FILE.ph OUT.wav`: plays a pattern file through the engine
// as fast as it can and writes the result to a WAV file. With --stats, prints
// block-time percentiles against the block deadline, the real-time factor and
// the peak voice count, in `key=value` form a script can read.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "drivers/sample_library.h"
#include "drivers/wav_writer.h"
#include "dsp/kit/builtin_kit.h"
#include "firmware/app/sounds.h"
#include "firmware/cli/commands.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/ph_compile.h"

namespace gb::fw::cli {

namespace {

bool ParseNum(std::string_view s, double lo, double hi, double* out) {
  std::string t(s);
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || *end != '\0' || !(v >= lo && v <= hi)) return false;
  *out = v;
  return true;
}

}  // namespace

int Render(const Args& args) {
  std::string in, out, samples_dir;
  double cycles = -1, seconds = -1, rate = 48000, block = 128, threads = 1;
  bool stats = false, quiet = false;
  std::vector<int> route;  // by output index: first channel of its pair
  size_t channels = 2;
  drivers::WavEncoding enc = drivers::WavEncoding::kFloat32;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto val = [&](const char* name) -> std::string_view {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "groovebox render: %s needs a value\n", name);
        return {};
      }
      return args[++i];
    };
    bool ok = true;
    if (a == "--cycles") ok = ParseNum(val("--cycles"), 0, 1e6, &cycles);
    else if (a == "--seconds") ok = ParseNum(val("--seconds"), 0, 86400, &seconds);
    else if (a == "--rate") ok = ParseNum(val("--rate"), 8000, 192000, &rate);
    else if (a == "--block") ok = ParseNum(val("--block"), 1, 4096, &block);
    else if (a == "--threads") ok = ParseNum(val("--threads"), 0, 256, &threads);
    else if (a == "--samples") samples_dir = std::string(val("--samples"));
    else if (a == "--route") {
      // oN=C: output N (out = o0) on channels C and C+1 (1-based), e.g. o2=3.
      std::string spec(val("--route"));
      size_t eq = spec.find('=');
      int idx = -1, ch = -1;
      if (eq != std::string::npos) {
        std::string name = spec.substr(0, eq);
        if (name == "out") idx = 0;
        else if (name.size() > 1 && name[0] == 'o') idx = std::atoi(name.c_str() + 1);
        ch = std::atoi(spec.c_str() + eq + 1);
      }
      if (idx < 0 || idx > 16 || ch < 1 || ch > 63) {
        std::fprintf(stderr, "groovebox render: --route expects oN=C (output N on channels C and C+1), got '%s'\n", spec.c_str());
        return 2;
      }
      if (route.size() <= static_cast<size_t>(idx)) route.resize(static_cast<size_t>(idx) + 1, -1);
      route[static_cast<size_t>(idx)] = ch - 1;
      channels = std::max(channels, static_cast<size_t>(ch) + 1);
    }
    else if (a == "--stats") stats = true;
    else if (a == "--quiet") quiet = true;
    else if (a == "--format") {
      std::string_view f = val("--format");
      if (f == "f32") enc = drivers::WavEncoding::kFloat32;
      else if (f == "s16") enc = drivers::WavEncoding::kPcm16;
      else if (f == "s24") enc = drivers::WavEncoding::kPcm24;
      else ok = false;
    } else if (!a.empty() && a[0] != '-' && in.empty()) in = std::string(a);
    else if (!a.empty() && a[0] != '-' && out.empty()) out = std::string(a);
    else {
      std::fprintf(stderr, "groovebox render: unknown option '%.*s'\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "groovebox render: bad value for %.*s\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
  }
  if (in.empty() || out.empty()) {
    std::fprintf(stderr,
                 "usage: groovebox render FILE.ph OUT.wav [--cycles N | --seconds S] [--rate HZ] [--block FRAMES]\n"
                 "                        [--threads N] [--samples DIR] [--format f32|s16|s24] [--route oN=C]... [--stats]\n");
    return 2;
  }
  if (block != std::floor(block) || rate != std::floor(rate) || threads != std::floor(threads)) {
    std::fprintf(stderr, "groovebox render: --rate, --block and --threads take whole numbers\n");
    return 2;
  }
  SoundCatalog catalog(samples_dir);
  CompileOptions copt;
  copt.sound_exists = catalog.Checker();
  CompileResult cr = CompileFile(in, copt);
  if (!cr.ok()) {
    std::fprintf(stderr, "%s\n", cr.error.ToString().c_str());
    return 2;
  }
  std::string err;
  auto program = BuildEngineProgram(cr.scene, &err);
  if (!program) {
    std::fprintf(stderr, "%s: %s\n", in.c_str(), err.c_str());
    return 2;
  }
  drivers::SampleLibraryOptions lopt;
  lopt.engine_rate_hz = rate;
  lopt.fallback = std::make_shared<dsp::BuiltinKit>(rate);
  drivers::SampleLibrary lib = drivers::SampleLibrary::Load(samples_dir.empty() ? "/nonexistent" : samples_dir, lopt);
  if (!samples_dir.empty())
    for (const auto& w : lib.warnings()) std::fprintf(stderr, "groovebox render: %s\n", w.c_str());
  EngineConfig ecfg;
  ecfg.sample_rate_hz = rate;
  ecfg.max_block = static_cast<size_t>(block);
  ecfg.threads = static_cast<size_t>(threads);
  ecfg.sounds = &lib;
  ecfg.route = route;
  Engine engine(ecfg);
  if (!engine.SetProgram(program, &err)) {
    std::fprintf(stderr, "%s: %s\n", in.c_str(), err.c_str());
    return 2;
  }
  if (seconds < 0 && cycles < 0) cycles = 4;
  const double total_s = seconds >= 0 ? seconds : cycles / program->cps;
  const auto total_frames = static_cast<int64_t>(std::llround(total_s * rate));
  drivers::WavWriter wav(out, drivers::WavSpec{static_cast<int>(channels), static_cast<int>(rate), enc});
  if (!wav.ok()) {
    std::fprintf(stderr, "groovebox render: %s\n", wav.error().c_str());
    return 1;
  }
  const auto B = static_cast<size_t>(block);
  std::vector<std::vector<float>> bufs(channels, std::vector<float>(B));
  std::vector<float*> chans;
  for (auto& b : bufs) chans.push_back(b.data());
  std::vector<float> inter(channels * B);
  std::vector<double> block_ns;
  block_ns.reserve(static_cast<size_t>(total_frames / static_cast<int64_t>(B) + 1));
  const bool tty = !quiet && isatty(2);
  double render_s = 0;
  // CPU time of the rendering thread: on a shared, busy machine it excludes
  // the time other processes held the core (with --threads 1 it is the cost).
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  double cpu_s = 0;
  int last_pct = -1;
  for (int64_t done = 0; done < total_frames;) {
    const size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(B), total_frames - done));
    const double c0 = cpu_now();
    auto t0 = std::chrono::steady_clock::now();
    engine.RenderChannels(n, chans.data(), channels);
    auto t1 = std::chrono::steady_clock::now();
    cpu_s += cpu_now() - c0;
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    block_ns.push_back(ns);
    render_s += ns * 1e-9;
    for (size_t i = 0; i < n; ++i)
      for (size_t c = 0; c < channels; ++c) inter[channels * i + c] = bufs[c][i];
    if (!wav.Write({inter.data(), channels * n})) {
      std::fprintf(stderr, "groovebox render: %s\n", wav.error().c_str());
      return 1;
    }
    done += static_cast<int64_t>(n);
    if (tty) {
      int pct = static_cast<int>(100 * done / std::max<int64_t>(total_frames, 1));
      if (pct != last_pct) {
        last_pct = pct;
        std::fprintf(stderr, "\r[%-40s] %3d%%", std::string(static_cast<size_t>(pct * 40 / 100), '#').c_str(), pct);
      }
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  if (!wav.Close()) {
    std::fprintf(stderr, "groovebox render: %s\n", wav.error().c_str());
    return 1;
  }
  const EngineStats& es = engine.stats();
  if (es.unknown_sounds)
    std::fprintf(stderr, "groovebox render: %llu events named no sound\n", static_cast<unsigned long long>(es.unknown_sounds));
  if (stats) {
    std::vector<double> s = block_ns;
    std::sort(s.begin(), s.end());
    auto pct = [&](double q) { return s.empty() ? 0.0 : s[std::min(s.size() - 1, static_cast<size_t>(q * static_cast<double>(s.size())))]; };
    const double deadline_ns = block / rate * 1e9;
    std::printf("render file=%s frames=%lld rate=%d block=%d threads=%zu\n", in.c_str(),
                static_cast<long long>(total_frames), static_cast<int>(rate), static_cast<int>(block), engine.threads());
    std::printf("render block_us_p50=%.2f block_us_p99=%.2f block_us_max=%.2f deadline_us=%.2f "
                "p99_of_deadline=%.4f\n",
                pct(0.5) / 1e3, pct(0.99) / 1e3, s.empty() ? 0.0 : s.back() / 1e3, deadline_ns / 1e3,
                pct(0.99) / deadline_ns);
    std::printf("render realtime_factor=%.1f cpu_realtime_factor=%.1f peak_voices=%u events=%llu stolen=%llu "
                "query_errors=%llu\n",
                render_s > 0 ? total_s / render_s : 0.0, cpu_s > 0 ? total_s / cpu_s : 0.0, es.peak_voices, static_cast<unsigned long long>(es.events),
                static_cast<unsigned long long>(es.stolen_voices), static_cast<unsigned long long>(es.query_errors));
  }
  return 0;
}

}  // namespace gb::fw::cli
