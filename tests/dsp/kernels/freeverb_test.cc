// Freeverb kernels: every compiled target against the scalar twin over run
// lengths 0, 1, lanes +- 1, 63, 128 and 245 (the shortest line at 48 kHz)
// and unaligned lines. The allpass is element-wise with a 0.5 feedback (an
// exact product), so it matches bit for bit; the combs match to rounding
// (a target with FMA may contract the low-pass multiply-adds): 1e-6 of the
// signal's scale after a run, which is far below anything audible.
#include "dsp/kernels/freeverb.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "dsp/kernels/target_info.h"
#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"

namespace gb::dsp {
namespace {

class FreeverbKernel : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(FreeverbKernel);

std::vector<size_t> RunLengths() {
  const size_t lanes = KernelFloatLanes();
  return {0, 1, 3, 4, 5, lanes - 1, lanes, lanes + 1, 63, 128, 245};
}

TEST_P(FreeverbKernel, CombsMatchTheScalarTwinToRounding) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.f, 1.f), room(0.7f, 0.98f), damp(0.f, 0.4f);
  for (size_t n : RunLengths()) {
    for (size_t offset = 0; offset < 3; ++offset) {
      // Eight lines, each n frames at its own unaligned offset, plus the
      // per-frame parameters as dsp::Reverb ramps them.
      std::vector<std::vector<float>> a(kFreeverbCombs), b(kFreeverbCombs);
      float* la[kFreeverbCombs];
      float* lb[kFreeverbCombs];
      for (int k = 0; k < kFreeverbCombs; ++k) {
        a[static_cast<size_t>(k)].resize(n + offset + static_cast<size_t>(k));
        for (float& x : a[static_cast<size_t>(k)]) x = u(rng);
        b[static_cast<size_t>(k)] = a[static_cast<size_t>(k)];
        la[k] = a[static_cast<size_t>(k)].data() + offset + static_cast<size_t>(k);
        lb[k] = b[static_cast<size_t>(k)].data() + offset + static_cast<size_t>(k);
      }
      std::vector<float> input(n), lowpass_in(n), dm(n), fb(n), acc_a(n, 9.f), acc_b(n, -9.f);
      const float fb0 = room(rng), d0 = damp(rng);
      for (size_t i = 0; i < n; ++i) {
        input[i] = 0.015f * u(rng);
        dm[i] = d0 + 1e-4f * static_cast<float>(i);
        lowpass_in[i] = 1.f - dm[i];
        fb[i] = fb0 - 1e-4f * static_cast<float>(i);
      }
      float lp_a[kFreeverbCombs], lp_b[kFreeverbCombs];
      for (int k = 0; k < kFreeverbCombs; ++k) lp_a[k] = lp_b[k] = 0.5f * u(rng);
      // A value near the flush threshold must flush the same way (or differ
      // by less than it).
      if (n > 2) input[2] = 1e-16f;
      FreeverbCombs(la, lp_a, input.data(), lowpass_in.data(), dm.data(), fb.data(), acc_a.data(), n);
      FreeverbCombsScalar(lb, lp_b, input.data(), lowpass_in.data(), dm.data(), fb.data(), acc_b.data(), n);
      for (size_t i = 0; i < n; ++i) {
        // acc sums the lines' old contents in the same order: exact.
        ASSERT_EQ(acc_a[i], acc_b[i]) << "n " << n << " frame " << i;
        for (int k = 0; k < kFreeverbCombs; ++k)
          ASSERT_NEAR(la[k][i], lb[k][i], 1e-6f) << "n " << n << " comb " << k << " frame " << i;
      }
      for (int k = 0; k < kFreeverbCombs; ++k) {
        ASSERT_NEAR(lp_a[k], lp_b[k], 1e-6f) << "n " << n << " comb " << k;
        // Nothing outside the run is touched.
        for (size_t i = 0; i < offset + static_cast<size_t>(k); ++i)
          ASSERT_EQ(a[static_cast<size_t>(k)][i], b[static_cast<size_t>(k)][i]);
      }
    }
  }
}

TEST_P(FreeverbKernel, AllpassEqualsTheScalarTwinExactly) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (size_t n : RunLengths()) {
    for (size_t offset = 0; offset < 4; ++offset) {
      std::vector<float> line(n + offset), acc(n + offset);
      for (float& x : line) x = u(rng);
      for (float& x : acc) x = u(rng);
      if (n > 1) line[offset + 1] = 2e-15f, acc[offset + 1] = -1e-15f;  // flushes to 0
      std::vector<float> line_b = line, acc_b = acc;
      FreeverbAllpass(line.data() + offset, acc.data() + offset, n);
      FreeverbAllpassScalar(line_b.data() + offset, acc_b.data() + offset, n);
      ASSERT_EQ(line, line_b) << "n " << n << " offset " << offset;
      ASSERT_EQ(acc, acc_b) << "n " << n << " offset " << offset;
    }
  }
}

}  // namespace
}  // namespace gb::dsp
