// Pattern nodes: Strudel's query semantics, node for node (see pattern.h).
// Every Query() here allocates only from ctx.arena (through HapList and the
// Map/List helpers) and stops early once ctx.failed().
#include "firmware/pattern/pattern.h"

#include "firmware/pattern/notes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace gb::fw {
namespace {

constexpr const char* kErrTooMany = "too many events in one query (limit reached)";
constexpr const char* kErrTooComplex = "pattern too complex: the query did too much work (limit reached)";
constexpr const char* kErrArena = "query arena exhausted";
constexpr const char* kErrOverflow = "time arithmetic overflowed";

// Strudel's TimeSpan.intersection, including its zero-width rules.
bool Intersect(const Span& a, const Span& b, Span* out) {
  Rational ib = Max(a.begin, b.begin), ie = Min(a.end, b.end);
  if (ib > ie) return false;
  if (ib == ie) {
    if (ib == a.end && a.begin < a.end) return false;
    if (ib == b.end && b.begin < b.end) return false;
  }
  *out = Span{ib, ie};
  return true;
}

// Strudel's spanCycles: the span cut at cycle boundaries (a zero-width span
// stays itself). Stops early when the query has failed.
template <typename F>
void ForEachCycle(QueryContext& ctx, const Span& span, F&& f) {
  if (ctx.work_budget == 0) {
    ctx.Fail(kErrTooComplex);
    return;
  }
  --ctx.work_budget;
  if (span.begin == span.end) {
    f(span);
    return;
  }
  Rational begin = span.begin;
  const Rational end_sam = span.end.Floor();
  while (span.end > begin) {
    if (ctx.failed()) return;
    if (ctx.hap_budget == 0) {
      ctx.Fail(kErrTooMany);
      return;
    }
    if (ctx.work_budget == 0) {
      ctx.Fail(kErrTooComplex);
      return;
    }
    --ctx.work_budget;
    if (begin.Floor() == end_sam) {
      f(Span{begin, span.end});
      break;
    }
    Rational next = begin.NextSam();
    f(Span{begin, next});
    begin = next;
    if (TimeOverflowed()) {
      ctx.Fail(kErrOverflow);
      return;
    }
  }
}

Span Shift(const Span& s, const Rational& d) { return Span{s.begin + d, s.end + d}; }

void ShiftHaps(HapList& out, uint32_t from, const Rational& d) {
  for (uint32_t i = from; i < out.size(); ++i) {
    out[i].part = Shift(out[i].part, d);
    if (out[i].has_whole) out[i].whole = Shift(out[i].whole, d);
  }
}

bool ToRational(const Value& v, Rational* out) {
  if (!v.is_number()) return false;
  auto r = Rational::FromDouble(v.num);
  if (!r) return false;
  *out = *r;
  return true;
}

bool ToInt(const Value& v, int64_t* out) {
  if (!v.is_number() || !std::isfinite(v.num) || std::fabs(v.num) > 1e15) return false;
  *out = static_cast<int64_t>(std::floor(v.num));
  return true;
}

int64_t Mod(int64_t a, int64_t n) {
  int64_t m = a % n;
  return m < 0 ? m + n : m;
}

// Strudel's patternify: structure from the first argument, the others sampled
// with appLeft, then an innerJoin that queries the body over each part.
// Constant (pure) arguments skip the join and pass the whole span through.
template <size_t I, size_t N, typename Body>
void ArgStep(QueryContext& ctx, const PatternRef* args, Value* vals, const Span& query,
             const Span& part, Body& body) {
  if constexpr (I == N) {
    body(part, static_cast<const Value*>(vals));
  } else {
    if (ctx.failed()) return;
    if (!args[I]) {
      vals[I] = Value{};
      ArgStep<I + 1, N>(ctx, args, vals, query, part, body);
      return;
    }
    HapList haps(ctx);
    args[I]->Query(ctx, query, haps);
    for (const Hap& h : haps) {
      Span p;
      if constexpr (I == 0) {
        p = h.part;
        vals[I] = h.value;
        ArgStep<I + 1, N>(ctx, args, vals, h.WholeOrPart(), p, body);
      } else {
        if (!Intersect(part, h.part, &p)) continue;
        vals[I] = h.value;
        ArgStep<I + 1, N>(ctx, args, vals, query, p, body);
      }
    }
  }
}

template <size_t N, typename Body>
void WithArgs(QueryContext& ctx, const Span& span, const PatternRef* args, Body&& body) {
  Value vals[N];
  bool all_const = true;
  for (size_t i = 0; i < N; ++i) {
    if (!args[i]) continue;
    if (const Value* c = args[i]->ConstValue()) {
      vals[i] = *c;
    } else {
      all_const = false;
    }
  }
  if (all_const) {
    body(span, static_cast<const Value*>(vals));
    return;
  }
  ArgStep<0, N>(ctx, args, vals, span, span, body);
}

// --------------------------------------------------------------------------
class SilenceNode final : public Pattern {
 public:
  void Query(QueryContext&, const Span&, HapList&) const override {}
};

class PureNode final : public Pattern {
 public:
  PureNode(Value v, ValueStoreRef store) : v_(v), store_(std::move(store)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    ForEachCycle(ctx, span, [&](const Span& piece) {
      Rational sam = piece.begin.Floor();
      out.Push(Hap{Span{sam, sam + 1}, piece, v_, true});
    });
  }
  const Value* ConstValue() const override { return &v_; }

 private:
  Value v_;
  ValueStoreRef store_;
};

class SignalNode final : public Pattern {
 public:
  explicit SignalNode(SignalKind k) : kind_(k) {}
  void Query(QueryContext&, const Span& span, HapList& out) const override {
    double t = span.begin.ToDouble();
    double v = 0;
    switch (kind_) {
      case SignalKind::kRand: v = TimeToRand(t); break;
      case SignalKind::kSaw: v = t - std::floor(t); break;
      case SignalKind::kIsaw: v = 1.0 - (t - std::floor(t)); break;
      case SignalKind::kSine: v = (std::sin(2 * M_PI * t) + 1) / 2; break;
      case SignalKind::kCosine: v = (std::sin(2 * M_PI * (t + 0.25)) + 1) / 2; break;
      case SignalKind::kTri: {
        double f = t - std::floor(t);
        v = f < 0.5 ? 2 * f : 2 - 2 * f;
        break;
      }
      case SignalKind::kSquare: v = std::floor(std::fmod(t * 2, 2.0)); break;
    }
    Hap h;
    h.has_whole = false;
    h.part = span;
    h.whole = span;
    h.value = Value::Number(v);
    out.Push(h);
  }

