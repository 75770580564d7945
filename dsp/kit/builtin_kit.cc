// Synthesis of the built-in kit. Runs once on the control thread at start-up, so
// it favours clarity over speed (double precision, std::exp per sample). Every
// parameter is in seconds or hertz so the kit sounds the same at any rate.
#include "dsp/kit/builtin_kit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <memory>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

namespace gb::dsp {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// xorshift32: the same stream on every platform and standard library, which
// std::uniform_real_distribution does not promise.
class Rng {
 public:
  explicit Rng(uint32_t seed) : state_(seed != 0 ? seed : 0x6d2b79f5u) {}
  double Bipolar() {  // [-1, 1)
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return static_cast<double>(state_ >> 8) * (2.0 / 16777216.0) - 1.0;
  }

 private:
  uint32_t state_;
};

// FNV-1a, to give every (name, variation) its own fixed noise seed.
uint32_t Seed(std::string_view name, int variation) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return (h ^ static_cast<uint32_t>(variation + 1)) * 16777619u;
}

// RBJ cookbook biquad, transposed direct form II.
class Biquad {
 public:
  enum class Type { kLowPass, kHighPass, kBandPass };
  Biquad(Type type, double freq_hz, double q, double rate_hz) {
    // Clamped below Nyquist so the kit still builds at low engine rates.
    const double f = std::clamp(freq_hz, 10.0, 0.45 * rate_hz);
    const double w0 = kTwoPi * f / rate_hz;
    const double cw = std::cos(w0);
    const double alpha = std::sin(w0) / (2.0 * q);
    const double a0 = 1.0 + alpha;
    switch (type) {
      case Type::kLowPass:
        b0_ = (1.0 - cw) / 2.0; b1_ = 1.0 - cw; b2_ = b0_;
        break;
      case Type::kHighPass:
        b0_ = (1.0 + cw) / 2.0; b1_ = -(1.0 + cw); b2_ = b0_;
        break;
      case Type::kBandPass:  // 0 dB at the centre
        b0_ = alpha; b1_ = 0.0; b2_ = -alpha;
        break;
    }
    b0_ /= a0; b1_ /= a0; b2_ /= a0;
    a1_ = -2.0 * cw / a0;
    a2_ = (1.0 - alpha) / a0;
  }
  double Process(double x) {
    const double y = b0_ * x + z1_;
    z1_ = b1_ * x - a1_ * y + z2_;
    z2_ = b2_ * x - a2_ * y;
    return y;
  }

 private:
  double b0_ = 1.0, b1_ = 0.0, b2_ = 0.0, a1_ = 0.0, a2_ = 0.0;
  double z1_ = 0.0, z2_ = 0.0;
};

double PolyBlep(double t, double dt) {
  if (t < dt) {
    t /= dt;
    return t + t - t * t - 1.0;
  }
  if (t > 1.0 - dt) {
    t = (t - 1.0) / dt;
    return t * t + t + t + 1.0;
  }
  return 0.0;
}

// Band-limited (polyBLEP) square, so the metallic sounds do not alias into the
// low band that the hat test checks is empty.
class Square {
 public:
  explicit Square(double freq_norm) : dt_(std::min(freq_norm, 0.45)) {}
  double Next() {
    double v = phase_ < 0.5 ? 1.0 : -1.0;
    v += PolyBlep(phase_, dt_);
    double shifted = phase_ + 0.5;
    if (shifted >= 1.0) shifted -= 1.0;
    v -= PolyBlep(shifted, dt_);
    phase_ += dt_;
    if (phase_ >= 1.0) phase_ -= 1.0;
    return v;
  }

 private:
  double dt_;
  double phase_ = 0.0;
};

size_t Frames(double length_s, double rate_hz) {
  return static_cast<size_t>(std::max(1.0, std::round(length_s * rate_hz)));
}

