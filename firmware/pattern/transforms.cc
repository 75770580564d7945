// Transform registry and the small transform-expression parser (transforms.h).
// Semantics follow Strudel 1.2.6 where the reference data pins them; the
// others follow Strudel's source, or Tidal 1.9 where a Tidal user would expect
// it (docs/language.md lists the choices).
#include "firmware/pattern/transforms.h"

#include <cmath>

#include "firmware/pattern/mini.h"

namespace gb::fw {
namespace {

using Args = std::vector<TransformArg>;
constexpr ParamKind P = ParamKind::kPattern;
constexpr ParamKind F = ParamKind::kFunction;

double ConstNumber(const PatternRef& p, const char* what) {
  const Value* v = p->ConstValue();
  if (!v || !v->is_number())
    throw std::invalid_argument(std::string(what) + " must be a constant number here");
  return v->num;
}

int64_t ConstCount(const PatternRef& p, const char* what, int64_t lo, int64_t hi) {
  double x = ConstNumber(p, what);
  if (x != std::floor(x) || x < static_cast<double>(lo) || x > static_cast<double>(hi))
    throw std::invalid_argument(std::string(what) + " must be a whole number from " +
                                std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int64_t>(x);
}

// x op k, structure from x; folded when x is constant.
PatternRef NumOp(const PatternRef& x, BinOp op, double k) {
  if (const Value* v = x->ConstValue(); v && v->is_number()) {
    double a = v->num;
    switch (op) {
      case BinOp::kAdd: return PureNumber(a + k);
      case BinOp::kSub: return PureNumber(a - k);
      case BinOp::kMul: return PureNumber(a * k);
      case BinOp::kDiv: return PureNumber(a / k);
      case BinOp::kPow: return PureNumber(std::pow(a, k));
      default: break;
    }
  }
  return AppLeft(x, PureNumber(k), op);
}

PatternRef OneMinus(const PatternRef& x) { return NumOp(NumOp(x, BinOp::kSub, 1), BinOp::kMul, -1); }

PatternRef SometimesBy(const PatternRef& x, const PatternFn& f, const PatternRef& pat) {
  return Stack({DegradeBy(pat, x, 0), f(DegradeBy(pat, OneMinus(x), 0, /*undegrade=*/true))});
}

PatternRef Echo(int64_t count, const PatternRef& time, const PatternRef& fb, const PatternRef& pat) {
  std::vector<PatternRef> copies;
  for (int64_t i = 0; i < count; ++i) {
    auto di = static_cast<double>(i);
    PatternRef shifted = i == 0 ? pat : Late(pat, NumOp(time, BinOp::kMul, di));
    PatternRef gain;
    if (const Value* v = fb->ConstValue(); v && v->is_number()) {
      gain = PureNumber(std::pow(v->num, di));
    } else {
      gain = NumOp(fb, BinOp::kPow, di);
    }
    copies.push_back(SetControl(shifted, "gain", gain));
  }
  return Stack(std::move(copies));
}

PatternRef JuxBy(double width, const PatternFn& f, const PatternRef& pat) {
  double by = width / 2;
  return Stack({OffsetPan(pat, -by), f(OffsetPan(pat, by))});
}

PatternRef Chunk(int64_t n, const PatternFn& f, const PatternRef& pat, bool back) {
  std::vector<PatternRef> bits{PureBool(true)};
  for (int64_t i = 1; i < n; ++i) bits.push_back(PureBool(false));
  // Strudel inverts `back` for the binary pattern: chunk shifts it later.
  PatternRef binary = Iter(Fastcat(std::move(bits)), PureNumber(static_cast<double>(n)), !back);
  PatternRef repeated = RepeatCycles(pat, n);
  return When(binary, f(repeated), repeated);
}

PatternRef Striate(int64_t n, const PatternRef& pat) {
  auto store = std::make_shared<ValueStore>();
  std::vector<PatternRef> slices;
  for (int64_t i = 0; i < n; ++i) {
    double b = static_cast<double>(i) / static_cast<double>(n);
    double e = static_cast<double>(i + 1) / static_cast<double>(n);
    slices.push_back(Pure(store->Map({{"begin", Value::Number(b)}, {"end", Value::Number(e)}}), store));
  }
  return FastConst(AppLeft(pat, Slowcat(std::move(slices)), BinOp::kSet), Rational(n));
}

std::vector<TransformSpec> MakeRegistry() {
  std::vector<TransformSpec> r;
  auto add = [&](std::string_view name, std::vector<ParamKind> params, std::string_view help,
                 std::function<PatternRef(const Args&, PatternRef)> build) {
    r.push_back(TransformSpec{name, std::move(params), help, std::move(build)});
  };
  add("fast", {P}, "fast x: speed up by x", [](const Args& a, PatternRef p) { return Fast(p, a[0].pat); });
  add("density", {P}, "density x: same as fast", [](const Args& a, PatternRef p) { return Fast(p, a[0].pat); });
  add("slow", {P}, "slow x: slow down by x", [](const Args& a, PatternRef p) { return Slow(p, a[0].pat); });
  add("sparsity", {P}, "sparsity x: same as slow", [](const Args& a, PatternRef p) { return Slow(p, a[0].pat); });
  add("hurry", {P}, "hurry x: fast x and speed * x",
      [](const Args& a, PatternRef p) { return AppLeft(Fast(p, a[0].pat), WrapControl(a[0].pat, "speed"), BinOp::kMul); });
  add("early", {P}, "early t: shift earlier by t cycles", [](const Args& a, PatternRef p) { return Early(p, a[0].pat); });
  add("late", {P}, "late t: shift later by t cycles", [](const Args& a, PatternRef p) { return Late(p, a[0].pat); });
  add("rev", {}, "rev: reverse each cycle", [](const Args&, PatternRef p) { return Rev(p); });
  add("every", {P, F}, "every n f: apply f in cycles 0, n, 2n ...",
      [](const Args& a, PatternRef p) { return EveryCycle(a[0].pat, false, a[1].fn(p), p); });
  add("firstOf", {P, F}, "firstOf n f: same as every",
      [](const Args& a, PatternRef p) { return EveryCycle(a[0].pat, false, a[1].fn(p), p); });
  add("lastOf", {P, F}, "lastOf n f: apply f in cycles n-1, 2n-1 ...",
      [](const Args& a, PatternRef p) { return EveryCycle(a[0].pat, true, a[1].fn(p), p); });
  add("iter", {P}, "iter n: start each cycle one subdivision later", [](const Args& a, PatternRef p) { return Iter(p, a[0].pat, false); });
  add("iterBack", {P}, "iterBack n: iter backwards", [](const Args& a, PatternRef p) { return Iter(p, a[0].pat, true); });
  add("palindrome", {}, "palindrome: every other cycle reversed",
      [](const Args&, PatternRef p) { return EveryCycle(PureNumber(2), true, Rev(p), p); });
  add("ply", {P}, "ply n: repeat each event n times in its span", [](const Args& a, PatternRef p) { return Ply(p, a[0].pat); });
  add("degrade", {}, "degrade: drop half the events at random",
      [](const Args&, PatternRef p) { return DegradeBy(p, PureNumber(0.5), 0); });
  add("degradeBy", {P}, "degradeBy x: drop events with probability x",
      [](const Args& a, PatternRef p) { return DegradeBy(p, a[0].pat, 0); });
  add("undegradeBy", {P}, "undegradeBy x: keep the events degradeBy x drops",
      [](const Args& a, PatternRef p) { return DegradeBy(p, a[0].pat, 0, true); });
  add("unDegradeBy", {P}, "unDegradeBy x: same as undegradeBy",
      [](const Args& a, PatternRef p) { return DegradeBy(p, a[0].pat, 0, true); });
  add("sometimesBy", {P, F}, "sometimesBy x f: apply f to each event with probability x",
      [](const Args& a, PatternRef p) { return SometimesBy(a[0].pat, a[1].fn, p); });
  struct Named { std::string_view name; double x; std::string_view help; };
  for (const Named& s : {Named{"sometimes", 0.5, "sometimes f: sometimesBy 0.5"},
                         Named{"often", 0.75, "often f: sometimesBy 0.75"},
                         Named{"rarely", 0.25, "rarely f: sometimesBy 0.25"},
                         Named{"almostNever", 0.1, "almostNever f: sometimesBy 0.1"},
                         Named{"almostAlways", 0.9, "almostAlways f: sometimesBy 0.9"}}) {
    double x = s.x;
    add(s.name, {F}, s.help, [x](const Args& a, PatternRef p) { return SometimesBy(PureNumber(x), a[0].fn, p); });
  }
  add("always", {F}, "always f: f", [](const Args& a, PatternRef p) { return a[0].fn(p); });
  add("never", {F}, "never f: unchanged", [](const Args&, PatternRef p) { return p; });
  add("euclid", {P, P}, "euclid k n: k pulses over n steps",
      [](const Args& a, PatternRef p) { return Euclid(p, a[0].pat, a[1].pat, nullptr); });
  add("euclidRot", {P, P, P}, "euclidRot k n r: euclid rotated r steps later",
      [](const Args& a, PatternRef p) { return Euclid(p, a[0].pat, a[1].pat, a[2].pat); });
  add("off", {P, F}, "off t f: stack with f applied to a copy delayed by t",
      [](const Args& a, PatternRef p) { return Stack({p, a[1].fn(Late(p, a[0].pat))}); });
  add("superimpose", {F}, "superimpose f: stack with f applied to a copy",
      [](const Args& a, PatternRef p) { return Stack({p, a[0].fn(p)}); });
  add("chunk", {P, F}, "chunk n f: apply f to one n-th of the cycle, moving on each cycle",
      [](const Args& a, PatternRef p) { return Chunk(ConstCount(a[0].pat, "chunk's n", 1, 1024), a[1].fn, p, false); });
  add("chunkBack", {P, F}, "chunkBack n f: chunk, moving backwards",
      [](const Args& a, PatternRef p) { return Chunk(ConstCount(a[0].pat, "chunkBack's n", 1, 1024), a[1].fn, p, true); });
  add("segment", {P}, "segment n: n equal events per cycle sampling the pattern",
      [](const Args& a, PatternRef p) { return Segment(p, a[0].pat); });
  add("struct", {P}, "struct bools: structure from a boolean pattern",
      [](const Args& a, PatternRef p) { return Struct(p, a[0].pat); });
  add("echo", {P, P, P}, "echo count time feedback: count copies, each time later, gain * feedback",
      [](const Args& a, PatternRef p) { return Echo(ConstCount(a[0].pat, "echo's count", 0, 64), a[1].pat, a[2].pat, p); });
  add("stut", {P, P, P}, "stut count feedback time: echo with Tidal's argument order",
      [](const Args& a, PatternRef p) { return Echo(ConstCount(a[0].pat, "stut's count", 0, 64), a[2].pat, a[1].pat, p); });
  add("jux", {F}, "jux f: original panned left, f of it panned right",
      [](const Args& a, PatternRef p) { return JuxBy(1.0, a[0].fn, p); });
  add("juxBy", {P, F}, "juxBy w f: jux with stereo width w",
      [](const Args& a, PatternRef p) { return JuxBy(ConstNumber(a[0].pat, "juxBy's width"), a[1].fn, p); });
  add("brak", {}, "brak: every other cycle squeezed into half a cycle, shifted a quarter",
      [](const Args&, PatternRef p) {
        return When(Slowcat({PureBool(false), PureBool(true)}),
                    Late(Fastcat({p, Silence()}), PureNumber(0.25)), p);
      });
  add("whenmod", {P, P, F}, "whenmod a b f: apply f when cycle mod a >= b",
      [](const Args& a, PatternRef p) { return WhenMod(a[0].pat, a[1].pat, a[2].fn(p), p); });
  add("swingBy", {P, P}, "swingBy x n: delay every other of n subdivisions by x/2",
      [](const Args& a, PatternRef p) {
        return Fast(Late(Slow(p, a[1].pat), Fastcat({PureNumber(0), NumOp(a[0].pat, BinOp::kDiv, 2)})), a[1].pat);
      });
  add("swing", {P}, "swing n: swingBy 1/3 n",
      [](const Args& a, PatternRef p) {
        return Fast(Late(Slow(p, a[0].pat), Fastcat({PureNumber(0), PureNumber(1.0 / 6.0)})), a[0].pat);
      });
  add("linger", {P}, "linger t: repeat the first t (or last -t) of each cycle",
      [](const Args& a, PatternRef p) { return Linger(p, a[0].pat); });
  add("chop", {P}, "chop n: cut each event (and its sample) into n parts",
      [](const Args& a, PatternRef p) { return Chop(p, a[0].pat); });
  add("striate", {P}, "striate n: interleave n slices of each sample",
      [](const Args& a, PatternRef p) { return Striate(ConstCount(a[0].pat, "striate's n", 1, 1024), p); });
  add("range", {P, P}, "range lo hi: scale values from 0..1 to lo..hi",
      [](const Args& a, PatternRef p) { return RangeValues(p, a[0].pat, a[1].pat); });
  add("add", {P}, "add x: add x to values", [](const Args& a, PatternRef p) { return AppLeft(p, a[0].pat, BinOp::kAdd); });
  add("sub", {P}, "sub x: subtract x", [](const Args& a, PatternRef p) { return AppLeft(p, a[0].pat, BinOp::kSub); });
  add("mul", {P}, "mul x: multiply by x", [](const Args& a, PatternRef p) { return AppLeft(p, a[0].pat, BinOp::kMul); });
  add("div", {P}, "div x: divide by x", [](const Args& a, PatternRef p) { return AppLeft(p, a[0].pat, BinOp::kDiv); });
  add("s", {}, "s: values as sound names ({s: v}; bd:3 gives n 3)", [](const Args&, PatternRef p) { return WrapControl(p, "s"); });
  add("sound", {}, "sound: same as s", [](const Args&, PatternRef p) { return WrapControl(p, "s"); });
  add("n", {}, "n: values as sample/note numbers", [](const Args&, PatternRef p) { return WrapControl(p, "n"); });
  add("note", {}, "note: values as notes", [](const Args&, PatternRef p) { return WrapControl(p, "note"); });
  return r;
}

}  // namespace

const std::vector<TransformSpec>& AllTransforms() {
  static const std::vector<TransformSpec> registry = MakeRegistry();
  return registry;
}

const TransformSpec* FindTransform(std::string_view name) {
  for (const auto& t : AllTransforms())
    if (t.name == name) return &t;
  return nullptr;
}

// ---- the transform-expression parser ---------------------------------------
namespace {

struct Tok {
  enum Kind { kIdent, kNumber, kString, kOpen, kClose, kEnd } kind;
  std::string text;
  double num = 0;
  size_t offset = 0;
};

std::vector<Tok> Lex(std::string_view s) {
  std::vector<Tok> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n') { ++i; continue; }
    size_t at = i;
    if (c == '(') { out.push_back({Tok::kOpen, "(", 0, at}); ++i; continue; }
    if (c == ')') { out.push_back({Tok::kClose, ")", 0, at}); ++i; continue; }
    if (c == '"') {
      size_t j = s.find('"', i + 1);
      if (j == std::string_view::npos) throw TransformError(at, "unterminated string");
      out.push_back({Tok::kString, std::string(s.substr(i + 1, j - i - 1)), 0, at});
      i = j + 1;
      continue;
    }
    if ((c >= '0' && c <= '9') || c == '-' || c == '.') {
      size_t j = i + 1;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == '/' || s[j] == 'e'))
        ++j;
      std::string t(s.substr(i, j - i));
      double v;
      size_t slash = t.find('/');
      if (slash != std::string::npos) {
        double a, b;
        if (!JsNumber(t.substr(0, slash), &a) || !JsNumber(t.substr(slash + 1), &b) || b == 0)
          throw TransformError(at, "bad ratio '" + t + "'");
        v = a / b;
      } else if (!JsNumber(t, &v)) {
        throw TransformError(at, "bad number '" + t + "'");
      }
      out.push_back({Tok::kNumber, t, v, at});
      i = j;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t j = i + 1;
      while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                              (s[j] >= '0' && s[j] <= '9') || s[j] == '_'))
        ++j;
      out.push_back({Tok::kIdent, std::string(s.substr(i, j - i)), 0, at});
      i = j;
      continue;
    }
    throw TransformError(at, std::string("unexpected '") + c + "'");
  }
  out.push_back({Tok::kEnd, "", 0, s.size()});
  return out;
}

