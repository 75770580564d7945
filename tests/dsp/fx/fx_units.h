// Every dsp/fx unit behind one shape, for the tests that treat them alike
// (real-time allocation proof, silence, NaN recovery): a prepared unit with
// its own arena and a parameter set that changes with the block index, so
// the ramped paths run.
#pragma once

#include <cmath>
#include <cstddef>
#include <memory>
#include <string>

#include "dsp/arena.h"
#include "dsp/fx/bitcrush.h"
#include "dsp/fx/chorus.h"
#include "dsp/fx/compressor.h"
#include "dsp/fx/delay.h"
#include "dsp/fx/distortion.h"
#include "dsp/fx/reverb.h"
#include "dsp/fx/svf.h"

namespace gb::dsp::fx_test {

// Control thread: Prepare is where the memory comes from.
struct AnyFx {
  virtual ~AnyFx() = default;
  virtual const char* name() const = 0;
  virtual bool Prepare(float sample_rate_hz, size_t max_block_frames) = 0;
  virtual void Reset() = 0;
  // Parameters move every block when `moving`, else stay at a typical set.
  virtual void Process(size_t block_index, bool moving, float* l, float* r, size_t n) = 0;
};

template <typename Unit, typename ParamsAt>
class FxOf final : public AnyFx {
 public:
  FxOf(const char* name, size_t arena_bytes, ParamsAt params_at)
      : name_(name), arena_bytes_(arena_bytes), params_at_(params_at) {}
  const char* name() const override { return name_; }
  bool Prepare(float sample_rate_hz, size_t max_block_frames) override {
    arena_.Init(arena_bytes_ + 64);
    return unit_.Prepare(sample_rate_hz, max_block_frames, arena_);
  }
  void Reset() override { unit_.Reset(); }
  void Process(size_t block_index, bool moving, float* l, float* r, size_t n) override {
    unit_.Process(params_at_(moving ? block_index : 0), l, r, n);
  }

 private:
  const char* name_;
  size_t arena_bytes_;
  ParamsAt params_at_;
  Arena arena_;
  Unit unit_;
};

template <typename Unit, typename ParamsAt>
std::unique_ptr<AnyFx> MakeFx(const char* name, size_t arena_bytes, ParamsAt params_at) {
  return std::make_unique<FxOf<Unit, ParamsAt>>(name, arena_bytes, params_at);
}

// A value that wanders over [0, 1) with the block index (deterministic).
inline float Wander(size_t b, size_t salt) {
  return static_cast<float>((b * 2654435761u + salt * 40503u) % 1000u) / 1000.f;
}

template <typename F>
void ForEachFx(float rate, F&& f) {
  f(MakeFx<Svf>("Svf", 0, [](size_t b) {
    return SvfParams{static_cast<SvfMode>(b / 7 % 4), 40.f + 15000.f * Wander(b, 1),
                     0.5f + 20.f * Wander(b, 2)};
  }));
  f(MakeFx<Delay>("Delay", Delay::ArenaBytes(rate, 0), [](size_t b) {
    return DelayParams{0.05f + 0.3f * Wander(b / 50, 3), 0.5f + 0.4f * Wander(b, 4),
                       0.5f};
  }));
  f(MakeFx<Reverb>("Reverb", Reverb::ArenaBytes(rate, 0), [](size_t b) {
    return ReverbParams{0.5f + 0.4f * Wander(b, 5), Wander(b, 6), 0.3f + 0.7f * Wander(b, 7)};
  }));
  f(MakeFx<Distortion>("Distortion", 0, [](size_t b) {
    return DistortionParams{1.f + 20.f * Wander(b, 8), Wander(b, 9)};
  }));
  f(MakeFx<Bitcrush>("Bitcrush", 0, [](size_t b) {
    return BitcrushParams{1.f + 15.f * Wander(b, 10), 1.f + 8.f * Wander(b, 11)};
  }));
  f(MakeFx<Chorus>("Chorus", Chorus::ArenaBytes(rate, 0), [](size_t b) {
    return ChorusParams{0.1f + 5.f * Wander(b, 12), Wander(b, 13), 0.3f + 0.7f * Wander(b, 14)};
  }));
  f(MakeFx<Compressor>("Compressor", 0, [](size_t b) {
    return CompressorParams{-30.f + 20.f * Wander(b, 15), 1.f + 10.f * Wander(b, 16),
                            0.001f + 0.02f * Wander(b, 17), 0.01f + 0.3f * Wander(b, 18),
                            6.f * Wander(b, 19)};
  }));
}

}  // namespace gb::dsp::fx_test
