// Built-in kit: every promised name exists and every sound is usable as a drum
// (finite, sensible peak, ends silent), kicks are low and hats high, and the
// kit is the same on every build. Also the Sample storage contract.
#include "dsp/kit/builtin_kit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

namespace gb::dsp {
namespace {

// Fraction of a signal's energy in bins below `cutoff_hz`, via a zero-padded
// radix-2 FFT and Parseval (sum |X|^2 = M * sum x^2).
double EnergyFractionBelow(std::span<const float> x, double rate_hz, double cutoff_hz) {
  size_t m = 1;
  while (m < x.size()) m <<= 1;
  std::vector<std::complex<double>> a(m);
  for (size_t i = 0; i < x.size(); ++i) a[i] = x[i];
  for (size_t i = 1, j = 0; i < m; ++i) {  // bit reversal
    size_t bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (size_t len = 2; len <= m; len <<= 1) {
    const double angle = -2.0 * std::numbers::pi / static_cast<double>(len);
    const std::complex<double> w_len(std::cos(angle), std::sin(angle));
    for (size_t i = 0; i < m; i += len) {
      std::complex<double> w(1.0);
      for (size_t k = 0; k < len / 2; ++k) {
        const auto u = a[i + k], v = a[i + k + len / 2] * w;
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
        w *= w_len;
      }
    }
  }
  double total = 0.0;
  for (float v : x) total += static_cast<double>(v) * static_cast<double>(v);
  const auto top_bin =
      std::min(m / 2, static_cast<size_t>(cutoff_hz * static_cast<double>(m) / rate_hz));
  double low = std::norm(a[0]);
  for (size_t k = 1; k <= top_bin; ++k) low += 2.0 * std::norm(a[k]);
  return low / (static_cast<double>(m) * total);
}

class BuiltinKitTest : public ::testing::TestWithParam<double> {
 protected:
  static const BuiltinKit& Kit(double rate_hz) {
    static const BuiltinKit kit44(44100.0), kit48(48000.0), kit96(96000.0);
    return rate_hz == 44100.0 ? kit44 : rate_hz == 96000.0 ? kit96 : kit48;
  }
  const BuiltinKit& kit() const { return Kit(GetParam()); }
};

TEST_P(BuiltinKitTest, HasEveryNameTheLanguagePromises) {
  ASSERT_EQ(BuiltinKit::RequiredNames().size(), 14u);
  for (std::string_view name : BuiltinKit::RequiredNames()) {
    EXPECT_GE(kit().Count(name), 1u) << name;
    ASSERT_NE(kit().Find(name, 0), nullptr) << name;
  }
  EXPECT_GE(kit().Count("arpy"), 4u);
  EXPECT_EQ(kit().Find("no-such-sound", 0), nullptr);
  EXPECT_EQ(kit().Count("no-such-sound"), 0u);
}

TEST_P(BuiltinKitTest, EverySoundIsFiniteMonoAtTheKitRateWithASensiblePeak) {
  for (const std::string& name : kit().Names()) {
    for (size_t i = 0; i < kit().Count(name); ++i) {
      const Sample* s = kit().Find(name, static_cast<int64_t>(i));
      ASSERT_NE(s, nullptr);
      SCOPED_TRACE(s->name());
      EXPECT_EQ(s->channels(), 1);
      EXPECT_EQ(s->rate_hz(), GetParam());
      EXPECT_GT(s->duration_s(), 0.03);
      EXPECT_LT(s->duration_s(), 2.0);
      for (float v : s->channel_span(0)) ASSERT_TRUE(std::isfinite(v));
      EXPECT_GT(s->PeakAbs(), 0.1f);
      EXPECT_LE(s->PeakAbs(), 0.9f);
    }
  }
}

TEST_P(BuiltinKitTest, EverySoundEndsInSilenceSoNothingClicks) {
  const auto tail = static_cast<size_t>(0.002 * GetParam());  // last 2 ms
  for (const std::string& name : kit().Names()) {
    for (size_t i = 0; i < kit().Count(name); ++i) {
      const Sample* s = kit().Find(name, static_cast<int64_t>(i));
      SCOPED_TRACE(s->name());
      const auto x = s->channel_span(0);
      ASSERT_GT(x.size(), tail);
      EXPECT_LT(std::fabs(x.back()), 1e-4f);
      double sum_sq = 0.0;
      for (size_t k = x.size() - tail; k < x.size(); ++k) sum_sq += double{x[k]} * double{x[k]};
      EXPECT_LT(std::sqrt(sum_sq / static_cast<double>(tail)), 0.01 * double{s->PeakAbs()});
    }
  }
}

TEST_P(BuiltinKitTest, KicksKeepMostEnergyBelow150Hz) {
  for (std::string_view name : {"bd", "808bd"}) {
    for (size_t i = 0; i < kit().Count(name); ++i) {
      const Sample* s = kit().Find(name, static_cast<int64_t>(i));
      const double low = EnergyFractionBelow(s->channel_span(0), s->rate_hz(), 150.0);
      EXPECT_GT(low, 0.75) << s->name();
    }
  }
}

TEST_P(BuiltinKitTest, HatsKeepMostEnergyAbove4kHz) {
  for (std::string_view name : {"hh", "oh", "808hc", "808oh"}) {
    for (size_t i = 0; i < kit().Count(name); ++i) {
      const Sample* s = kit().Find(name, static_cast<int64_t>(i));
      const double low = EnergyFractionBelow(s->channel_span(0), s->rate_hz(), 4000.0);
      EXPECT_GT(1.0 - low, 0.9) << s->name();
    }
  }
}

TEST_P(BuiltinKitTest, LowTomIsLowerThanHighTom) {
  const Sample* lt = kit().Find("lt", 0);
  const Sample* ht = kit().Find("ht", 0);
  EXPECT_GT(EnergyFractionBelow(lt->channel_span(0), GetParam(), 150.0),
            EnergyFractionBelow(ht->channel_span(0), GetParam(), 150.0));
}

TEST_P(BuiltinKitTest, VariationsDiffer) {
  for (std::string_view name : {"bd", "sn", "hh", "arpy"}) {
    ASSERT_GE(kit().Count(name), 2u) << name;
    const Sample* a = kit().Find(name, 0);
    const Sample* b = kit().Find(name, 1);
    const bool same = a->frames() == b->frames() &&
                      std::equal(a->channel(0), a->channel(0) + a->frames(), b->channel(0));
    EXPECT_FALSE(same) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Rates, BuiltinKitTest, ::testing::Values(44100.0, 48000.0, 96000.0),
                         [](const auto& param_info) {
                           return std::to_string(static_cast<int>(param_info.param)) + "Hz";
                         });

TEST(BuiltinKit, IsBitIdenticalAcrossBuilds) {
  const BuiltinKit a(48000.0), b(48000.0);
  ASSERT_EQ(a.Names(), b.Names());
  for (const std::string& name : a.Names()) {
    ASSERT_EQ(a.Count(name), b.Count(name));
    for (size_t i = 0; i < a.Count(name); ++i) {
      const Sample* x = a.Find(name, static_cast<int64_t>(i));
      const Sample* y = b.Find(name, static_cast<int64_t>(i));
      ASSERT_EQ(x->frames(), y->frames());
      EXPECT_TRUE(std::equal(x->channel(0), x->channel(0) + x->frames(), y->channel(0)))
          << x->name();
    }
  }
}

TEST(BuiltinKit, SoundsLastTheSameTimeAtEveryRate) {
  const BuiltinKit a(44100.0), b(96000.0);
  for (const std::string& name : a.Names()) {
    EXPECT_NEAR(a.Find(name, 0)->duration_s(), b.Find(name, 0)->duration_s(), 1.0 / 44100.0)
        << name;
  }
}

TEST(BuiltinKit, IndexWrapsLikeTidal) {
  const BuiltinKit kit(48000.0);
  const auto n = static_cast<int64_t>(kit.Count("arpy"));
  EXPECT_EQ(kit.Find("arpy", n), kit.Find("arpy", 0));
  EXPECT_EQ(kit.Find("arpy", n + 2), kit.Find("arpy", 2));
  EXPECT_EQ(kit.Find("arpy", -1), kit.Find("arpy", n - 1));
  EXPECT_NE(kit.Find("arpy", 1), kit.Find("arpy", 0));
}

TEST(WrapIndex, WrapsBothWays) {
  EXPECT_EQ(WrapIndex(0, 4), 0u);
  EXPECT_EQ(WrapIndex(3, 4), 3u);
  EXPECT_EQ(WrapIndex(4, 4), 0u);
  EXPECT_EQ(WrapIndex(9, 4), 1u);
  EXPECT_EQ(WrapIndex(-1, 4), 3u);
  EXPECT_EQ(WrapIndex(-8, 4), 0u);
  EXPECT_EQ(WrapIndex(-9, 4), 3u);
  EXPECT_EQ(WrapIndex(5, 1), 0u);
}

TEST(Sample, ChannelsAreAlignedAndGuardedByZeros) {
  Sample s("test", 48000.0, 2, 37);
  for (int c = 0; c < 2; ++c) {
    std::fill_n(s.mutable_channel(c), s.frames(), 1.0f);
  }
  for (int c = 0; c < 2; ++c) {
    const float* p = s.channel(c);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % Sample::kAlignBytes, 0u);
    for (size_t g = 1; g <= Sample::kGuardFrames; ++g) {
      EXPECT_EQ(p[-static_cast<std::ptrdiff_t>(g)], 0.0f);
      EXPECT_EQ(p[s.frames() - 1 + g], 0.0f);
    }
  }
  EXPECT_EQ(s.PeakAbs(), 1.0f);
  EXPECT_NEAR(s.duration_s(), 37.0 / 48000.0, 1e-12);
}

TEST(SampleBank, KeepsVariationsInInsertionOrderAndNamesInByteOrder) {
  SampleBank bank;
  for (const char* name : {"b", "B", "a", "b"}) {
    bank.Add(name, std::make_unique<Sample>(name, 48000.0, 1, 1));
  }
  EXPECT_EQ(bank.Names(), (std::vector<std::string>{"B", "a", "b"}));
  EXPECT_EQ(bank.Count("b"), 2u);
  EXPECT_EQ(bank.total_samples(), 4u);
  EXPECT_NE(bank.Find("b", 0), bank.Find("b", 1));
}

}  // namespace
}  // namespace gb::dsp