class ExprParser {
 public:
  explicit ExprParser(std::string_view s) : toks_(Lex(s)) {}
  PatternFn Parse() {
    PatternFn f = Function();
    if (toks_[i_].kind != Tok::kEnd) throw TransformError(toks_[i_].offset, "unexpected '" + toks_[i_].text + "'");
    return f;
  }

 private:
  // name arg*, with exactly the transform's parameter count.
  PatternFn Function() {
    const Tok& t = toks_[i_];
    if (t.kind == Tok::kOpen) {
      ++i_;
      PatternFn f = Function();
      Expect(Tok::kClose, "')'");
      return f;
    }
    if (t.kind != Tok::kIdent) throw TransformError(t.offset, "expected a transform name");
    const TransformSpec* spec = FindTransform(t.text);
    if (!spec) throw TransformError(t.offset, "unknown transform '" + t.text + "'");
    ++i_;
    std::vector<TransformArg> args;
    for (ParamKind k : spec->params) {
      const Tok& a = toks_[i_];
      if (a.kind == Tok::kEnd || a.kind == Tok::kClose)
        throw TransformError(a.offset, std::string(spec->name) + " expects " +
                                           std::to_string(spec->params.size()) + " argument(s): " +
                                           std::string(spec->help));
      TransformArg arg;
      if (k == ParamKind::kFunction) {
        if (a.kind == Tok::kIdent) {
          // A bare name: a transform with no parameters (rev, palindrome).
          const TransformSpec* g = FindTransform(a.text);
          if (!g) throw TransformError(a.offset, "unknown transform '" + a.text + "'");
          if (!g->params.empty())
            throw TransformError(a.offset, "'" + a.text + "' needs arguments: put it in parentheses");
          ++i_;
          auto build = g->build;
          arg.fn = [build](PatternRef p) { return build({}, p); };
        } else if (a.kind == Tok::kOpen) {
          arg.fn = Function();
        } else {
          throw TransformError(a.offset, "expected a function argument");
        }
      } else {
        arg.pat = PatternArg();
      }
      args.push_back(std::move(arg));
    }
    auto build = spec->build;
    auto name = std::string(spec->name);
    // Validate constant arguments now, so errors surface before querying.
    build(args, Silence());
    return [build, args](PatternRef p) { return build(args, p); };
  }

  PatternRef PatternArg() {
    const Tok& a = toks_[i_];
    ++i_;
    if (a.kind == Tok::kNumber) return PureNumber(a.num);
    if (a.kind == Tok::kString) {
      try {
        return ParseMini(a.text).pattern;
      } catch (const MiniError& e) {
        throw TransformError(a.offset + 1 + e.offset(), e.what());
      }
    }
    if (a.kind == Tok::kOpen) {
      PatternRef p = PatternArg();
      Expect(Tok::kClose, "')'");
      return p;
    }
    throw TransformError(a.offset, "expected a number or a \"pattern\"");
  }

  void Expect(Tok::Kind k, const char* what) {
    if (toks_[i_].kind != k) throw TransformError(toks_[i_].offset, std::string("expected ") + what);
    ++i_;
  }

  std::vector<Tok> toks_;
  size_t i_ = 0;
};

}  // namespace

PatternFn ParseTransformExpr(std::string_view text) {
  try {
    return ExprParser(text).Parse();
  } catch (const std::invalid_argument& e) {
    throw TransformError(0, e.what());
  }
}

}  // namespace gb::fw