 private:
  SignalKind kind_;
};

class StackNode final : public Pattern {
 public:
  explicit StackNode(std::vector<PatternRef> p) : pats_(std::move(p)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    for (const auto& p : pats_) {
      if (ctx.failed()) return;
      p->Query(ctx, span, out);
    }
  }

 private:
  std::vector<PatternRef> pats_;
};

class SlowcatNode final : public Pattern {
 public:
  SlowcatNode(std::vector<PatternRef> p, bool prime) : pats_(std::move(p)), prime_(prime) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    const int64_t n = static_cast<int64_t>(pats_.size());
    ForEachCycle(ctx, span, [&](const Span& piece) {
      int64_t cyc = piece.begin.FloorInt();
      const Pattern& pat = *pats_[static_cast<size_t>(Mod(cyc, n))];
      if (prime_) {
        pat.Query(ctx, piece, out);
        return;
      }
      // Cycles of a constituent are not skipped: the 4th cycle of a 3-way
      // slowcat plays the 2nd cycle of the first pattern.
      Rational offset = Rational(cyc) - (piece.begin / Rational(n)).Floor();
      uint32_t from = out.size();
      pat.Query(ctx, Shift(piece, -offset), out);
      ShiftHaps(out, from, offset);
    });
  }

 private:
  std::vector<PatternRef> pats_;
  bool prime_;
};

void QueryFast(QueryContext& ctx, const Pattern& pat, const Span& span, const Rational& f,
               HapList& out) {
  if (f.IsZero() || f < Rational(0)) return;  // fast 0 is silence; negative has no events
  uint32_t from = out.size();
  pat.Query(ctx, Span{span.begin * f, span.end * f}, out);
  for (uint32_t i = from; i < out.size(); ++i) {
    Hap& h = out[i];
    h.part = Span{h.part.begin / f, h.part.end / f};
    if (h.has_whole) h.whole = Span{h.whole.begin / f, h.whole.end / f};
  }
}

class FastNode final : public Pattern {
 public:
  FastNode(PatternRef pat, PatternRef factor, bool slow)
      : pat_(std::move(pat)), args_{std::move(factor)}, slow_(slow) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      Rational f;
      if (!ToRational(v[0], &f)) return;
      if (slow_) {
        if (f.IsZero()) return;
        f = Rational(1) / f;
      }
      QueryFast(ctx, *pat_, s, f, out);
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
  bool slow_;
};

class FastConstNode final : public Pattern {
 public:
  FastConstNode(PatternRef pat, Rational f) : pat_(std::move(pat)), f_(f) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    QueryFast(ctx, *pat_, span, f_, out);
  }

 private:
  PatternRef pat_;
  Rational f_;
};

void QueryEarly(QueryContext& ctx, const Pattern& pat, const Span& span, const Rational& t,
                HapList& out) {
  uint32_t from = out.size();
  pat.Query(ctx, Shift(span, t), out);
  ShiftHaps(out, from, -t);
}

class EarlyNode final : public Pattern {
 public:
  EarlyNode(PatternRef pat, PatternRef t, bool late)
      : pat_(std::move(pat)), args_{std::move(t)}, late_(late) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      Rational t;
      if (!ToRational(v[0], &t)) return;
      QueryEarly(ctx, *pat_, s, late_ ? -t : t, out);
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
  bool late_;
};

class EarlyConstNode final : public Pattern {
 public:
  EarlyConstNode(PatternRef pat, Rational t) : pat_(std::move(pat)), t_(t) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    QueryEarly(ctx, *pat_, span, t_, out);
  }

 private:
  PatternRef pat_;
  Rational t_;
};

// Strudel's _fastGap: speeds up by `factor` but keeps each cycle's events
// inside the first 1/factor of that cycle, clipping parts at its end.
class FastGapNode final : public Pattern {
 public:
  FastGapNode(PatternRef pat, Rational f) : pat_(std::move(pat)), f_(f) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    const Rational one(1);
    ForEachCycle(ctx, span, [&](const Span& piece) {
      Rational cycle = piece.begin.Floor();
      Rational bpos = Min((piece.begin - cycle) * f_, one);
      Rational epos = Min((piece.end - cycle) * f_, one);
      if (bpos >= one) return;
      uint32_t from = out.size();
      pat_->Query(ctx, Span{cycle + bpos, cycle + epos}, out);
      for (uint32_t i = from; i < out.size(); ++i) {
        Hap& h = out[i];
        Rational b = h.part.begin, e = h.part.end;
        Rational c = b.Floor();
        Rational nb = c + Min((b - c) / f_, one);
        Rational ne = c + Min((e - c) / f_, one);
        if (h.has_whole) {
          h.whole = Span{nb - (b - h.whole.begin) / f_, ne + (h.whole.end - e) / f_};
        }
        h.part = Span{nb, ne};
      }
    });
  }

 private:
  PatternRef pat_;
  Rational f_;
};

class RevNode final : public Pattern {
 public:
  explicit RevNode(PatternRef pat) : pat_(std::move(pat)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    ForEachCycle(ctx, span, [&](const Span& piece) {
      Rational cycle = piece.begin.Floor();
      Rational next = piece.begin.NextSam();
      auto reflect = [&](const Span& s) { return Span{cycle + (next - s.end), cycle + (next - s.begin)}; };
      uint32_t from = out.size();
      pat_->Query(ctx, reflect(piece), out);
      for (uint32_t i = from; i < out.size(); ++i) {
        out[i].part = reflect(out[i].part);
        if (out[i].has_whole) out[i].whole = reflect(out[i].whole);
      }
    });
  }

 private:
  PatternRef pat_;
};

class RepeatCyclesNode final : public Pattern {
 public:
  RepeatCyclesNode(PatternRef pat, int64_t n) : pat_(std::move(pat)), n_(n) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    ForEachCycle(ctx, span, [&](const Span& piece) {
      Rational cycle = piece.begin.Floor();
      Rational source = (cycle / Rational(n_)).Floor();
      Rational delta = cycle - source;
      uint32_t from = out.size();
      pat_->Query(ctx, Shift(piece, -delta), out);
      ShiftHaps(out, from, delta);
    });
  }

 private:
  PatternRef pat_;
  int64_t n_;
};

