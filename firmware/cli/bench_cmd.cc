// `groovebox bench voices`: renders the standard voice workloads of
// ../shared/bench/ (W1 cubic, W1 linear, W2) exactly as that README defines
// them, so the engine can be timed side by side with SuperCollider and Csound
// on the same work. Prints `key=value` figures; writes the render to a WAV.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "drivers/wav_writer.h"
#include "dsp/workload.h"
#include "firmware/cli/commands.h"

namespace gb::fw::cli {

int Bench(const Args& args) {
  if (args.empty() || args[0] != "voices") {
    std::fprintf(stderr,
                 "usage: groovebox bench voices --params FILE.json --out OUT.wav [--threads N] [--block FRAMES]\n"
                 "                              [--voices N] [--seconds S] [--scalar]\n");
    return 2;
  }
  std::string params_path, out_path;
  size_t threads = 1, block = 64, voices = 0;
  double seconds = -1;
  bool scalar = false;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a = args[i];
    auto next = [&]() -> std::string { return i + 1 < args.size() ? std::string(args[++i]) : std::string(); };
    try {
      if (a == "--params") params_path = next();
      else if (a == "--out") out_path = next();
      else if (a == "--threads") threads = std::stoul(next());
      else if (a == "--block") block = std::stoul(next());
      else if (a == "--voices") voices = std::stoul(next());
      else if (a == "--seconds") seconds = std::stod(next());
      else if (a == "--scalar") scalar = true;
      else {
        std::fprintf(stderr, "groovebox bench: unknown option '%.*s'\n", static_cast<int>(a.size()), a.data());
        return 2;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "groovebox bench: bad value for %.*s\n", static_cast<int>(a.size()), a.data());
      return 2;
    }
  }
  if (params_path.empty()) {
    std::fprintf(stderr, "groovebox bench voices: --params FILE.json is required\n");
    return 2;
  }
  nlohmann::json j;
  try {
    std::ifstream f(params_path);
    if (!f) throw std::runtime_error("cannot open");
    j = nlohmann::json::parse(f);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "groovebox bench voices: %s: %s\n", params_path.c_str(), e.what());
    return 2;
  }
  dsp::WorkloadParams wp;
  const std::string kind = j.value("workload", "");
  if (kind == "w1") wp.kind = dsp::WorkloadKind::kSampleCubic;
  else if (kind == "w1l") wp.kind = dsp::WorkloadKind::kSampleLinear;
  else if (kind == "w2") wp.kind = dsp::WorkloadKind::kSynth;
  else {
    std::fprintf(stderr, "groovebox bench voices: %s: unknown workload '%s'\n", params_path.c_str(), kind.c_str());
    return 2;
  }
  wp.sample_rate_hz = j.value("sample_rate", 48000.0);
  wp.time_s = seconds > 0 ? seconds : j.value("seconds", 10.0);
  wp.block_frames = block;
  wp.threads = threads;
  wp.scalar_kernels = scalar;
  const auto& vp = j.at("voices_params");
  const size_t file_voices = vp.size();
  // Beyond the file's count, its voices repeat in order (the per-voice cost
  // is what is measured; the README's generator is not published).
  const size_t n = voices ? voices : file_voices;
  std::vector<dsp::SampleVoiceParams> sv;
  std::vector<dsp::SynthVoiceParams> yv;
  std::vector<float> sample;
  if (wp.kind == dsp::WorkloadKind::kSynth) {
    for (size_t i = 0; i < n; ++i) {
      const auto& v = vp[i % file_voices];
      yv.push_back({v.at("freq").get<double>(), v.at("cutoff").get<double>(), v.value("rq", 0.25), v.at("gain").get<double>(),
                    v.at("pan").get<double>()});
    }
    wp.synth_voices = yv;
  } else {
    for (size_t i = 0; i < n; ++i) {
      const auto& v = vp[i % file_voices];
      sv.push_back({v.at("rate").get<double>(), v.at("gain").get<double>(), v.at("pan").get<double>()});
    }
    wp.sample_voices = sv;
    if (j.contains("envelope")) {
      wp.attack_s = j["envelope"].value("attack_s", 0.005);
      wp.release_s = j["envelope"].value("release_s", 0.05);
    }
    const auto wav_path = std::filesystem::path(params_path).parent_path() / j.at("sample").get<std::string>();
    drivers::AudioFileData d = drivers::ReadWav(wav_path);
    if (!d.ok()) {
      std::fprintf(stderr, "groovebox bench voices: %s\n", d.error.c_str());
      return 2;
    }
    for (int64_t i = 0; i < d.frames; ++i) sample.push_back(d.interleaved[static_cast<size_t>(i * d.channels)]);
    wp.sample = sample;
  }
  dsp::WorkloadRenderer r;
  dsp::Status st = r.Prepare(wp);
  if (!st.ok()) {
    std::fprintf(stderr, "groovebox bench voices: %s\n", st.error);
    return 2;
  }
  const size_t frames = dsp::WorkloadFrames(wp);
  std::vector<float> l(frames), rr(frames);
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t done = 0; done < frames;) {
    const size_t k = std::min(block, frames - done);
    r.RenderBlock(l.data() + done, rr.data() + done, k);
    done += k;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!out_path.empty()) {
    drivers::WavWriter w(out_path, drivers::WavSpec{2, static_cast<int>(wp.sample_rate_hz), drivers::WavEncoding::kFloat32});
    std::vector<float> inter(2 * frames);
    for (size_t i = 0; i < frames; ++i) {
      inter[2 * i] = l[i];
      inter[2 * i + 1] = rr[i];
    }
    if (!w.ok() || !w.Write(inter) || !w.Close()) {
      std::fprintf(stderr, "groovebox bench voices: %s\n", w.error().c_str());
      return 1;
    }
  }
  const double vs = static_cast<double>(n) * static_cast<double>(frames);
  std::printf("bench workload=%s voices=%zu threads=%zu block=%zu kernels=%s frames=%zu render_s=%.4f "
              "ns_per_voice_sample=%.3f realtime_factor=%.2f\n",
              kind.c_str(), n, r.thread_count(), block, scalar ? "scalar" : "simd", frames, secs, secs * 1e9 / vs,
              wp.time_s / secs);
  return 0;
}

}  // namespace gb::fw::cli
