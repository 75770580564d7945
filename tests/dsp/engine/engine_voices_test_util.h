// Helpers for the engine voice kernel tests and benchmark: lane banks that own
// their arena, random samples, and voice starts that reach every corner of
// the kernel (rates both ways, loops and tiny loops, bounds crossed inside a
// block, every envelope stage, gates, fades, start offsets, 0-3 filters).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dsp/arena.h"
#include "dsp/fx/svf.h"
#include "dsp/kernels/engine_voices.h"
#include "dsp/kit/sample.h"
#include "gtest/gtest.h"

namespace gb::dsp::test_util {

class LaneBank {
 public:
  explicit LaneBank(size_t capacity) : capacity_(capacity), arena_(EngineVoiceLanesBytes(capacity) + 64, false) {
    ok_ = AllocateEngineVoiceLanes(arena_, capacity, lanes_);
  }
  LaneBank(const LaneBank&) = delete;
  LaneBank& operator=(const LaneBank&) = delete;
  bool ok() const { return ok_; }
  const EngineVoiceLanes& lanes() const { return lanes_; }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  Arena arena_;
  EngineVoiceLanes lanes_;
  bool ok_ = false;
};

inline std::unique_ptr<Sample> RandomSample(size_t frames, int channels, uint32_t seed) {
  auto s = std::make_unique<Sample>("random", 48000.0, channels, frames);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < frames; ++i) s->mutable_channel(c)[i] = u(rng);
  return s;
}

// A voice start drawn to exercise the kernel. `max_offset`: start frames are
// below it (some beyond a short first block on purpose).
inline LaneStart RandomLaneStart(std::mt19937& rng, const Sample& smp, bool stereo, uint32_t max_offset,
                                 bool filters) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto pick = [&](std::initializer_list<double> xs) {
    return *(xs.begin() + static_cast<ptrdiff_t>(rng() % xs.size()));
  };
  LaneStart s;
  s.offset = static_cast<uint32_t>(rng() % 4 == 0 ? 0 : rng() % max_offset);
  s.l = smp.channel(0);
  s.r = stereo && smp.channels() > 1 ? smp.channel(1) : nullptr;
  s.frames = smp.frames();
  s.rate = pick({1.0, -1.0, 0.5, 2.37, -1.7, 7.3, -13.1, 64.0, -64.0, 1e-3, 0.91875, -0.3333});
  if (rng() % 3 == 0) s.rate *= 0.5 + u(rng);
  switch (rng() % 4) {
    case 0:
      break;  // whole sample
    case 1:
      s.begin = 0.3 * u(rng);
      s.end = 0.7 + 0.3 * u(rng);
      break;
    case 2: {  // a few frames: tiny loops, rates above their length
      s.begin = u(rng) * 0.9;
      s.end = s.begin + (1.0 + 6.0 * u(rng)) / static_cast<double>(smp.frames());
      break;
    }
    default:  // fractional bounds inside a frame
      s.begin = 0.5 * u(rng);
      s.end = s.begin + 0.01 + 0.2 * u(rng);
      break;
  }
  s.loop = rng() % 2 == 0;
  s.attack_frames = static_cast<float>(pick({0.0, 0.5, 3.0, 40.0, 300.0}));
  s.decay_frames = static_cast<float>(pick({0.0, 7.0, 100.0, 1000.0}));
  s.sustain = static_cast<float>(pick({0.0, 0.3, 1.0}));
  s.release_frames = static_cast<float>(pick({1.0, 20.0, 240.0, 2000.0}));
  s.gate_frames = pick({-1.0, -1.0, 0.0, 5.5, 50.0, 400.0, 1300.0});
  s.gain_l = static_cast<float>(u(rng));
  s.gain_r = static_cast<float>(u(rng));
  if (filters) {
    s.filter_count = static_cast<int>(rng() % 4);
    for (int k = 0; k < s.filter_count; ++k) {
      const SvfMode mode = static_cast<SvfMode>(rng() % 4);
      const float cutoff = static_cast<float>(50.0 * std::pow(300.0, u(rng)));
      const float q = static_cast<float>(0.5 + 1.5 * u(rng));
      s.filters[k] = SvfCoefficients::Make(mode, cutoff, q, 48000.f);
    }
  }
  return s;
}


using LaneKernel = void (*)(const EngineVoiceLanes&, const uint32_t*, size_t, bool, size_t, float*, float*);