// Structure from `whole`/`part` (a boolean step), values from `pat` sampled
// over the step: Strudel's struct / keepif.out (appRight).
void StructStep(QueryContext& ctx, const Pattern& pat, const Span& whole, const Span& part,
                HapList& out) {
  HapList vals(ctx);
  pat.Query(ctx, whole, vals);
  for (const Hap& v : vals) {
    Span p;
    if (!Intersect(v.part, part, &p)) continue;
    out.Push(Hap{whole, p, v.value, true});
  }
}

// Calls f(whole, part) for each step of `n` equal steps per cycle meeting span.
template <typename F>
void ForEachStep(QueryContext& ctx, const Span& span, int64_t n, F&& f) {
  const Rational rn(n);
  ForEachCycle(ctx, Span{span.begin * rn, span.end * rn}, [&](const Span& piece) {
    Rational k = piece.begin.Floor();
    Span whole{k / rn, (k + 1) / rn};
    Span part{piece.begin / rn, piece.end / rn};
    f(k.num(), whole, part);
  });
}

class EuclidNode final : public Pattern {
 public:
  EuclidNode(PatternRef pat, PatternRef k, PatternRef n, PatternRef r)
      : pat_(std::move(pat)), args_{std::move(k), std::move(n), std::move(r)} {
    // Constant pulses and steps (the usual `bd(3,8)`): the rhythm is computed
    // once here, not on every block's query (Bjorklund is O(n^2/k)).
    const Value* kv = args_[0]->ConstValue();
    const Value* nv = args_[1]->ConstValue();
    int64_t pulses, steps;
    if (kv && nv && ToInt(*kv, &pulses) && ToInt(*nv, &steps) && steps > 0 && steps <= 4096 &&
        (pulses < 0 ? -pulses : pulses) <= steps) {
      bool bits[4096];
      if (BjorklundInto(pulses, steps, bits)) {
        cached_k_ = pulses;
        cached_n_ = steps;
        cached_bits_.assign(bits, bits + steps);
      }
    }
  }
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<3>(ctx, span, args_, [&](const Span& s, const Value* v) {
      int64_t k, n, r = 0;
      if (!ToInt(v[0], &k) || !ToInt(v[1], &n)) return;
      if (v[2].is_number() && !ToInt(v[2], &r)) return;
      if (n <= 0 || n > 4096 || (k < 0 ? -k : k) > n) return;
      bool computed[4096];
      const bool* bits;
      if (k == cached_k_ && n == cached_n_) {
        bits = reinterpret_cast<const bool*>(cached_bits_.data());
      } else {
        // Patterned arguments: computed per query, and charged to the work
        // budget by its cost so a huge step count cannot blow the deadline.
        const uint64_t cost = static_cast<uint64_t>(n) * static_cast<uint64_t>(n / std::max<int64_t>(k < 0 ? -k : k, 1) + 1) / 16 + 1;
        if (cost > ctx.work_budget) {
          ctx.Fail("pattern too complex: the query did too much work (limit reached)");
          return;
        }
        ctx.work_budget -= static_cast<uint32_t>(cost);
        if (!BjorklundInto(k, n, computed)) return;
        bits = computed;
      }
      // Strudel rotates with JavaScript's slice(-r) semantics: |r| >= n is a no-op.
      int64_t m = -r;
      int64_t start = m < 0 ? std::max<int64_t>(n + m, 0) : std::min<int64_t>(m, n);
      ForEachStep(ctx, s, n, [&](int64_t step, const Span& whole, const Span& part) {
        if (bits[Mod(step + start, n)]) StructStep(ctx, *pat_, whole, part, out);
      });
    });
  }
  static bool BjorklundInto(int64_t k, int64_t n, bool* bits);

 private:
  PatternRef pat_;
  PatternRef args_[3];
  int64_t cached_k_ = 0, cached_n_ = -1;
  std::vector<uint8_t> cached_bits_;  // one byte per step, read as bool
};

// Strudel's bjork(): the Bjorklund recursion on groups, flattened. Works on
// fixed arrays so it can run during a query.
bool EuclidNode::BjorklundInto(int64_t k, int64_t n, bool* bits) {
  const bool inverted = k < 0;
  int64_t ons = inverted ? -k : k;
  int64_t offs = n - ons;
  if (offs < 0) return false;
  // Groups as (start, length) into a scratch sequence; we represent each group
  // by its bit string in a small buffer. n <= 4096.
  static_assert(sizeof(bool) == 1);
  struct Group {
    uint16_t len;
    bool b[1];  // variable-length tail lives in `pool`
  };
  // Simple representation: each group is a vector of bits in a flat pool.
  bool pool_a[4096 * 2], pool_b[4096 * 2];
  int16_t xs_len[4096], ys_len[4096];
  int32_t xs_off[4096], ys_off[4096];
  int64_t nx = ons, ny = offs;
  bool* pa = pool_a;
  for (int64_t i = 0; i < nx; ++i) { xs_off[i] = static_cast<int32_t>(i); xs_len[i] = 1; pa[i] = true; }
  for (int64_t i = 0; i < ny; ++i) { ys_off[i] = static_cast<int32_t>(nx + i); ys_len[i] = 1; pa[nx + i] = false; }
  bool* cur = pool_a;
  bool* nxt = pool_b;
  int64_t a_ons = ons, a_offs = offs;
  while (std::min(a_ons, a_offs) > 1) {
    int32_t w = 0;
    int16_t nxs_len[4096], nys_len[4096];
    int32_t nxs_off[4096], nys_off[4096];
    int64_t nnx = 0, nny = 0;
    auto copy = [&](int32_t off, int16_t len) {
      std::memcpy(nxt + w, cur + off, static_cast<size_t>(len));
      w += len;
    };
    if (a_ons > a_offs) {
      // left: first `offs` xs get a y appended; the rest of xs become ys.
      for (int64_t i = 0; i < a_offs; ++i) {
        nxs_off[nnx] = w;
        copy(xs_off[i], xs_len[i]);
        copy(ys_off[i], ys_len[i]);
        nxs_len[nnx++] = static_cast<int16_t>(xs_len[i] + ys_len[i]);
      }
      for (int64_t i = a_offs; i < nx; ++i) {
        nys_off[nny] = w;
        copy(xs_off[i], xs_len[i]);
        nys_len[nny++] = xs_len[i];
      }
      int64_t t = a_ons;
      a_ons = a_offs;
      a_offs = t - a_offs;
    } else {
      // right: each x gets one of the first `ons` ys; the remaining ys stay.
      for (int64_t i = 0; i < nx; ++i) {
        nxs_off[nnx] = w;
        copy(xs_off[i], xs_len[i]);
        copy(ys_off[i], ys_len[i]);
        nxs_len[nnx++] = static_cast<int16_t>(xs_len[i] + ys_len[i]);
      }
      for (int64_t i = a_ons; i < ny; ++i) {
        nys_off[nny] = w;
        copy(ys_off[i], ys_len[i]);
        nys_len[nny++] = ys_len[i];
      }
      a_offs = a_offs - a_ons;
    }
    nx = nnx;
    ny = nny;
    std::memcpy(xs_off, nxs_off, sizeof(int32_t) * static_cast<size_t>(nx));
    std::memcpy(xs_len, nxs_len, sizeof(int16_t) * static_cast<size_t>(nx));
    std::memcpy(ys_off, nys_off, sizeof(int32_t) * static_cast<size_t>(ny));
    std::memcpy(ys_len, nys_len, sizeof(int16_t) * static_cast<size_t>(ny));
    std::swap(cur, nxt);
  }
  int64_t w = 0;
  for (int64_t i = 0; i < nx; ++i)
    for (int16_t j = 0; j < xs_len[i]; ++j) bits[w++] = cur[xs_off[i] + j];
  for (int64_t i = 0; i < ny; ++i)
    for (int16_t j = 0; j < ys_len[i]; ++j) bits[w++] = cur[ys_off[i] + j];
  if (inverted)
    for (int64_t i = 0; i < n; ++i) bits[i] = !bits[i];
  return w == n;
}