// Raised-cosine fade over the last `fade_s` (ending at exactly zero) so no sound
// clicks when it stops, then scale to `peak` (<= 0.9 leaves headroom when a
// few voices overlap before the mixer's gain).
std::unique_ptr<const Sample> Finish(std::string label, double rate_hz, std::vector<double> x,
                                     double peak, double fade_s) {
  const size_t n = x.size();
  const size_t fade = std::min(n / 2, Frames(fade_s, rate_hz));
  for (size_t i = 0; i < fade; ++i) {
    const double g = 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(i + 1) /
                                           static_cast<double>(fade)));
    x[n - fade + i] *= g;
  }
  double max_abs = 0.0;
  for (double v : x) max_abs = std::max(max_abs, std::fabs(v));
  const double scale = max_abs > 0.0 ? peak / max_abs : 0.0;
  auto sample = std::make_unique<Sample>(std::move(label), rate_hz, 1, n);
  float* out = sample->mutable_channel(0);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(x[i] * scale);
  return sample;
}

// Kick: a sine whose pitch falls exponentially from f_start to f_end, plus a
// millisecond of low-passed noise for the beater click, gently saturated.
struct KickParams {
  double f_start_hz, f_end_hz, sweep_s, decay_s, click, drive, length_s, fade_s;
};
std::vector<double> Kick(const KickParams& p, double rate_hz, uint32_t seed) {
  std::vector<double> x(Frames(p.length_s, rate_hz));
  Rng rng(seed);
  Biquad click_lp(Biquad::Type::kLowPass, 5000.0, 0.707, rate_hz);
  double phase = 0.0;
  const double norm = std::tanh(p.drive);
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double f = p.f_end_hz + (p.f_start_hz - p.f_end_hz) * std::exp(-t / p.sweep_s);
    const double body = std::sin(kTwoPi * phase) * std::exp(-t / p.decay_s);
    phase += f / rate_hz;
    phase -= std::floor(phase);
    const double click = click_lp.Process(rng.Bipolar()) * std::exp(-t / 0.0015) * p.click;
    x[i] = std::tanh(p.drive * (body + click)) / norm;
  }
  return x;
}

// Snare: two damped sines for the shell, band-limited noise for the wires.
struct SnareParams {
  double tone1_hz, tone2_hz, tone_decay_s, tone_level;
  double noise_hp_hz, noise_lp_hz, noise_decay_s, noise_level, length_s, fade_s;
};
std::vector<double> Snare(const SnareParams& p, double rate_hz, uint32_t seed) {
  std::vector<double> x(Frames(p.length_s, rate_hz));
  Rng rng(seed);
  Biquad hp(Biquad::Type::kHighPass, p.noise_hp_hz, 0.707, rate_hz);
  Biquad lp(Biquad::Type::kLowPass, p.noise_lp_hz, 0.707, rate_hz);
  double ph1 = 0.0, ph2 = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double bend = 1.0 + 0.25 * std::exp(-t / 0.012);  // skin tightens on the hit
    const double tone = (std::sin(kTwoPi * ph1) + 0.5 * std::sin(kTwoPi * ph2)) *
                        std::exp(-t / p.tone_decay_s) * p.tone_level;
    ph1 += p.tone1_hz * bend / rate_hz;
    ph2 += p.tone2_hz * bend / rate_hz;
    ph1 -= std::floor(ph1);
    ph2 -= std::floor(ph2);
    const double noise =
        lp.Process(hp.Process(rng.Bipolar())) * std::exp(-t / p.noise_decay_s) * p.noise_level;
    x[i] = tone + noise;
  }
  return x;
}

// Hats: the TR-808's six square oscillators (frequencies from its service
// notes) plus noise, band-passed high and then high-passed twice so almost
// nothing is left below 4 kHz.
struct HatParams {
  double pitch, decay_s, metal_level, noise_level, bp_hz, hp_hz, length_s, fade_s;
};
std::vector<double> Hat(const HatParams& p, double rate_hz, uint32_t seed) {
  constexpr std::array<double, 6> kMetalHz = {205.3, 304.4, 369.6, 522.7, 540.0, 800.0};
  std::vector<double> x(Frames(p.length_s, rate_hz));
  Rng rng(seed);
  std::vector<Square> squares;
  for (double f : kMetalHz) squares.emplace_back(f * p.pitch / rate_hz);
  Biquad bp(Biquad::Type::kBandPass, p.bp_hz, 0.9, rate_hz);
  Biquad hp1(Biquad::Type::kHighPass, p.hp_hz, 0.707, rate_hz);
  Biquad hp2(Biquad::Type::kHighPass, p.hp_hz, 0.707, rate_hz);
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    double metal = 0.0;
    for (auto& s : squares) metal += s.Next();
    const double raw = metal * (p.metal_level / 6.0) + rng.Bipolar() * p.noise_level;
    x[i] = hp2.Process(hp1.Process(bp.Process(raw))) * std::exp(-t / p.decay_s);
  }
  return x;
}