// Tolerance of kernel against twin, per output sample and per filter state:
// kTwinTolPerUnitGain times the sum of |gain| over the voices (times the
// filters' peak gain bound below). Positions, stages, gates, envelope and fade
// levels must match exactly: they are integer steps or single float
// additions, compares and one division, done the same way in both. What may
// differ is rounding: fused multiply-adds in the Hermite interpolator (a few
// ulp of coefficients up to ~6 for samples in [-1, 1]), in the SVF
// (state errors of an ulp per tick, which a stable filter keeps bounded),
// in gain * level, and the order the lanes are summed in (lanes of a vector,
// then vectors). q <= 2 keeps each filter's gain under ~2.3, three in
// series under 12.
inline constexpr double kTwinTolPerUnitGain = 2e-6;
inline constexpr double kFilterGainBound = 12.0;

// What a run exercised, so a test can insist every corner was reached.
struct TwinCoverage {
  size_t blocks = 0, attack_to_decay = 0, decay_to_sustain = 0, gate_releases = 0;
  size_t ended_by_bounds = 0, ended_by_release = 0, ended_by_fade = 0, loop_wraps = 0;
  size_t started_inside_block = 0, started_after_block = 0;
  double worst_error_per_unit_gain = 0.0;
};

inline bool SameLane(const EngineVoiceLanes& a, const EngineVoiceLanes& b, uint32_t s, double tol,
                     std::string* why) {
  auto fail = [&](const char* what) {
    *why = what;
    return false;
  };
  if (a.flags[s] != b.flags[s]) return fail("flags");
  if (!(a.flags[s] & kLaneActive)) return true;  // ended: nothing left to compare
  if (a.frame[s] != b.frame[s] || a.frac_q31[s] != b.frac_q31[s]) return fail("position");
  if (a.stage[s] != b.stage[s]) return fail("stage");
  if (a.env[s] != b.env[s]) return fail("env");
  if (a.fade[s] != b.fade[s]) return fail("fade");
  if (a.stage[s] < kStageRelease && a.gate_frames[s] != b.gate_frames[s]) return fail("gate");
  if (a.stage[s] == kStageRelease && a.release_dec[s] != b.release_dec[s]) return fail("release_dec");
  if (a.offset[s] != b.offset[s] || a.fade_at[s] != b.fade_at[s]) return fail("offset/fade_at");
  for (int k = 0; k < a.filter_count[s]; ++k)
    for (int ch = 0; ch < 2; ++ch) {
      if (std::abs(double{a.filter[k].ic1[ch][s]} - double{b.filter[k].ic1[ch][s]}) > tol) return fail("ic1");
      if (std::abs(double{a.filter[k].ic2[ch][s]} - double{b.filter[k].ic2[ch][s]}) > tol) return fail("ic2");
    }
  return true;
}

