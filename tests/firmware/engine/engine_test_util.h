// Helpers for engine tests: compile a scene, render it to buffers, and
// measure what came out (onset frames, tone levels).
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dsp/kit/sample_source.h"
#include "firmware/engine/engine.h"
#include "firmware/lang/ph_compile.h"

namespace gb::fw::testing {

struct Stereo {
  std::vector<float> l, r;
};

// A bank with a unit click ("click": 1.0 then silence) and "dc", a 2 s
// stereo sample at constant levels (0.5 left, 0.25 right).
inline std::shared_ptr<dsp::SampleBank> TestSounds(double rate = 48000) {
  auto bank = std::make_shared<dsp::SampleBank>();
  auto click = std::make_unique<dsp::Sample>("click", rate, 1, 64);
  click->mutable_channel(0)[0] = 1.f;
  bank->Add("click", std::move(click));
  auto tone = std::make_unique<dsp::Sample>("dc", rate, 2, static_cast<size_t>(2 * rate));
  for (size_t i = 0; i < static_cast<size_t>(2 * rate); ++i) {
    tone->mutable_channel(0)[i] = 0.5f;
    tone->mutable_channel(1)[i] = 0.25f;
  }
  bank->Add("dc", std::move(tone));
  return bank;
}

inline std::shared_ptr<const EngineProgram> Program(const std::string& text) {
  CompileResult r = CompileText(text, "test.ph");
  EXPECT_TRUE(r.ok()) << r.error.ToString();
  if (!r.ok()) return nullptr;
  std::string err;
  auto p = BuildEngineProgram(r.scene, &err);
  EXPECT_TRUE(p) << err;
  return p;
}

inline Stereo RenderText(const std::string& text, double seconds, size_t block = 128, size_t threads = 1,
                         const dsp::SampleSource* sounds = nullptr, double rate = 48000) {
  static auto bank = TestSounds();
  auto p = Program(text);
  Stereo out;
  if (!p) return out;
  EngineConfig cfg;
  cfg.sample_rate_hz = rate;
  cfg.max_block = block;
  cfg.threads = threads;
  cfg.sounds = sounds ? sounds : bank.get();
  Engine e(cfg);
  std::string err;
  EXPECT_TRUE(e.SetProgram(p, &err)) << err;
  const auto total = static_cast<size_t>(std::llround(seconds * rate));
  out.l.resize(total);
  out.r.resize(total);
  for (size_t done = 0; done < total;) {
    size_t n = std::min(block, total - done);
    e.Render(n, out.l.data() + done, out.r.data() + done);
    done += n;
  }
  return out;
}

// Frames where |x| rises above `thresh` after being below it.
inline std::vector<size_t> Onsets(const std::vector<float>& x, float thresh = 0.3f) {
  std::vector<size_t> on;
  bool above = false;
  for (size_t i = 0; i < x.size(); ++i) {
    bool a = std::fabs(x[i]) > thresh;
    if (a && !above) on.push_back(i);
    above = a;
  }
  return on;
}

// Amplitude of the component at `hz` (Goertzel over the whole span).
inline double ToneAmplitude(const float* x, size_t n, double hz, double rate = 48000) {
  const double w = 2 * M_PI * hz / rate;
  double re = 0, im = 0;
  for (size_t i = 0; i < n; ++i) {
    // Hann window keeps leakage from neighbouring tones out.
    double win = 0.5 - 0.5 * std::cos(2 * M_PI * static_cast<double>(i) / static_cast<double>(n - 1));
    re += win * static_cast<double>(x[i]) * std::cos(w * static_cast<double>(i));
    im -= win * static_cast<double>(x[i]) * std::sin(w * static_cast<double>(i));
  }
  return 2 * std::sqrt(re * re + im * im) / (0.5 * static_cast<double>(n));
}

inline double Rms(const float* x, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return std::sqrt(s / static_cast<double>(std::max<size_t>(n, 1)));
}

}  // namespace gb::fw::testing