// Clap: several hands slightly out of time (short noise bursts), then the room.
struct ClapParams {
  double bp_hz, q;
  std::array<double, 4> burst_at_s;
  double burst_decay_s, tail_decay_s, tail_level, length_s, fade_s;
};
std::vector<double> Clap(const ClapParams& p, double rate_hz, uint32_t seed) {
  std::vector<double> x(Frames(p.length_s, rate_hz));
  Rng rng(seed);
  Biquad bp(Biquad::Type::kBandPass, p.bp_hz, p.q, rate_hz);
  Biquad hp(Biquad::Type::kHighPass, 400.0, 0.707, rate_hz);
  const double last_burst_s = p.burst_at_s.back();
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    double env = 0.0;
    for (double at : p.burst_at_s) {
      if (t >= at) env = std::max(env, std::exp(-(t - at) / p.burst_decay_s));
    }
    if (t >= last_burst_s) env += p.tail_level * std::exp(-(t - last_burst_s) / p.tail_decay_s);
    x[i] = hp.Process(bp.Process(rng.Bipolar())) * env;
  }
  return x;
}

// Tom: a sine with a small downward pitch bend and a touch of stick noise.
struct TomParams {
  double f_hz, bend, bend_s, decay_s, noise_level, length_s, fade_s;
};
std::vector<double> Tom(const TomParams& p, double rate_hz, uint32_t seed) {
  std::vector<double> x(Frames(p.length_s, rate_hz));
  Rng rng(seed);
  Biquad lp(Biquad::Type::kLowPass, 3000.0, 0.707, rate_hz);
  double phase = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double f = p.f_hz * (1.0 + p.bend * std::exp(-t / p.bend_s));
    const double body = std::sin(kTwoPi * phase) * std::exp(-t / p.decay_s);
    phase += f / rate_hz;
    phase -= std::floor(phase);
    x[i] = body + lp.Process(rng.Bipolar()) * std::exp(-t / 0.005) * p.noise_level;
  }
  return x;
}

// Cowbell: the 808's two detuned squares (540 and 800 Hz) through a band-pass,
// with a fast strike and a slower ring.
std::vector<double> Cowbell(double pitch, double ring_s, double length_s, double rate_hz) {
  std::vector<double> x(Frames(length_s, rate_hz));
  Square a(540.0 * pitch / rate_hz), b(800.0 * pitch / rate_hz);
  Biquad bp(Biquad::Type::kBandPass, 1400.0 * pitch, 0.8, rate_hz);
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double env = 0.65 * std::exp(-t / 0.012) + 0.35 * std::exp(-t / ring_s);
    x[i] = bp.Process(0.5 * (a.Next() + b.Next())) * env;
  }
  return x;
}

// Rim: a few milliseconds of two high sines and a noise tick.
std::vector<double> Rim(double f1_hz, double f2_hz, double decay_s, double rate_hz,
                        uint32_t seed) {
  std::vector<double> x(Frames(0.09, rate_hz));
  Rng rng(seed);
  Biquad hp(Biquad::Type::kHighPass, 2000.0, 0.707, rate_hz);
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    const double tone = (0.6 * std::sin(kTwoPi * f1_hz * t) + 0.5 * std::sin(kTwoPi * f2_hz * t)) *
                        std::exp(-t / decay_s);
    x[i] = tone + hp.Process(rng.Bipolar()) * 0.5 * std::exp(-t / 0.002);
  }
  return x;
}

