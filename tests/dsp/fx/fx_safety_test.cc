// Properties every dsp/fx unit must have, checked on all of them alike: no
// NaN or inf out of finite input under moving parameters; silence after
// sound decays to exact zeros without ever emitting a denormal (with the
// CPU's flush-to-zero off, the default for this test binary); a NaN or inf
// input sample does not poison the unit's state.
#include <algorithm>
#include <cmath>
#include <vector>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "gtest/gtest.h"
#include "tests/dsp/fx/fx_test_util.h"
#include "tests/dsp/fx/fx_units.h"

namespace gb::dsp {
namespace {

using fx_test::kRate;

TEST(FxSafety, RunsWithFlushToZeroAndDenormalsAreZeroOff) {
#if defined(__SSE__) || defined(__x86_64__)
  // FTZ is bit 15, DAZ bit 6 of MXCSR: the tests below must see real
  // denormals if a unit produced them.
  EXPECT_EQ(_mm_getcsr() & 0x8040u, 0u);
#else
  GTEST_SKIP() << "MXCSR check is x86-only";
#endif
}

TEST(FxSafety, FiniteInputGivesFiniteOutputUnderMovingParameters) {
  const std::vector<float> noise = fx_test::Noise(48000, 4.f, 1);  // +12 dBFS
  fx_test::ForEachFx(kRate, [&](std::unique_ptr<fx_test::AnyFx> fx) {
    ASSERT_TRUE(fx->Prepare(kRate, 256)) << fx->name();
    std::vector<float> l = noise, r = noise;
    size_t b = 0;
    for (size_t i = 0; i < l.size(); ++b) {  // odd block sizes, 1 .. 256
      const size_t n = std::min<size_t>(1 + (b * 37) % 256, l.size() - i);
      fx->Process(b, true, l.data() + i, r.data() + i, n);
      i += n;
    }
    for (size_t i = 0; i < l.size(); ++i) {
      ASSERT_TRUE(std::isfinite(l[i]) && std::isfinite(r[i])) << fx->name() << " " << i;
    }
  });
}

TEST(FxSafety, SilenceAfterSoundEndsInExactZerosWithoutDenormals) {
  // One second of loud noise, then 20 s of digital silence, fixed typical
  // parameters (the delay's feedback is 0.5..0.9 there, 300 dB takes a while).
  const size_t loud = 48000, total = 21 * 48000, block = 256;
  const std::vector<float> noise = fx_test::Noise(loud, 1.f, 2);
  fx_test::ForEachFx(kRate, [&](std::unique_ptr<fx_test::AnyFx> fx) {
    ASSERT_TRUE(fx->Prepare(kRate, block)) << fx->name();
    std::vector<float> l(total, 0.f), r(total, 0.f);
    std::copy(noise.begin(), noise.end(), l.begin());
    std::copy(noise.begin(), noise.end(), r.begin());
    for (size_t i = 0; i < total; i += block) {
      fx->Process(i / block, false, l.data() + i, r.data() + i, std::min(block, total - i));
    }
    for (size_t i = 0; i < total; ++i) {
      ASSERT_NE(std::fpclassify(l[i]), FP_SUBNORMAL) << fx->name() << " " << i;
      ASSERT_NE(std::fpclassify(r[i]), FP_SUBNORMAL) << fx->name() << " " << i;
    }
    // The last second is exact silence.
    for (size_t i = total - 48000; i < total; ++i) {
      ASSERT_EQ(l[i], 0.f) << fx->name() << " " << i;
      ASSERT_EQ(r[i], 0.f) << fx->name() << " " << i;
    }
  });
}

TEST(FxSafety, ANanOrInfInputSampleDoesNotPoisonTheUnit) {
  constexpr size_t block = 64, total = 4 * 48000;
  for (float bad : {NAN, INFINITY, -INFINITY}) {
    fx_test::ForEachFx(kRate, [&](std::unique_ptr<fx_test::AnyFx> fx) {
      ASSERT_TRUE(fx->Prepare(kRate, block)) << fx->name();
      std::vector<float> l = fx_test::Noise(total, 0.5f, 3);
      std::vector<float> r = fx_test::Noise(total, 0.5f, 4);
      const size_t bad_at = 1000;  // inside block 15
      l[bad_at] = bad;
      static_assert(total % block == 0);
      for (size_t i = 0; i < total; i += block) {
        fx->Process(i / block, false, l.data() + i, r.data() + i, block);
      }
      // At most the block holding the bad sample is affected.
      const size_t clean_from = (bad_at / block + 1) * block;
      for (size_t i = 0; i < total; ++i) {
        if (i >= bad_at - bad_at % block && i < clean_from) continue;
        ASSERT_TRUE(std::isfinite(l[i]) && std::isfinite(r[i]))
            << fx->name() << " bad=" << bad << " at " << i;
      }
    });
  }
}

}  // namespace
}  // namespace gb::dsp