class SegmentNode final : public Pattern {
 public:
  SegmentNode(PatternRef pat, PatternRef n) : pat_(std::move(pat)), args_{std::move(n)} {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      Rational n;
      if (!ToRational(v[0], &n) || !(n > Rational(0))) return;
      // pure(true).fast(n): steps of 1/n.
      ForEachCycle(ctx, Span{s.begin * n, s.end * n}, [&](const Span& piece) {
        Rational k = piece.begin.Floor();
        StructStep(ctx, *pat_, Span{k / n, (k + 1) / n}, Span{piece.begin / n, piece.end / n}, out);
      });
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
};

class StructNode final : public Pattern {
 public:
  StructNode(PatternRef pat, PatternRef bools) : pat_(std::move(pat)), bools_(std::move(bools)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    HapList bs(ctx);
    bools_->Query(ctx, span, bs);
    for (const Hap& b : bs) {
      if (!b.value.Truthy()) continue;
      if (b.has_whole) {
        StructStep(ctx, *pat_, b.whole, b.part, out);
      } else {
        HapList vals(ctx);
        pat_->Query(ctx, b.part, vals);
        for (Hap h : vals) {
          Span p;
          if (!Intersect(h.part, b.part, &p)) continue;
          h.part = p;
          h.has_whole = false;
          out.Push(h);
        }
      }
    }
  }

 private:
  PatternRef pat_, bools_;
};

// Squeezes an inner pattern into an outer hap (Strudel's squeezeJoin with
// _focusSpan): inner time s maps to outer time (s - sam(b)) * d + b.
struct Focus {
  Rational b, d, sam;
  explicit Focus(const Span& w) : b(w.begin), d(w.end - w.begin), sam(w.begin.Floor()) {}
  Rational In(const Rational& t) const { return (t - b) / d + sam; }
  Rational Out(const Rational& s) const { return (s - sam) * d + b; }
  Span In(const Span& s) const { return Span{In(s.begin), In(s.end)}; }
  Span Out(const Span& s) const { return Span{Out(s.begin), Out(s.end)}; }
};

// Pushes the munged inner hap (squeezeJoin's intersection with the outer).
void PushSqueezed(const Hap& outer, const Focus& f, const Span& inner_whole, bool inner_has_whole,
                  const Span& inner_part, const Value& v, HapList& out) {
  Hap h;
  h.value = v;
  h.has_whole = inner_has_whole && outer.has_whole;
  if (h.has_whole) {
    if (!Intersect(f.Out(inner_whole), outer.whole, &h.whole)) return;
  }
  if (!Intersect(f.Out(inner_part), outer.part, &h.part)) return;
  out.Push(h);
}

class PlyNode final : public Pattern {
 public:
  PlyNode(PatternRef pat, PatternRef n) : pat_(std::move(pat)), args_{std::move(n)} {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      Rational n;
      if (!ToRational(v[0], &n) || !(n > Rational(0))) return;
      HapList outer(ctx);
      pat_->Query(ctx, s, outer);
      for (const Hap& o : outer) {
        if (!o.has_whole) continue;
        Focus f(o.whole);
        Span in = f.In(o.part);
        // pure(v).fast(n) over `in`.
        ForEachCycle(ctx, Span{in.begin * n, in.end * n}, [&](const Span& piece) {
          Rational k = piece.begin.Floor();
          PushSqueezed(o, f, Span{k / n, (k + 1) / n}, true, Span{piece.begin / n, piece.end / n},
                       o.value, out);
        });
      }
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
};

class RangeSeqNode final : public Pattern {
 public:
  RangeSeqNode(PatternRef a, PatternRef b) : a_(std::move(a)), b_(std::move(b)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    HapList outer(ctx);
    a_->Query(ctx, span, outer);
    for (const Hap& o : outer) {
      if (!o.has_whole || !o.value.is_number()) continue;
      const double a = o.value.num;
      Focus f(o.whole);
      HapList bs(ctx);
      b_->Query(ctx, f.In(o.part), bs);
      for (const Hap& bh : bs) {
        if (!bh.value.is_number()) continue;  // a range to a word has no events
        const double b = bh.value.num;
        double len_d = std::floor(std::fabs(b - a)) + 1;
        if (!std::isfinite(len_d) || len_d > 4096) {
          ctx.Fail("range too long");
          return;
        }
        const int64_t m = static_cast<int64_t>(len_d);
        const Rational rm(m);
        // fastcat of the m integers over bh.part, bound to bh's whole.
        ForEachCycle(ctx, Span{bh.part.begin * rm, bh.part.end * rm}, [&](const Span& piece) {
          Rational k = piece.begin.Floor();
          int64_t j = Mod(k.num(), m);
          double val = a < b ? a + static_cast<double>(j) : a - static_cast<double>(j);
          Span iw{k / rm, (k + 1) / rm};
          Span ip{piece.begin / rm, piece.end / rm};
          Span w = iw;
          if (bh.has_whole && !Intersect(iw, bh.whole, &w)) return;
          PushSqueezed(o, f, w, true, ip, Value::Number(val), out);
        });
      }
    }
  }

