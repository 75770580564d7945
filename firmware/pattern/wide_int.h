// 128-bit integers for targets whose compiler has no __int128 (32-bit ARM:
// armhf). Rational time needs int64 x int64 products and their sums exactly;
// on 64-bit targets the compiler's __int128 does it, here two uint64 halves do.
//
// Written by hand rather than taken from a library: Boost.Multiprecision would
// do, but it is a large dependency for one 32-bit target, and this is the small
// subset rational.cc uses (two's-complement +, -, *, /, %, shifts, compares).
// tests/firmware/pattern/wide_int_test.cc checks every operation against the
// compiler's __int128 on the hosts that have it (the oracle), so the same
// code is proven before it runs on armhf.
//
// Division is restoring shift-subtract (128 steps): slow, but rational.cc
// reduces through a 64-bit fast path first and only falls back to 128-bit
// division for values that already overflow int64.
#pragma once

#include <concepts>
#include <cstdint>

namespace gb::fw {

template <bool kSigned>
class WideInt {
 public:
  constexpr WideInt() = default;
  template <std::integral T>
  constexpr WideInt(T v)  // NOLINT: implicit, like the built-in type
      : hi_(std::is_signed_v<T> && v < 0 ? ~uint64_t{0} : 0), lo_(static_cast<uint64_t>(v)) {}
  template <bool kOther>
  constexpr explicit WideInt(WideInt<kOther> o) : hi_(o.hi()), lo_(o.lo()) {}
  // Truncates toward zero, like a cast of a double to an integer type.
  constexpr explicit WideInt(double d) {
    const bool neg = d < 0;
    const double m = neg ? -d : d;
    constexpr double kTwo64 = 18446744073709551616.0;
    hi_ = static_cast<uint64_t>(m / kTwo64);
    lo_ = static_cast<uint64_t>(m - static_cast<double>(hi_) * kTwo64);
    if (neg) *this = -*this;
  }
  static constexpr WideInt FromHalves(uint64_t hi, uint64_t lo) {
    WideInt r;
    r.hi_ = hi;
    r.lo_ = lo;
    return r;
  }

  constexpr uint64_t hi() const { return hi_; }
  constexpr uint64_t lo() const { return lo_; }

  constexpr explicit operator int64_t() const { return static_cast<int64_t>(lo_); }
  constexpr explicit operator uint64_t() const { return lo_; }
  constexpr explicit operator int() const { return static_cast<int>(lo_); }
  // Correctly rounded, as the built-in conversion: the top 64 bits with a
  // sticky bit for everything below them round once, then scale exactly.
  constexpr explicit operator double() const {
    if (Negative()) return -static_cast<double>(WideInt<false>(-*this));
    if (hi_ == 0) return static_cast<double>(lo_);
    const int shift = 64 - __builtin_clzll(hi_);
    const uint64_t top = shift == 64 ? hi_ : (hi_ << (64 - shift)) | (lo_ >> shift);
    const uint64_t sticky = (shift == 64 ? lo_ : lo_ << (64 - shift)) != 0 ? 1 : 0;
    double scale = 1.0;
    for (int i = 0; i < shift; ++i) scale *= 2.0;
    return static_cast<double>(top | sticky) * scale;
  }
  constexpr explicit operator bool() const { return (hi_ | lo_) != 0; }

  constexpr WideInt operator-() const { return FromHalves(~hi_ + (lo_ == 0 ? 1 : 0), ~lo_ + 1); }
  constexpr WideInt operator~() const { return FromHalves(~hi_, ~lo_); }

  friend constexpr WideInt operator+(WideInt a, WideInt b) {
    const uint64_t lo = a.lo_ + b.lo_;
    return FromHalves(a.hi_ + b.hi_ + (lo < a.lo_ ? 1 : 0), lo);
  }
  friend constexpr WideInt operator-(WideInt a, WideInt b) {
    return FromHalves(a.hi_ - b.hi_ - (a.lo_ < b.lo_ ? 1 : 0), a.lo_ - b.lo_);
  }
  // The low 128 bits of the product: the same for signed and unsigned.
  friend constexpr WideInt operator*(WideInt a, WideInt b) {
    WideInt r = Mul64(a.lo_, b.lo_);
    r.hi_ += a.hi_ * b.lo_ + a.lo_ * b.hi_;
    return r;
  }
  friend constexpr WideInt operator/(WideInt a, WideInt b) { return DivMod(a, b, nullptr); }
  friend constexpr WideInt operator%(WideInt a, WideInt b) {
    WideInt rem;
    DivMod(a, b, &rem);
    return rem;
  }
  friend constexpr WideInt operator&(WideInt a, WideInt b) { return FromHalves(a.hi_ & b.hi_, a.lo_ & b.lo_); }
  friend constexpr WideInt operator|(WideInt a, WideInt b) { return FromHalves(a.hi_ | b.hi_, a.lo_ | b.lo_); }

