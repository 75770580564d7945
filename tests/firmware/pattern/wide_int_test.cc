// The portable 128-bit integer (firmware/pattern/wide_int.h) against the
// compiler's __int128, its oracle, on every operation rational.cc uses. On a
// target without __int128 (armhf) only the fixed cases run; the rational
// suite then exercises the type for real.
#include "firmware/pattern/wide_int.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace gb::fw {
namespace {

using W = WideInt<true>;
using UW = WideInt<false>;

TEST(WideInt, FixedCases) {
  const W max64 = INT64_MAX;
  const W p = max64 * max64;  // (2^63-1)^2 = 2^126 - 2^64 + 1
  EXPECT_EQ(p.hi(), (uint64_t{1} << 62) - 1);
  EXPECT_EQ(p.lo(), 1u);
  EXPECT_EQ(p / max64, max64);
  EXPECT_EQ(p % max64, W(0));
  EXPECT_EQ(W(-7) / W(2), W(-3));  // truncation toward zero
  EXPECT_EQ(W(-7) % W(2), W(-1));  // the remainder takes the dividend's sign
  EXPECT_EQ(W(7) % W(-2), W(1));
  EXPECT_TRUE(W(-1) < W(0));
  EXPECT_FALSE(UW(~uint64_t{0}) < UW(0));
  EXPECT_TRUE((W(1) << 100) > W(INT64_MAX));
  EXPECT_EQ(static_cast<int64_t>((W(1) << 100) >> 98), 4);
  EXPECT_EQ(static_cast<int64_t>(W(-8) >> 1), -4);
  EXPECT_EQ(static_cast<double>(W(1) << 100), 1267650600228229401496703205376.0);
  EXPECT_EQ(static_cast<double>(-(W(1) << 70)), -1180591620717411303424.0);
  EXPECT_EQ(static_cast<int64_t>(W(123456789.9)), 123456789);
  EXPECT_EQ(static_cast<int64_t>(W(-2.5)), -2);
  EXPECT_EQ(W(5) / W(0), W(0));  // defined here, where the built-in type traps
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 I128;
__extension__ typedef unsigned __int128 U128;

W FromBuiltin(I128 v) {
  const auto u = static_cast<U128>(v);
  return W::FromHalves(static_cast<uint64_t>(u >> 64), static_cast<uint64_t>(u));
}
void ExpectSame(W got, I128 want, const char* what, int i) {
  const W w = FromBuiltin(want);
  EXPECT_TRUE(got == w) << what << " case " << i << ": got " << got.hi() << ":" << got.lo() << " want "
                        << w.hi() << ":" << w.lo();
}

// Operands of every size rational.cc meets: small, int64-sized, products of
// two int64s, near the 128-bit limits, and both signs.
std::vector<I128> Operands() {
  std::mt19937_64 rng(20261121);
  std::vector<I128> v = {0, 1, -1, 2, -2, 10, INT64_MAX, INT64_MIN, -static_cast<I128>(INT64_MAX)};
  v.push_back(static_cast<I128>(INT64_MAX) * INT64_MAX);
  v.push_back(-(static_cast<I128>(1) << 126));
  for (int i = 0; i < 400; ++i) {
    const int bits = 1 + static_cast<int>(rng() % 126);
    auto mag = static_cast<I128>((static_cast<U128>(rng()) << 64 | rng()) >> (128 - bits));
    v.push_back((rng() & 1) != 0 ? -mag : mag);
  }
  return v;
}

TEST(WideInt, MatchesBuiltinInt128OnEveryOperation) {
  const std::vector<I128> ops = Operands();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const I128 a = ops[rng() % ops.size()], b = ops[rng() % ops.size()];
    const W wa = FromBuiltin(a), wb = FromBuiltin(b);
    ExpectSame(wa + wb, static_cast<I128>(static_cast<U128>(a) + static_cast<U128>(b)), "+", i);
    ExpectSame(wa - wb, static_cast<I128>(static_cast<U128>(a) - static_cast<U128>(b)), "-", i);
    ExpectSame(wa * wb, static_cast<I128>(static_cast<U128>(a) * static_cast<U128>(b)), "*", i);
    ExpectSame(-wa, static_cast<I128>(-static_cast<U128>(a)), "neg", i);
    EXPECT_EQ(wa < wb, a < b) << i;
    EXPECT_EQ(wa == wb, a == b) << i;
    if (b != 0 && !(a == -(static_cast<I128>(1) << 126) * 2 && b == -1)) {
      ExpectSame(wa / wb, a / b, "/", i);
      ExpectSame(wa % wb, a % b, "%", i);
    }
    const int s = static_cast<int>(rng() % 128);
    ExpectSame(wa << s, static_cast<I128>(static_cast<U128>(a) << s), "<<", i);
    ExpectSame(wa >> s, a >> s, ">>", i);
    const UW ua(wa), ub(wb);
    const auto uua = static_cast<U128>(a), uub = static_cast<U128>(b);
    EXPECT_EQ(ua < ub, uua < uub) << i;
    if (uub != 0) {
      const UW q = ua / ub, r = ua % ub;
      EXPECT_EQ(q.hi(), static_cast<uint64_t>((uua / uub) >> 64)) << i;
      EXPECT_EQ(q.lo(), static_cast<uint64_t>(uua / uub)) << i;
      EXPECT_EQ(r.lo(), static_cast<uint64_t>(uua % uub)) << i;
      EXPECT_EQ(r.hi(), static_cast<uint64_t>((uua % uub) >> 64)) << i;
    }
    const UW us = ua >> s;  // logical shift for the unsigned type
    EXPECT_EQ(us.lo(), static_cast<uint64_t>(uua >> s)) << i;
    EXPECT_EQ(us.hi(), static_cast<uint64_t>((uua >> s) >> 64)) << i;
    EXPECT_EQ(static_cast<double>(wa), static_cast<double>(a)) << i;
  }
}
#endif

}  // namespace
}  // namespace gb::fw
