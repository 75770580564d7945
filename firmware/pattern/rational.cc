// Exact rational arithmetic with overflow detection (see rational.h).
#include "firmware/pattern/rational.h"

#include <cmath>
#include <cstdlib>

namespace gb::fw {
namespace {

thread_local bool t_overflow = false;

// Binary GCD: no 128-bit division (which is a slow library call).
uint64_t Gcd64(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  const int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) {
      const uint64_t t = a;
      a = b;
      b = t;
    }
    b -= a;
  } while (b != 0);
  return a << shift;
}

UInt128 Gcd(UInt128 a, UInt128 b) {
  if ((a >> 64) == 0 && (b >> 64) == 0) return Gcd64(static_cast<uint64_t>(a), static_cast<uint64_t>(b));
  while (b != 0) {
    UInt128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

UInt128 Abs(Int128 x) {
  return x < 0 ? static_cast<UInt128>(-x) : static_cast<UInt128>(x);
}

constexpr Int128 kMax = INT64_MAX;

}  // namespace

bool TimeOverflowed() { return t_overflow; }
void ClearTimeOverflow() { t_overflow = false; }
void RaiseTimeOverflow() { t_overflow = true; }

Rational Rational::FromWide(Int128 n, Int128 d) {
  if (d == 0) {
    t_overflow = true;
    return Rational(n < 0 ? -INT64_MAX : INT64_MAX);
  }
  if (d < 0) {
    n = -n;
    d = -d;
  }
  UInt128 g = Gcd(Abs(n), static_cast<UInt128>(d));
  if (g > 1) {
    if (n >= -kMax && n <= kMax && d <= kMax) {
      // 64-bit division is a single instruction; 128-bit is a library call.
      const auto g64 = static_cast<int64_t>(g);
      n = static_cast<int64_t>(n) / g64;
      d = static_cast<int64_t>(d) / g64;
    } else {
      n /= static_cast<Int128>(g);
      d /= static_cast<Int128>(g);
    }
  }
  if (n > kMax || n < -kMax || d > kMax) {
    t_overflow = true;
    // Saturate to the nearest representable magnitude, keeping the sign.
    if (d > kMax) return Rational(0, 1, 0);
    return Rational(n < 0 ? -INT64_MAX : INT64_MAX);
  }
  return Rational(static_cast<int64_t>(n), static_cast<int64_t>(d), 0);
}

Rational Rational::Make(int64_t num, int64_t den) { return FromWide(num, den); }

Rational Rational::operator+(const Rational& o) const {
  if (den_ == 1 && o.den_ == 1) {
    int64_t r;
    if (!__builtin_add_overflow(num_, o.num_, &r) && r != INT64_MIN) return Rational(r, 1, 0);
  }
  if (den_ == o.den_) return FromWide(static_cast<Int128>(num_) + o.num_, den_);
  return FromWide(static_cast<Int128>(num_) * o.den_ + static_cast<Int128>(o.num_) * den_,
                  static_cast<Int128>(den_) * o.den_);
}
Rational Rational::operator-(const Rational& o) const {
  if (den_ == o.den_) return FromWide(static_cast<Int128>(num_) - o.num_, den_);
  return FromWide(static_cast<Int128>(num_) * o.den_ - static_cast<Int128>(o.num_) * den_,
                  static_cast<Int128>(den_) * o.den_);
}
Rational Rational::operator*(const Rational& o) const {
  return FromWide(static_cast<Int128>(num_) * o.num_, static_cast<Int128>(den_) * o.den_);
}
Rational Rational::operator/(const Rational& o) const {
  return FromWide(static_cast<Int128>(num_) * o.den_, static_cast<Int128>(den_) * o.num_);
}
Rational Rational::operator-() const { return Rational(-num_, den_, 0); }

int64_t Rational::FloorInt() const {
  int64_t q = num_ / den_;
  if ((num_ % den_ != 0) && (num_ < 0)) --q;
  return q;
}
Rational Rational::Floor() const { return Rational(FloorInt()); }
Rational Rational::Ceil() const {
  int64_t q = FloorInt();
  return Rational(num_ % den_ == 0 ? q : q + 1);
}

std::string Rational::ToString() const {
  return std::to_string(num_) + "/" + std::to_string(den_);
}

Rational Min(const Rational& a, const Rational& b) { return b < a ? b : a; }
Rational Max(const Rational& a, const Rational& b) { return a < b ? b : a; }

std::optional<Rational> Rational::FromDouble(double x) {
  if (!std::isfinite(x) || std::fabs(x) > 9.0e15) return std::nullopt;
  if (x == std::floor(x)) return Rational(static_cast<int64_t>(x));
  // Continued-fraction expansion until the convergent reproduces x within a
  // relative 1e-15 or the denominator grows past 1e12.
  const bool neg = x < 0;
  double v = std::fabs(x);
  Int128 h0 = 0, h1 = 1, k0 = 1, k1 = 0;
  double r = v;
  for (int i = 0; i < 64; ++i) {
    // A partial quotient this large means x is within 1e-15 of the
    // convergent we have (or is far too small to represent): stop.
    if (!(r < 1e15)) break;
    double a = std::floor(r);
    Int128 ai = static_cast<Int128>(a);
    Int128 h2 = ai * h1 + h0, k2 = ai * k1 + k0;
    if (k2 > 1000000000000LL) break;
    h0 = h1; h1 = h2; k0 = k1; k1 = k2;
    double approx = static_cast<double>(h1) / static_cast<double>(k1);
    if (std::fabs(approx - v) <= 1e-15 * v) break;
    double frac = r - a;
    if (frac <= 0) break;
    r = 1.0 / frac;
  }
  if (k1 == 0) return std::nullopt;
  return FromWide(neg ? -h1 : h1, k1);
}

std::optional<Rational> Rational::ParseDecimal(std::string_view t) {
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
  Int128 mant = 0;
  int scale = 0;
  bool digits = false, dot = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      digits = true;
      if (mant > static_cast<Int128>(1) << 100) return std::nullopt;
      mant = mant * 10 + (c - '0');
      if (dot) --scale;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i++] == '-';
    int e = 0;
    bool edig = false;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      edig = true;
      e = e * 10 + (t[i] - '0');
      if (e > 40) return std::nullopt;
    }
    if (!edig) return std::nullopt;
    scale += eneg ? -e : e;
  }
  if (i != t.size()) return std::nullopt;
  Int128 den = 1;
  while (scale > 0) {
    mant *= 10;
    --scale;
    if (mant > kMax) return std::nullopt;
  }
  while (scale < 0) {
    den *= 10;
    ++scale;
    if (den > (static_cast<Int128>(1) << 120)) return std::nullopt;
  }
  bool before = t_overflow;
  Rational r = FromWide(neg ? -mant : mant, den);
  if (t_overflow && !before) {
    t_overflow = false;
    return std::nullopt;
  }
  return r;
}

}  // namespace gb::fw