  friend constexpr WideInt operator<<(WideInt a, int n) {
    if (n <= 0) return a;
    if (n >= 128) return WideInt();
    if (n >= 64) return FromHalves(a.lo_ << (n - 64), 0);
    return FromHalves((a.hi_ << n) | (a.lo_ >> (64 - n)), a.lo_ << n);
  }
  // Arithmetic for signed (the sign bit fills), logical for unsigned.
  friend constexpr WideInt operator>>(WideInt a, int n) {
    if (n <= 0) return a;
    const uint64_t fill = a.Negative() ? ~uint64_t{0} : 0;
    if (n >= 128) return FromHalves(fill, fill);
    if (n >= 64) {
      const uint64_t lo = n == 64 ? a.hi_ : (a.hi_ >> (n - 64)) | (fill << (128 - n));
      return FromHalves(fill, lo);
    }
    return FromHalves((a.hi_ >> n) | (fill << (64 - n)), (a.lo_ >> n) | (a.hi_ << (64 - n)));
  }

  WideInt& operator+=(WideInt o) { return *this = *this + o; }
  WideInt& operator-=(WideInt o) { return *this = *this - o; }
  WideInt& operator*=(WideInt o) { return *this = *this * o; }
  WideInt& operator/=(WideInt o) { return *this = *this / o; }
  WideInt& operator%=(WideInt o) { return *this = *this % o; }
  WideInt& operator<<=(int n) { return *this = *this << n; }
  WideInt& operator>>=(int n) { return *this = *this >> n; }

  friend constexpr bool operator==(WideInt a, WideInt b) { return a.hi_ == b.hi_ && a.lo_ == b.lo_; }
  friend constexpr bool operator<(WideInt a, WideInt b) {
    if (a.hi_ != b.hi_) {
      if constexpr (kSigned) return static_cast<int64_t>(a.hi_) < static_cast<int64_t>(b.hi_);
      return a.hi_ < b.hi_;
    }
    return a.lo_ < b.lo_;
  }
  friend constexpr bool operator>(WideInt a, WideInt b) { return b < a; }
  friend constexpr bool operator<=(WideInt a, WideInt b) { return !(b < a); }
  friend constexpr bool operator>=(WideInt a, WideInt b) { return !(a < b); }

 private:
  constexpr bool Negative() const { return kSigned && (hi_ >> 63) != 0; }

  // Full 64 x 64 -> 128 product from 32-bit halves.
  static constexpr WideInt Mul64(uint64_t a, uint64_t b) {
    const uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    const uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    return FromHalves(p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (mid << 32) | (p00 & 0xFFFFFFFFu));
  }

  // Truncating division (C semantics: the remainder takes the dividend's
  // sign). Division by zero returns 0, where the built-in type would trap;
  // rational.cc never divides by zero.
  static constexpr WideInt DivMod(WideInt a, WideInt b, WideInt* rem) {
    const bool neg_a = a.Negative(), neg_b = b.Negative();
    using U = WideInt<false>;
    U n(neg_a ? -a : a), d(neg_b ? -b : b);
    U q, r;
    if (n.hi() == 0 && d.hi() == 0) {
      // Both fit 64 bits (the common case once a fraction is reduced): one
      // native division instead of 128 shift-subtract steps.
      if (d.lo() != 0) {
        q = U(n.lo() / d.lo());
        r = U(n.lo() % d.lo());
      }
    } else if (d != U(0)) {
      for (int i = 127; i >= 0; --i) {
        r = (r << 1) | ((n >> i) & U(1));
        if (r >= d) {
          r = r - d;
          q = q | (U(1) << i);
        }
      }
    }
    WideInt quot(q), remainder(r);
    if (neg_a != neg_b) quot = -quot;
    if (neg_a) remainder = -remainder;
    if (rem != nullptr) *rem = remainder;
    return quot;
  }

  uint64_t hi_ = 0;
  uint64_t lo_ = 0;
};

}  // namespace gb::fw