// Arpy: one plucked note per variation (Dirt-Samples' arpy is a rising
// arpeggio, one note per file). Additive: harmonics start together and the
// upper ones die faster, which is what makes a pluck; exact pitch, no noise.
std::vector<double> Pluck(double f_hz, double rate_hz) {
  std::vector<double> x(Frames(0.7, rate_hz));
  // Each partial is a decaying phasor advanced by one complex multiply per
  // frame: the same curve as amp * exp(-t / decay) * sin(2 pi k f t), without
  // 16 sin and exp calls per frame (start-up time matters on a Pi).
  std::vector<std::complex<double>> phasor, step;
  for (int k = 1; k <= 16 && k * f_hz < 0.45 * rate_hz; ++k) {
    const double amplitude = 1.0 / std::pow(k, 1.3);
    const double decay_s = 0.45 / (1.0 + 0.6 * (k - 1));
    phasor.emplace_back(amplitude, 0.0);
    step.push_back(std::polar(std::exp(-1.0 / (decay_s * rate_hz)), kTwoPi * k * f_hz / rate_hz));
  }
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    double v = 0.0;
    for (size_t k = 0; k < phasor.size(); ++k) {
      v += phasor[k].imag();
      phasor[k] *= step[k];
    }
    x[i] = v * std::min(1.0, t / 0.002);  // 2 ms attack: a pluck, not a click
  }
  return x;
}

double MidiToHz(int note) { return 440.0 * std::pow(2.0, (note - 69) / 12.0); }

constexpr std::array<std::string_view, 14> kRequired = {
    "bd", "sn", "hh", "oh", "cp", "lt", "mt", "ht", "cb", "rim", "arpy", "808bd", "808sd", "808lt"};

}  // namespace

std::span<const std::string_view> BuiltinKit::RequiredNames() { return kRequired; }