// Starts `count` random voices (random slots out of `capacity`) identically
// in two banks, then renders block after block of odd lengths with `simd` on
// one and the twin on the other, fading and restarting voices between
// blocks, and checks outputs and every voice's state after each block.
inline void ExpectKernelMatchesTwin(LaneKernel simd, size_t count, bool stereo, bool filters, uint32_t seed,
                                    TwinCoverage& cov) {
  const size_t capacity = 80;
  ASSERT_LE(count, capacity);
  static const std::vector<std::unique_ptr<Sample>> samples = [] {
    std::vector<std::unique_ptr<Sample>> v;
    v.push_back(RandomSample(997, 1, 1));
    v.push_back(RandomSample(997, 2, 2));
    v.push_back(RandomSample(50, 2, 3));
    v.push_back(RandomSample(3, 1, 4));
    v.push_back(RandomSample(4096, 2, 5));
    return v;
  }();
  std::mt19937 rng(seed);
  LaneBank a(capacity), b(capacity);
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<uint32_t> all(capacity);
  for (uint32_t i = 0; i < capacity; ++i) all[i] = i;
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<uint32_t> slots(all.begin(), all.begin() + static_cast<ptrdiff_t>(count));
  auto start = [&](uint32_t slot, uint32_t max_offset) {
    const Sample& smp = *samples[rng() % samples.size()];
    const LaneStart ls = RandomLaneStart(rng, smp, stereo, max_offset, filters);
    const bool ok_a = StartLane(a.lanes(), slot, ls);
    const bool ok_b = StartLane(b.lanes(), slot, ls);
    ASSERT_EQ(ok_a, ok_b);
  };
  for (uint32_t s : slots) start(s, 64);
  const size_t blocks[] = {1, 7, 64, 65, 127, 333, 17, 96, 5, 200, 64, 31};
  const double scale = filters ? kFilterGainBound : 1.0;
  // Filter states are in units of their input (|x| <= 1.25 after Hermite).
  const double tol_state = kTwinTolPerUnitGain * kFilterGainBound * 1.25;
  // Coverage reads the twin's bank: the kernel does not write back the state
  // of voices that ended.
  const EngineVoiceLanes& la = b.lanes();
  for (size_t bi = 0; bi < std::size(blocks); ++bi) {
    const size_t frames = blocks[bi];
    SCOPED_TRACE(::testing::Message() << "block " << bi << " (" << frames << " frames)");
    double gain_sum_l = 0.0, gain_sum_r = 0.0;
    for (uint32_t s : slots) {
      gain_sum_l += std::abs(double{la.gain_l[s]});
      gain_sum_r += std::abs(double{la.gain_r[s]});
    }
    const double tol_l = kTwinTolPerUnitGain * scale * (gain_sum_l + 1e-3);
    const double tol_r = kTwinTolPerUnitGain * scale * (gain_sum_r + 1e-3);
    // Before the block: what the twin is about to do, for coverage.
    std::vector<uint8_t> stage0(capacity), active0(capacity);
    std::vector<int32_t> frame0(capacity);
    for (uint32_t s : slots) {
      stage0[s] = la.stage[s];
      active0[s] = la.flags[s] & kLaneActive;
      frame0[s] = la.frame[s];
      if (active0[s] && la.offset[s] > 0) ++(la.offset[s] < frames ? cov.started_inside_block : cov.started_after_block);
    }
    // Kernels add: start both outputs from the same non-zero contents, one
    // float past an aligned address.
    std::vector<float> al(frames + 2, 0.25f), ar(frames + 2, -0.5f);
    std::vector<float> bl = al, br = ar;
    simd(a.lanes(), slots.data(), count, stereo, frames, al.data() + 1, ar.data() + 1);
    RenderEngineSampleVoicesScalar(b.lanes(), slots.data(), count, stereo, frames, bl.data() + 1, br.data() + 1);
    for (size_t t = 0; t < frames + 2; ++t) {
      ASSERT_NEAR(al[t], bl[t], tol_l) << "L frame " << t;
      ASSERT_NEAR(ar[t], br[t], tol_r) << "R frame " << t;
      cov.worst_error_per_unit_gain =
          std::max({cov.worst_error_per_unit_gain, std::abs(double{al[t]} - double{bl[t]}) / (gain_sum_l + 1e-3),
                    std::abs(double{ar[t]} - double{br[t]}) / (gain_sum_r + 1e-3)});
    }
    for (uint32_t s : slots) {
      std::string why;
      ASSERT_TRUE(SameLane(a.lanes(), b.lanes(), s, tol_state, &why)) << "slot " << s << ": " << why;
    }
    // Coverage, from the (agreed) state.
    ++cov.blocks;
    for (uint32_t s : slots) {
      if (!active0[s]) continue;
      const bool active = la.flags[s] & kLaneActive;
      if (stage0[s] == kStageAttack && la.stage[s] >= kStageDecay) ++cov.attack_to_decay;
      if (stage0[s] <= kStageDecay && la.stage[s] >= kStageSustain) ++cov.decay_to_sustain;
      if (stage0[s] < kStageRelease && la.stage[s] == kStageRelease) ++cov.gate_releases;
      if (!active) {
        if (la.stage[s] == kStageRelease && la.env[s] == 0.f) {
          ++cov.ended_by_release;
        } else if ((la.flags[s] & kLaneFading) && la.fade[s] == 0.f) {
          ++cov.ended_by_fade;
        } else {
          ++cov.ended_by_bounds;
        }
      } else if ((la.flags[s] & kLaneLoop) && la.frame[s] < frame0[s]) {
        ++cov.loop_wraps;
      }
    }
    // Between blocks: fade some voices, restart some that ended.
    const size_t next = blocks[(bi + 1) % std::size(blocks)];
    for (uint32_t s : slots) {
      if (la.flags[s] & kLaneActive) {
        if (rng() % 8 == 0) {
          const auto at = static_cast<uint32_t>(rng() % (next + 8));
          const float dec = rng() % 2 ? 1.f / 240.f : 0.3f;
          FadeLane(a.lanes(), s, at, dec);
          FadeLane(b.lanes(), s, at, dec);
        }
      } else if (rng() % 2 == 0) {
        start(s, static_cast<uint32_t>(next + 8));
      }
    }
  }
}

}  // namespace gb::dsp::test_util
