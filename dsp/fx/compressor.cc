// Feed-forward compressor (see compressor.h). One std::log2 and one std::exp2
// per frame (glibc's are table-driven and cheap); dB <-> log2 conversions are
// a multiply.
#include "dsp/fx/compressor.h"

#include <algorithm>
#include <cmath>

namespace gb::dsp {
namespace {

constexpr float kDbPerLog2 = 6.0205999f;  // 20 log10(2)
constexpr float kLog2PerDb = 1.f / kDbPerLog2;
// Detector floor: -200 dBFS, keeps log2 away from -inf on digital silence.
constexpr float kFloorLevel = 1e-10f;

float OnePoleCoefficient(float time_s, float sample_rate_hz) {
  if (!(time_s > 0.f)) return 0.f;
  return static_cast<float>(
      std::exp(-1.0 / (static_cast<double>(time_s) * static_cast<double>(sample_rate_hz))));
}

}  // namespace

bool Compressor::Prepare(float sample_rate_hz, size_t /*max_block_frames*/,
                         Arena& /*arena*/) {
  if (!(sample_rate_hz > 0.f)) return false;
  sample_rate_hz_ = sample_rate_hz;
  Reset();
  return true;
}

void Compressor::Reset() {
  reduction_db_ = 0.f;
  fresh_ = true;
}

void Compressor::Process(const CompressorParams& target, float* left, float* right,
                         size_t frames) {
  if (frames == 0) return;
  const float threshold_target = fx::ClampParam(target.threshold_db, -120.f, 20.f, -20.f);
  const float ratio = fx::ClampParam(target.ratio, 1.f, 1000.f, 4.f);
  const float slope_target = 1.f - 1.f / ratio;
  const float makeup_target = fx::ClampParam(target.makeup_db, -60.f, 60.f, 0.f);
  const float attack = OnePoleCoefficient(fx::ClampParam(target.attack_s, 0.f, 10.f, 0.01f),
                                          sample_rate_hz_);
  const float release = OnePoleCoefficient(fx::ClampParam(target.release_s, 0.f, 10.f, 0.1f),
                                           sample_rate_hz_);
  const float threshold_step = threshold_db_.Begin(threshold_target, frames, fresh_);
  const float slope_step = slope_.Begin(slope_target, frames, fresh_);
  const float makeup_step = makeup_db_.Begin(makeup_target, frames, fresh_);
  fresh_ = false;

  float threshold_db = threshold_db_.start();
  float slope = slope_.start();
  float makeup_db = makeup_db_.start();
  float reduction_db = reduction_db_;
  for (size_t i = 0; i < frames; ++i) {
    threshold_db += threshold_step;
    slope += slope_step;
    makeup_db += makeup_step;
    const float in_l = left[i];
    const float in_r = right[i];
    // Floored (log2 of 0) and capped at +120 dBFS: an inf input must not
    // leave an infinite reduction behind. A NaN passes both std::max and
    // std::min unchanged, fails the comparison below, and the detector
    // ignores that frame.
    const float peak = std::min(
        std::max(std::max(std::fabs(in_l), std::fabs(in_r)), kFloorLevel), fx::kMaxLevel);
    const float over_db = kDbPerLog2 * std::log2(peak) - threshold_db;
    const float wanted_db = over_db > 0.f ? over_db * slope : 0.f;
    const float coeff = wanted_db > reduction_db ? attack : release;
    reduction_db = wanted_db + coeff * (reduction_db - wanted_db);
    // Releasing toward 0 decays geometrically: keep it out of the denormals.
    if (reduction_db < fx::kFlushBelow) reduction_db = 0.f;
    const float gain = std::exp2((makeup_db - reduction_db) * kLog2PerDb);
    left[i] = in_l * gain;
    right[i] = in_r * gain;
  }
  reduction_db_ = reduction_db;
  threshold_db_.End(threshold_target);
  slope_.End(slope_target);
  makeup_db_.End(makeup_target);
}

}  // namespace gb::dsp