BuiltinKit::BuiltinKit(double rate_hz) : rate_hz_(rate_hz) {
  auto add = [&](std::string_view name, std::vector<double> x, double peak, double fade_s) {
    const std::string key(name);
    const std::string label = "builtin:" + key + ":" + std::to_string(bank_.Count(name));
    bank_.Add(key, Finish(label, rate_hz, std::move(x), peak, fade_s));
  };
  auto seed = [&](std::string_view name) { return Seed(name, static_cast<int>(bank_.Count(name))); };

  // Kicks: short and punchy; the 808s long and boomy, almost no click.
  for (const KickParams& p : {KickParams{160, 50, 0.035, 0.28, 0.5, 1.3, 0.5, 0.05},
                              KickParams{200, 56, 0.025, 0.18, 0.7, 1.6, 0.4, 0.04},
                              KickParams{120, 45, 0.050, 0.40, 0.3, 1.2, 0.6, 0.06}}) {
    add("bd", Kick(p, rate_hz, seed("bd")), 0.9, p.fade_s);
  }
  for (const KickParams& p : {KickParams{110, 48, 0.060, 0.60, 0.15, 0.8, 1.4, 0.35},
                              KickParams{90, 42, 0.080, 0.85, 0.10, 0.8, 1.8, 0.45},
                              KickParams{130, 52, 0.040, 0.45, 0.20, 1.0, 1.1, 0.25}}) {
    add("808bd", Kick(p, rate_hz, seed("808bd")), 0.9, p.fade_s);
  }

  // Snares ("sd" is Dirt-Samples' other snare folder name).
  const std::array<SnareParams, 3> snares = {
      SnareParams{185, 330, 0.050, 0.6, 1500, 9000, 0.090, 0.8, 0.35, 0.05},
      SnareParams{220, 400, 0.040, 0.5, 2000, 11000, 0.120, 0.9, 0.40, 0.06},
      SnareParams{200, 360, 0.030, 0.7, 1200, 7000, 0.060, 0.7, 0.25, 0.04}};
  for (const auto& p : snares) add("sn", Snare(p, rate_hz, seed("sn")), 0.8, p.fade_s);
  for (const auto& p : snares) add("sd", Snare(p, rate_hz, seed("sd")), 0.8, p.fade_s);
  for (const SnareParams& p : {SnareParams{238, 476, 0.12, 0.7, 1800, 10000, 0.18, 0.6, 0.6, 0.1},
                               SnareParams{238, 476, 0.10, 0.5, 1800, 10000, 0.22, 0.9, 0.6, 0.1},
                               SnareParams{180, 360, 0.14, 0.8, 1500, 8000, 0.15, 0.5, 0.6, 0.1}}) {
    add("808sd", Snare(p, rate_hz, seed("808sd")), 0.8, p.fade_s);
  }

  // Hats: closed short, open long.
  for (const HatParams& p : {HatParams{1.00, 0.035, 0.8, 0.5, 10000, 7000, 0.15, 0.02},
                             HatParams{1.20, 0.050, 0.6, 0.7, 11000, 7500, 0.22, 0.03},
                             HatParams{0.90, 0.025, 1.0, 0.3, 9000, 6500, 0.12, 0.02}}) {
    add("hh", Hat(p, rate_hz, seed("hh")), 0.6, p.fade_s);
  }
  for (const HatParams& p : {HatParams{1.00, 0.25, 0.8, 0.5, 10000, 7000, 0.9, 0.15},
                             HatParams{1.15, 0.35, 0.7, 0.6, 10500, 7000, 1.1, 0.2}}) {
    add("oh", Hat(p, rate_hz, seed("oh")), 0.6, p.fade_s);
  }
  add("808hc", Hat(HatParams{1.0, 0.03, 1.0, 0.2, 9500, 7000, 0.12, 0.02}, rate_hz, seed("808hc")),
      0.6, 0.02);
  add("808oh", Hat(HatParams{1.0, 0.20, 1.0, 0.2, 9500, 7000, 0.8, 0.15}, rate_hz, seed("808oh")),
      0.6, 0.15);

  // Claps.
  for (const ClapParams& p :
       {ClapParams{1100, 1.5, {0.0, 0.011, 0.022, 0.031}, 0.004, 0.09, 0.6, 0.4, 0.06},
        ClapParams{1400, 1.2, {0.0, 0.008, 0.019, 0.027}, 0.003, 0.12, 0.7, 0.5, 0.08}}) {
    add("cp", Clap(p, rate_hz, seed("cp")), 0.8, p.fade_s);
  }

  // Toms at three pitches, two tunings each; the 808 ones longer and cleaner.
  using Pitched = std::pair<std::string_view, double>;
  for (auto [name, f_hz] : std::array<Pitched, 3>{{{"lt", 95.0}, {"mt", 140.0}, {"ht", 200.0}}}) {
    for (double tune : {1.0, 1.12}) {
      add(name, Tom(TomParams{f_hz * tune, 0.35, 0.04, 0.16, 0.25, 0.6, 0.08}, rate_hz, seed(name)),
          0.85, 0.08);
    }
  }
  for (auto [name, f_hz] :
       std::array<Pitched, 3>{{{"808lt", 80.0}, {"808mt", 120.0}, {"808ht", 170.0}}}) {
    for (double tune : {1.0, 0.9}) {
      add(name, Tom(TomParams{f_hz * tune, 0.15, 0.05, 0.35, 0.0, 1.2, 0.3}, rate_hz, seed(name)),
          0.85, 0.3);
    }
  }

  add("cb", Cowbell(1.0, 0.12, 0.5, rate_hz), 0.7, 0.08);
  add("cb", Cowbell(1.06, 0.18, 0.6, rate_hz), 0.7, 0.1);

  add("rim", Rim(1700, 480, 0.008, rate_hz, seed("rim")), 0.75, 0.01);
  add("rim", Rim(2100, 560, 0.006, rate_hz, seed("rim")), 0.75, 0.01);

  // A rising C-major arpeggio over two and a half octaves.
  for (int step : {0, 4, 7, 12, 16, 19, 24, 28}) {
    add("arpy", Pluck(MidiToHz(48 + step), rate_hz), 0.7, 0.1);
  }
}

}  // namespace gb::dsp
