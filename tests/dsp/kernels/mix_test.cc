// Mix kernel: every compiled target equals the scalar twin bit for bit (the
// adds are element-wise), over awkward sizes and unaligned offsets.
#include "dsp/kernels/mix.h"

#include <random>
#include <vector>

#include "dsp/kernels/target_info.h"
#include "gtest/gtest.h"
#include "hwy/tests/hwy_gtest.h"

namespace gb::dsp {
namespace {

class MixKernel : public hwy::TestWithParamTarget {};
HWY_TARGET_INSTANTIATE_TEST_SUITE_P(MixKernel);

TEST_P(MixKernel, AddEqualsScalarTwinExactly) {
  const size_t lanes = KernelFloatLanes();
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1e3f, 1e3f);
  for (size_t count : {size_t{0}, size_t{1}, lanes - 1, lanes, lanes + 1,
                       size_t{63}, size_t{512}}) {
    for (size_t offset = 0; offset < 4; ++offset) {
      std::vector<float> src(count + offset), a(count + offset);
      for (float& x : src) x = u(rng);
      for (float& x : a) x = u(rng);
      std::vector<float> b = a;
      MixAdd(src.data() + offset, a.data() + offset, count);
      MixAddScalar(src.data() + offset, b.data() + offset, count);
      ASSERT_EQ(a, b) << "count " << count << " offset " << offset;
    }
  }
}

}  // namespace
}  // namespace gb::dsp