 private:
  PatternRef a_, b_;
};

class DegradeNode final : public Pattern {
 public:
  DegradeNode(PatternRef pat, PatternRef amount, int seed, bool undegrade)
      : pat_(std::move(pat)), args_{std::move(amount)}, seed_(seed), undegrade_(undegrade) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    const Rational offset = Rational::Make(3 * seed_, 10000);
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      double amount = v[0].is_number() ? v[0].num : 0.5;
      uint32_t from = out.size();
      pat_->Query(ctx, s, out);
      uint32_t w = from;
      for (uint32_t i = from; i < out.size(); ++i) {
        double r = RandAt(out[i].WholeOrPart().begin + offset);
        if (undegrade_) r = 1.0 - r;
        if (r > amount) out[w++] = out[i];
      }
      while (out.size() > w) out.PopBack();
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
  int seed_;
  bool undegrade_;
};

class ChooseNode final : public Pattern {
 public:
  ChooseNode(std::vector<PatternRef> opts, int seed) : opts_(std::move(opts)), seed_(seed) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    const Rational offset = Rational::Make(3 * seed_, 10000);
    const double m = static_cast<double>(opts_.size());
    ForEachCycle(ctx, span, [&](const Span& piece) {
      double r = RandAt(piece.begin.Floor() + offset);
      size_t i = static_cast<size_t>(std::min(std::floor(r * m), m - 1));
      opts_[i]->Query(ctx, piece, out);
    });
  }

 private:
  std::vector<PatternRef> opts_;
  int seed_;
};

class EveryNode final : public Pattern {
 public:
  EveryNode(PatternRef n, bool last, PatternRef a, PatternRef b)
      : args_{std::move(n)}, last_(last), a_(std::move(a)), b_(std::move(b)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      int64_t n;
      if (!ToInt(v[0], &n) || n <= 0) {
        b_->Query(ctx, s, out);
        return;
      }
      ForEachCycle(ctx, s, [&](const Span& piece) {
        int64_t i = Mod(piece.begin.FloorInt(), n);
        bool use = last_ ? i == n - 1 : i == 0;
        (use ? a_ : b_)->Query(ctx, piece, out);
      });
    });
  }

 private:
  PatternRef args_[1];
  bool last_;
  PatternRef a_, b_;
};

class IterNode final : public Pattern {
 public:
  IterNode(PatternRef pat, PatternRef n, bool back)
      : pat_(std::move(pat)), args_{std::move(n)}, back_(back) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      int64_t n;
      if (!ToInt(v[0], &n) || n <= 0) return;
      const Rational rn(n);
      // slowcat of the n shifted copies, with slowcat's cycle offset.
      ForEachCycle(ctx, s, [&](const Span& piece) {
        int64_t cyc = piece.begin.FloorInt();
        int64_t i = Mod(cyc, n);
        Rational offset = Rational(cyc) - (piece.begin / rn).Floor();
        Rational shift = Rational::Make(i, n);
        if (back_) shift = -shift;
        // copy i = pat.early(shift), queried at piece - offset.
        uint32_t from = out.size();
        pat_->Query(ctx, Shift(piece, shift - offset), out);
        ShiftHaps(out, from, offset - shift);
      });
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
  bool back_;
};

class WhenNode final : public Pattern {
 public:
  WhenNode(PatternRef bools, PatternRef a, PatternRef b)
      : bools_(std::move(bools)), a_(std::move(a)), b_(std::move(b)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    HapList bs(ctx);
    bools_->Query(ctx, span, bs);
    for (const Hap& h : bs) (h.value.Truthy() ? a_ : b_)->Query(ctx, h.part, out);
  }

 private:
  PatternRef bools_, a_, b_;
};

class WhenModNode final : public Pattern {
 public:
  WhenModNode(PatternRef m, PatternRef k, PatternRef a, PatternRef b)
      : args_{std::move(m), std::move(k)}, a_(std::move(a)), b_(std::move(b)) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<2>(ctx, span, args_, [&](const Span& s, const Value* v) {
      int64_t m, k;
      if (!ToInt(v[0], &m) || !ToInt(v[1], &k) || m <= 0) {
        b_->Query(ctx, s, out);
        return;
      }
      ForEachCycle(ctx, s, [&](const Span& piece) {
        (Mod(piece.begin.FloorInt(), m) >= k ? a_ : b_)->Query(ctx, piece, out);
      });
    });
  }

 private:
  PatternRef args_[2];
  PatternRef a_, b_;
};

