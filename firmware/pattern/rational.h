// Exact rational time for patterns (cycles). Strudel does all time arithmetic on
// exact fractions and so do we: no floating point ever touches an event time.
// Arithmetic is on int64 numerator/denominator with 128-bit intermediates; a
// result that does not fit int64 after reduction is *detected*: the thread's
// overflow flag is raised (TimeOverflowed()) and a saturated value returned,
// so callers report an error instead of wrapping silently. Allocation-free and
// lock-free: safe on the audio thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "firmware/pattern/wide_int.h"

namespace gb::fw {

// 128-bit intermediates: the compiler's __int128 (a GCC/Clang extension,
// hence __extension__) where it has one, two 64-bit halves where it has not
// (32-bit ARM). GB_PORTABLE_INT128 forces the portable type for tests.
#if defined(__SIZEOF_INT128__) && !defined(GB_PORTABLE_INT128)
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
#else
using Int128 = WideInt<true>;
using UInt128 = WideInt<false>;
#endif

class Rational {
 public:
  constexpr Rational() = default;
  constexpr Rational(int64_t n) : num_(n), den_(1) {}  // NOLINT: implicit by design
  // Reduces; den must be non-zero (a zero denominator raises the overflow flag).
  static Rational Make(int64_t num, int64_t den);

  int64_t num() const { return num_; }
  int64_t den() const { return den_; }

  Rational operator+(const Rational& o) const;
  Rational operator-(const Rational& o) const;
  Rational operator*(const Rational& o) const;
  Rational operator/(const Rational& o) const;
  Rational operator-() const;
  Rational& operator+=(const Rational& o) { return *this = *this + o; }
  Rational& operator-=(const Rational& o) { return *this = *this - o; }

  bool operator==(const Rational& o) const { return num_ == o.num_ && den_ == o.den_; }
  bool operator<(const Rational& o) const {
    return static_cast<Int128>(num_) * o.den_ < static_cast<Int128>(o.num_) * den_;
  }
  bool operator>(const Rational& o) const { return o < *this; }
  bool operator<=(const Rational& o) const { return !(o < *this); }
  bool operator>=(const Rational& o) const { return !(*this < o); }

  // Start of the cycle containing this time (Strudel's sam()).
  Rational Floor() const;
  Rational Ceil() const;
  Rational NextSam() const { return Floor() + Rational(1); }
  Rational CyclePos() const { return *this - Floor(); }
  int64_t FloorInt() const;

  double ToDouble() const { return static_cast<double>(num_) / static_cast<double>(den_); }
  bool IsZero() const { return num_ == 0; }
  bool IsInteger() const { return den_ == 1; }

  // "num/den" exactly as the reference data writes it ("0/1", "-3/8").
  std::string ToString() const;

  // Best rational approximation of a double (continued fractions, as
  // fraction.js does): 1.5 -> 3/2, 0.2 -> 1/5, 1/3.0 -> 1/3. nullopt for
  // NaN/inf or magnitudes that do not fit.
  static std::optional<Rational> FromDouble(double x);
  // Exact decimal literal: "1.5" -> 3/2, "-0.75", "2.5e-1", "1e3".
  static std::optional<Rational> ParseDecimal(std::string_view text);

 private:
  constexpr Rational(int64_t n, int64_t d, int) : num_(n), den_(d) {}
  static Rational FromWide(Int128 n, Int128 d);
  int64_t num_ = 0;
  int64_t den_ = 1;
};

Rational Min(const Rational& a, const Rational& b);
Rational Max(const Rational& a, const Rational& b);

// Per-thread sticky overflow flag (thread_local, no allocation).
bool TimeOverflowed();
void ClearTimeOverflow();
void RaiseTimeOverflow();

}  // namespace gb::fw
