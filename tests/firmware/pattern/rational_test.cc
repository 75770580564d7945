// Exact rational time: arithmetic, ordering, parsing, and overflow that is
// reported instead of wrapping.
#include "firmware/pattern/rational.h"

#include <gtest/gtest.h>

namespace gb::fw {
namespace {

TEST(Rational, ArithmeticIsExactAndReduced) {
  Rational a = Rational::Make(1, 3), b = Rational::Make(1, 6);
  EXPECT_EQ((a + b).ToString(), "1/2");
  EXPECT_EQ((a - b).ToString(), "1/6");
  EXPECT_EQ((a * b).ToString(), "1/18");
  EXPECT_EQ((a / b).ToString(), "2/1");
  EXPECT_EQ(Rational::Make(-6, 8).ToString(), "-3/4");
  EXPECT_EQ(Rational::Make(3, -9).ToString(), "-1/3");
}

TEST(Rational, FloorAndCeilFollowMathNotTruncation) {
  EXPECT_EQ(Rational::Make(-1, 3).Floor().ToString(), "-1/1");
  EXPECT_EQ(Rational::Make(-1, 3).Ceil().ToString(), "0/1");
  EXPECT_EQ(Rational::Make(7, 3).Floor().ToString(), "2/1");
  EXPECT_EQ(Rational(5).Floor().ToString(), "5/1");
  EXPECT_EQ(Rational::Make(5, 2).CyclePos().ToString(), "1/2");
}

TEST(Rational, OrderingIsExactForHugeTerms) {
  Rational a = Rational::Make(INT64_MAX - 1, INT64_MAX);
  Rational b = Rational::Make(INT64_MAX - 2, INT64_MAX - 1);
  EXPECT_TRUE(b < a);
  EXPECT_FALSE(a < b);
}

TEST(Rational, DecimalLiteralsAreExact) {
  EXPECT_EQ(Rational::ParseDecimal("1.5")->ToString(), "3/2");
  EXPECT_EQ(Rational::ParseDecimal("0.2")->ToString(), "1/5");
  EXPECT_EQ(Rational::ParseDecimal("-0.75")->ToString(), "-3/4");
  EXPECT_EQ(Rational::ParseDecimal("2.5e-1")->ToString(), "1/4");
  EXPECT_EQ(Rational::ParseDecimal("1e3")->ToString(), "1000/1");
  EXPECT_FALSE(Rational::ParseDecimal("1.2.3"));
  EXPECT_FALSE(Rational::ParseDecimal("x"));
  EXPECT_FALSE(Rational::ParseDecimal("1e400"));
}

TEST(Rational, DoublesBecomeTheirSimplestFraction) {
  EXPECT_EQ(Rational::FromDouble(1.5)->ToString(), "3/2");
  EXPECT_EQ(Rational::FromDouble(0.2)->ToString(), "1/5");
  EXPECT_EQ(Rational::FromDouble(1.0 / 3.0)->ToString(), "1/3");
  EXPECT_EQ(Rational::FromDouble(0.125)->ToString(), "1/8");
  EXPECT_FALSE(Rational::FromDouble(std::numeric_limits<double>::infinity()));
}

TEST(Rational, OverflowIsDetectedNotWrapped) {
  ClearTimeOverflow();
  Rational big(INT64_MAX / 2);
  Rational r = big * Rational(4);
  EXPECT_TRUE(TimeOverflowed());
  EXPECT_GT(r, Rational(0)) << "saturates with the right sign instead of wrapping negative";
  ClearTimeOverflow();
  Rational ok = Rational::Make(1, 3) + Rational::Make(1, 5);
  EXPECT_FALSE(TimeOverflowed());
  EXPECT_EQ(ok.ToString(), "8/15");
  // Denominators that cannot be represented.
  Rational tiny = Rational::Make(1, INT64_MAX - 1) * Rational::Make(1, INT64_MAX - 3);
  (void)tiny;
  EXPECT_TRUE(TimeOverflowed());
  ClearTimeOverflow();
}

}  // namespace
}  // namespace gb::fw