class LingerNode final : public Pattern {
 public:
  LingerNode(PatternRef pat, PatternRef t) : pat_(std::move(pat)), args_{std::move(t)} {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      Rational t;
      if (!ToRational(v[0], &t) || t.IsZero()) return;
      const Rational len = t < Rational(0) ? -t : t;
      if (len > Rational(1)) return;
      const Rational start = t < Rational(0) ? Rational(1) - len : Rational(0);
      ForEachCycle(ctx, s, [&](const Span& piece) {
        Rational c = piece.begin.Floor();
        Rational x = piece.begin - c, y = piece.end - c;
        for (Rational k = (x / len).Floor(); k * len < y || (x == y && k * len <= x);
             k = k + 1) {
          if (ctx.failed()) return;
          if (ctx.work_budget == 0) {
            ctx.Fail(kErrTooComplex);
            return;
          }
          --ctx.work_budget;
          Span win{Max(x, k * len), Min(y, (k + 1) * len)};
          if (win.begin > win.end || (win.begin == win.end && x != y)) continue;
          Rational delta = c + k * len - (c + start);
          uint32_t from = out.size();
          pat_->Query(ctx, Span{c + win.begin - delta, c + win.end - delta}, out);
          ShiftHaps(out, from, delta);
          if (x == y) break;
        }
      });
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
};

// ---- value operators -------------------------------------------------------
const std::string_view kKeyValue = InternKey("value");

bool NoteNameToNumber(std::string_view s, double* out);

Value Arith(dsp::Arena& arena, BinOp op, const Value& a, const Value& b) {
  auto num = [&](double x, double y) -> double {
    switch (op) {
      case BinOp::kAdd: return x + y;
      case BinOp::kSub: return x - y;
      case BinOp::kMul: return x * y;
      case BinOp::kDiv: return x / y;
      case BinOp::kMod: return x - y * std::floor(x / y);
      case BinOp::kPow: return std::pow(x, y);
      default: return y;
    }
  };
  auto as_num = [](const Value& v, double* x) {
    if (v.is_number()) { *x = v.num; return true; }
    if (v.is_string()) return NoteNameToNumber(v.sv(), x);
    return false;
  };
  double x, y;
  if (a.is_map() && b.is_map()) {
    // Union; keys present on both sides are combined.
    Value r = MapUnion(arena, a, b);
    if (!r.is_map()) return r;
    auto* e = const_cast<MapEntry*>(r.map);
    for (uint32_t i = 0; i < r.size; ++i) {
      const Value* av = a.Get(e[i].k());
      const Value* bv = b.Get(e[i].k());
      if (av && bv && as_num(*av, &x) && as_num(*bv, &y)) e[i].value = Value::Number(num(x, y));
    }
    return r;
  }
  if (a.is_map() && as_num(b, &y)) {
    auto* e = arena.AllocateArray<MapEntry>(a.size);
    if (!e) return Value{};
    for (uint32_t i = 0; i < a.size; ++i) {
      e[i] = a.map[i];
      if (as_num(a.map[i].value, &x)) e[i].value = Value::Number(num(x, y));
    }
    return Value::Map(e, a.size);
  }
  if (as_num(a, &x) && as_num(b, &y)) return Value::Number(num(x, y));
  return Value{};
}

Value Combine(dsp::Arena& arena, BinOp op, const Value& a, const Value& b) {
  switch (op) {
    case BinOp::kSet: {
      Value l = a.is_map() ? a : MapWith(arena, Value{}, kKeyValue, a);
      if (!b.is_map()) return l;
      return MapUnion(arena, l, b);
    }
    case BinOp::kTail: return ListAppend(arena, a, b);
    case BinOp::kKeepIfTrue: return b.Truthy() ? a : Value{};
    default: return Arith(arena, op, a, b);
  }
}

class AppLeftNode final : public Pattern {
 public:
  AppLeftNode(PatternRef l, PatternRef r, BinOp op) : l_(std::move(l)), r_(std::move(r)), op_(op) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    HapList ls(ctx);
    l_->Query(ctx, span, ls);
    for (const Hap& lh : ls) {
      HapList rs(ctx);
      r_->Query(ctx, lh.WholeOrPart(), rs);
      for (const Hap& rh : rs) {
        Span p;
        if (!Intersect(lh.part, rh.part, &p)) continue;
        Value v = Combine(*ctx.arena, op_, lh.value, rh.value);
        if (v.kind == Value::Kind::kNone) {
          if (ctx.arena->failed()) ctx.Fail(kErrArena);
          continue;
        }
        out.Push(Hap{lh.whole, p, v, lh.has_whole});
      }
    }
  }

 private:
  PatternRef l_, r_;
  BinOp op_;
};

class AppBothNode final : public Pattern {
 public:
  AppBothNode(PatternRef l, PatternRef r, BinOp op) : l_(std::move(l)), r_(std::move(r)), op_(op) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    HapList ls(ctx), rs(ctx);
    l_->Query(ctx, span, ls);
    r_->Query(ctx, span, rs);
    for (const Hap& lh : ls) {
      for (const Hap& rh : rs) {
        Span p;
        if (!Intersect(lh.part, rh.part, &p)) continue;
        Hap h;
        h.part = p;
        h.has_whole = lh.has_whole && rh.has_whole;
        if (h.has_whole && !Intersect(lh.whole, rh.whole, &h.whole)) continue;
        h.value = Combine(*ctx.arena, op_, lh.value, rh.value);
        if (h.value.kind == Value::Kind::kNone) continue;
        out.Push(h);
      }
    }
  }

 private:
  PatternRef l_, r_;
  BinOp op_;
};

class WrapNode final : public Pattern {
 public:
  WrapNode(PatternRef pat, std::string_view key)
      : pat_(std::move(pat)), key_(InternKey(key)), n_(InternKey("n")), gain_(InternKey("gain")) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    uint32_t from = out.size();
    pat_->Query(ctx, span, out);
    for (uint32_t i = from; i < out.size(); ++i) {
      const Value& v = out[i].value;
      Value m;
      if (key_ == "s" && v.is_list() && v.size > 0) {
        m = MapWith(*ctx.arena, Value{}, key_, v.list[0]);
        if (v.size > 1) m = MapWith(*ctx.arena, m, n_, v.list[1]);
        if (v.size > 2) m = MapWith(*ctx.arena, m, gain_, v.list[2]);
      } else {
        m = MapWith(*ctx.arena, Value{}, key_, v);
      }
      if (!m.is_map()) {
        ctx.Fail(kErrArena);
        return;
      }
      out[i].value = m;
    }
  }

 private:
  PatternRef pat_;
  std::string_view key_, n_, gain_;
};

class OffsetPanNode final : public Pattern {
 public:
  OffsetPanNode(PatternRef pat, double off) : pat_(std::move(pat)), off_(off), pan_(InternKey("pan")) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    uint32_t from = out.size();
    pat_->Query(ctx, span, out);
    for (uint32_t i = from; i < out.size(); ++i) {
      Value& v = out[i].value;
      if (!v.is_map()) {
        ctx.Fail("jux/juxBy needs control values (apply s, n or note first)");
        return;
      }
      const Value* p = v.Get(pan_);
      double base = p && p->is_number() ? p->num : 0.5;
      v = MapWith(*ctx.arena, v, pan_, Value::Number(base + off_));
    }
  }

 private:
  PatternRef pat_;
  double off_;
  std::string_view pan_;
};

class RangeValuesNode final : public Pattern {
 public:
  RangeValuesNode(PatternRef pat, PatternRef lo, PatternRef hi)
      : pat_(std::move(pat)), args_{std::move(lo), std::move(hi)} {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<2>(ctx, span, args_, [&](const Span& s, const Value* v) {
      if (!v[0].is_number() || !v[1].is_number()) return;
      uint32_t from = out.size();
      pat_->Query(ctx, s, out);
      for (uint32_t i = from; i < out.size(); ++i) {
        Value& x = out[i].value;
        if (x.is_number()) x = Value::Number(x.num * (v[1].num - v[0].num) + v[0].num);
      }
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[2];
};

class ChopNode final : public Pattern {
 public:
  ChopNode(PatternRef pat, PatternRef n)
      : pat_(std::move(pat)), args_{std::move(n)}, begin_(InternKey("begin")), end_(InternKey("end")) {}
  void Query(QueryContext& ctx, const Span& span, HapList& out) const override {
    WithArgs<1>(ctx, span, args_, [&](const Span& s, const Value* v) {
      int64_t n;
      if (!ToInt(v[0], &n) || n <= 0 || n > 4096) return;
      HapList outer(ctx);
      pat_->Query(ctx, s, outer);
      for (const Hap& o : outer) {
        if (!o.has_whole) continue;
        if (!o.value.is_map()) {
          ctx.Fail("chop needs control values (apply s first)");
          return;
        }
        const Value* bv = o.value.Get(begin_);
        const Value* ev = o.value.Get(end_);
        double b0 = bv && bv->is_number() ? bv->num : 0.0, e0 = ev && ev->is_number() ? ev->num : 1.0;
        Rational d = (o.whole.end - o.whole.begin) / Rational(n);
        for (int64_t i = 0; i < n; ++i) {
          Span w{o.whole.begin + d * Rational(i), o.whole.begin + d * Rational(i + 1)};
          Span p;
          if (!Intersect(w, o.part, &p)) continue;
          double fb = static_cast<double>(i) / static_cast<double>(n);
          double fe = static_cast<double>(i + 1) / static_cast<double>(n);
          Value m = MapWith(*ctx.arena, o.value, begin_, Value::Number(b0 + (e0 - b0) * fb));
          m = MapWith(*ctx.arena, m, end_, Value::Number(b0 + (e0 - b0) * fe));
          out.Push(Hap{w, p, m, true});
        }
      }
    });
  }

 private:
  PatternRef pat_;
  PatternRef args_[1];
  std::string_view begin_, end_;
};

}  // namespace

// ---- HapList ----------------------------------------------------------------
void HapList::Push(const Hap& h) {
  if (ctx_->hap_budget == 0) {
    ctx_->Fail(kErrTooMany);
    return;
  }
  if (size_ == cap_) {
    uint32_t ncap = cap_ ? cap_ * 2 : 16;
    Hap* nd = ctx_->arena->AllocateArray<Hap>(ncap);
    if (!nd) {
      ctx_->Fail(kErrArena);
      return;
    }
    if (size_) std::memcpy(static_cast<void*>(nd), data_, sizeof(Hap) * size_);
    data_ = nd;
    cap_ = ncap;
  }
  --ctx_->hap_budget;
  data_[size_++] = h;
}

// ---- ValueStore ---------------------------------------------------------------
Value ValueStore::Str(std::string_view s) {
  strings_.push_back(std::make_unique<std::string>(s));
  return Value::String(*strings_.back());
}
Value ValueStore::List(const std::vector<Value>& items) {
  auto arr = std::make_unique<Value[]>(items.size() + 1);
  for (size_t i = 0; i < items.size(); ++i) arr[i] = items[i];
  Value v = Value::List(arr.get(), static_cast<uint32_t>(items.size()));
  lists_.push_back(std::move(arr));
  return v;
}
Value ValueStore::Map(std::vector<std::pair<std::string, Value>> entries) {
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.first < b.first; });
  auto arr = std::make_unique<MapEntry[]>(entries.size() + 1);
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string_view k = InternKey(entries[i].first);
    arr[i] = MapEntry{k.data(), static_cast<uint32_t>(k.size()), entries[i].second};
  }
  Value v = Value::Map(arr.get(), static_cast<uint32_t>(entries.size()));
  maps_.push_back(std::move(arr));
  return v;
}

// ---- factories ----------------------------------------------------------------
PatternRef Silence() {
  static const PatternRef s = std::make_shared<SilenceNode>();
  return s;
}
PatternRef Pure(Value v, ValueStoreRef store) { return std::make_shared<PureNode>(v, std::move(store)); }
PatternRef PureNumber(double x) { return Pure(Value::Number(x)); }
PatternRef PureBool(bool b) { return Pure(Value::Bool(b)); }
PatternRef Signal(SignalKind kind) { return std::make_shared<SignalNode>(kind); }

PatternRef Stack(std::vector<PatternRef> pats) {
  if (pats.empty()) return Silence();
  if (pats.size() == 1) return pats[0];
  return std::make_shared<StackNode>(std::move(pats));
}
PatternRef Slowcat(std::vector<PatternRef> pats) {
  if (pats.empty()) return Silence();
  if (pats.size() == 1) return pats[0];
  return std::make_shared<SlowcatNode>(std::move(pats), false);
}
PatternRef SlowcatPrime(std::vector<PatternRef> pats) {
  if (pats.empty()) return Silence();
  if (pats.size() == 1) return pats[0];
  return std::make_shared<SlowcatNode>(std::move(pats), true);
}
PatternRef Fastcat(std::vector<PatternRef> pats) {
  size_t n = pats.size();
  PatternRef s = Slowcat(std::move(pats));
  return n > 1 ? FastConst(s, Rational(static_cast<int64_t>(n))) : s;
}
PatternRef Timecat(std::vector<std::pair<Rational, PatternRef>> weighted) {
  Rational total(0);
  for (auto& [w, p] : weighted) total += w;
  if (total.IsZero()) throw std::invalid_argument("the weights of a sequence sum to zero");
  std::vector<PatternRef> parts;
  Rational begin(0);
  for (auto& [w, p] : weighted) {
    if (w.IsZero()) continue;
    Rational end = begin + w;
    parts.push_back(Compress(p, begin / total, end / total));
    begin = end;
  }
  return Stack(std::move(parts));
}

PatternRef Fast(PatternRef pat, PatternRef f) { return std::make_shared<FastNode>(std::move(pat), std::move(f), false); }
PatternRef Slow(PatternRef pat, PatternRef f) { return std::make_shared<FastNode>(std::move(pat), std::move(f), true); }
PatternRef Early(PatternRef pat, PatternRef t) { return std::make_shared<EarlyNode>(std::move(pat), std::move(t), false); }
PatternRef Late(PatternRef pat, PatternRef t) { return std::make_shared<EarlyNode>(std::move(pat), std::move(t), true); }
PatternRef FastConst(PatternRef pat, Rational f) {
  if (f.IsZero()) return Silence();
  if (f == Rational(1)) return pat;
  return std::make_shared<FastConstNode>(std::move(pat), f);
}
PatternRef EarlyConst(PatternRef pat, Rational t) {
  if (t.IsZero()) return pat;
  return std::make_shared<EarlyConstNode>(std::move(pat), t);
}
PatternRef Compress(PatternRef pat, Rational b, Rational e) {
  if (b > e || b > Rational(1) || e > Rational(1) || b < Rational(0) || e < Rational(0) || b == e)
    return Silence();
  PatternRef g = std::make_shared<FastGapNode>(std::move(pat), Rational(1) / (e - b));
  return EarlyConst(g, -b);
}
PatternRef Rev(PatternRef pat) { return std::make_shared<RevNode>(std::move(pat)); }
PatternRef RepeatCycles(PatternRef pat, int64_t n) {
  if (n <= 0) return Silence();
  if (n == 1) return pat;
  return std::make_shared<RepeatCyclesNode>(std::move(pat), n);
}

std::optional<std::vector<bool>> Bjorklund(int64_t k, int64_t n) {
  if (n <= 0 || n > 4096 || (k < 0 ? -k : k) > n) return std::nullopt;
  bool bits[4096];
  if (!EuclidNode::BjorklundInto(k, n, bits)) return std::nullopt;
  return std::vector<bool>(bits, bits + n);
}
PatternRef Euclid(PatternRef pat, PatternRef k, PatternRef n, PatternRef r) {
  return std::make_shared<EuclidNode>(std::move(pat), std::move(k), std::move(n), std::move(r));
}
PatternRef Segment(PatternRef pat, PatternRef n) { return std::make_shared<SegmentNode>(std::move(pat), std::move(n)); }
PatternRef Struct(PatternRef pat, PatternRef bools) {
  return std::make_shared<StructNode>(std::move(pat), std::move(bools));
}
PatternRef Ply(PatternRef pat, PatternRef n) { return std::make_shared<PlyNode>(std::move(pat), std::move(n)); }
PatternRef RangeSeq(PatternRef a, PatternRef b) { return std::make_shared<RangeSeqNode>(std::move(a), std::move(b)); }

double TimeToRand(double x) {
  // Strudel: xorwise(trunc(frac(x / 300) * 2^29)), then (s % 2^29) / 2^29, abs.
  double f = x / 300.0;
  f = f - std::trunc(f);
  auto s = static_cast<int32_t>(static_cast<int64_t>(std::trunc(f * 536870912.0)));
  uint32_t u = static_cast<uint32_t>(s);
  int32_t a = static_cast<int32_t>(u ^ (u << 13));
  a = a ^ (a >> 17);
  u = static_cast<uint32_t>(a);
  a = static_cast<int32_t>(u ^ (u << 5));
  int32_t m = a % 536870912;
  return std::fabs(static_cast<double>(m) / 536870912.0);
}
double RandAt(const Rational& t) { return TimeToRand(t.ToDouble()); }

PatternRef DegradeBy(PatternRef pat, PatternRef amount, int seed, bool undegrade) {
  return std::make_shared<DegradeNode>(std::move(pat), std::move(amount), seed, undegrade);
}
PatternRef ChooseCycle(std::vector<PatternRef> options, int seed) {
  if (options.empty()) return Silence();
  return std::make_shared<ChooseNode>(std::move(options), seed);
}
PatternRef EveryCycle(PatternRef n, bool last, PatternRef transformed, PatternRef plain) {
  return std::make_shared<EveryNode>(std::move(n), last, std::move(transformed), std::move(plain));
}
PatternRef Iter(PatternRef pat, PatternRef n, bool back) {
  return std::make_shared<IterNode>(std::move(pat), std::move(n), back);
}
PatternRef When(PatternRef bools, PatternRef a, PatternRef b) {
  return std::make_shared<WhenNode>(std::move(bools), std::move(a), std::move(b));
}
PatternRef WhenMod(PatternRef m, PatternRef k, PatternRef a, PatternRef b) {
  return std::make_shared<WhenModNode>(std::move(m), std::move(k), std::move(a), std::move(b));
}
PatternRef Linger(PatternRef pat, PatternRef t) { return std::make_shared<LingerNode>(std::move(pat), std::move(t)); }

PatternRef AppLeft(PatternRef l, PatternRef r, BinOp op) { return std::make_shared<AppLeftNode>(std::move(l), std::move(r), op); }
PatternRef AppBoth(PatternRef l, PatternRef r, BinOp op) { return std::make_shared<AppBothNode>(std::move(l), std::move(r), op); }
PatternRef WrapControl(PatternRef pat, std::string_view key) { return std::make_shared<WrapNode>(std::move(pat), key); }
PatternRef SetControl(PatternRef pat, std::string_view key, PatternRef values) {
  return AppLeft(std::move(pat), WrapControl(std::move(values), key), BinOp::kSet);
}
PatternRef OffsetPan(PatternRef pat, double offset) { return std::make_shared<OffsetPanNode>(std::move(pat), offset); }
PatternRef RangeValues(PatternRef pat, PatternRef lo, PatternRef hi) {
  return std::make_shared<RangeValuesNode>(std::move(pat), std::move(lo), std::move(hi));
}
PatternRef Chop(PatternRef pat, PatternRef n) { return std::make_shared<ChopNode>(std::move(pat), std::move(n)); }

namespace {
bool SameEvent(const Hap& a, const Hap& b) {
  return a.has_whole == b.has_whole && a.whole == b.whole && a.value == b.value;
}
}  // namespace

void QueryOnsets(const Pattern& pat, QueryContext& ctx, const Span& span, HapList& out) {
  ClearTimeOverflow();
  HapList all(ctx);
  pat.Query(ctx, span, all);
  if (TimeOverflowed()) ctx.Fail(kErrOverflow);
  auto key_less = [](const Hap& a, const Hap& b) {
    if (!(a.whole.begin == b.whole.begin)) return a.whole.begin < b.whole.begin;
    if (!(a.whole.end == b.whole.end)) return a.whole.end < b.whole.end;
    return a.part.begin < b.part.begin;
  };
  std::sort(all.begin(), all.end(), key_less);
  // Fuse fragments of one event (same whole and value, touching end to start).
  const uint32_t n = all.size();
  for (uint32_t i = 0; i < n; ++i) {
    Hap& h = all[i];
    if (!h.has_whole || h.whole.begin != h.part.begin) continue;
    bool grown = true;
    while (grown) {
      grown = false;
      for (uint32_t j = i + 1; j < n && all[j].whole.begin == h.whole.begin; ++j) {
        Hap& g = all[j];
        if (g.has_whole && SameEvent(h, g) && g.part.begin == h.part.end && g.part.end > g.part.begin) {
          h.part.end = g.part.end;
          g.part.end = g.part.begin;  // consumed
          g.has_whole = false;
          grown = true;
        }
      }
    }
    out.Push(h);
  }
}

// Note names for arithmetic: semitones from c4 (MIDI 60).
namespace {
bool NoteNameToNumber(std::string_view s, double* out) {
  std::optional<int> midi = NoteNameToMidi(s);
  if (!midi) return false;
  *out = *midi - 60;
  return true;
}
}  // namespace

}  // namespace gb::fw
