// Mini-notation parser (see mini.h). A hand-written recursive-descent parser:
// Strudel's own is a peggy grammar (JavaScript); we reproduce its accepted
// language, its seed numbering for randomness (a counter bumped when each
// `?`, each `|` level and each `.` level finishes parsing) and its errors.
#include "firmware/pattern/mini.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

namespace gb::fw {

bool JsNumber(std::string_view t, double* out) {
  if (t.empty()) return false;
  if (t == "Infinity") { *out = INFINITY; return true; }
  if (t == "-Infinity") { *out = -INFINITY; return true; }
  if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X' || t[1] == 'o' || t[1] == 'O' ||
                                      t[1] == 'b' || t[1] == 'B')) {
    int base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : 2;
    double v = 0;
    for (size_t i = 2; i < t.size(); ++i) {
      char c = t[i];
      int d = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
      if (d >= base) return false;
      v = v * base + d;
    }
    *out = v;
    return true;
  }
  size_t i = 0;
  if (t[i] == '-' || t[i] == '+') ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ++int_digits; }
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ++frac_digits; }
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    size_t ed = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') { ++i; ++ed; }
    if (ed == 0) return false;
  }
  if (i != t.size()) return false;
  std::string s(t);
  *out = std::strtod(s.c_str(), nullptr);
  return true;
}

namespace {

// Offset of the first byte that does not start or continue a valid UTF-8
// sequence (overlong forms and surrogates included), or npos.
size_t InvalidUtf8At(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || c == 0xC0 || c == 0xC1 || c > 0xF4) return i;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    if (n == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return i;
    }
    if (n == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) return i;
    }
    i += n;
  }
  return std::string_view::npos;
}

struct Step {
  PatternRef pat;
  Rational weight{1};
  bool weighted = false;
  int64_t pending_reps = -1;  // -1: no '!' pending
  size_t offset = 0;
};

struct Layer {
  std::vector<Step> steps;
  size_t offset = 0;
};

struct Built {
  PatternRef pat;
  Rational steps{1};
};

enum class Ctx { kTop, kBracket, kAngle, kBrace };

class Parser {
 public:
  Parser(std::string_view s, const MiniLimits& lim) : s_(s), lim_(lim), store_(std::make_shared<ValueStore>()) {}

  MiniResult Run() {
    if (s_.size() > lim_.max_length) Fail(0, "mini-notation string too long");
    if (s_.empty()) Fail(0, "expected a pattern but the string is empty (nothing to parse)");
    // Words become JSON strings and names: they must be valid UTF-8.
    if (size_t bad = InvalidUtf8At(s_); bad != std::string_view::npos)
      Fail(bad, "invalid UTF-8 in the pattern (byte " + std::to_string(static_cast<unsigned char>(s_[bad])) + ")");
    SkipWs();
    if (AtEnd()) Fail(0, "expected a pattern but the string is only whitespace");
    Built b = StackOrChoose(Ctx::kTop);
    SkipWs();
    if (!AtEnd()) {
      char c = s_[pos_];
      if (c == ']' || c == '>' || c == '}' || c == ')')
        Fail(pos_, std::string("unbalanced '") + c + "': nothing to close");
      Fail(pos_, std::string("unexpected '") + c + "'");
    }
    MiniResult r;
    r.pattern = b.pat;
    r.steps = b.steps;
    r.words = std::move(words_);
    return r;
  }

 private:
  [[noreturn]] void Fail(size_t at, const std::string& msg) { throw MiniError(at, msg); }

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }

  size_t WsLenAt(size_t at) const {
    if (at >= s_.size()) return 0;
    unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
    if (c == 0xC2 && at + 1 < s_.size() && static_cast<unsigned char>(s_[at + 1]) == 0xA0) return 2;
    return 0;
  }
  bool WsAt(size_t at) const { return WsLenAt(at) > 0; }
  void SkipWs() {
    while (size_t n = WsLenAt(pos_)) pos_ += n;
  }
  bool WordByteAt(size_t at) const {
    if (at >= s_.size() || WsAt(at)) return false;
    unsigned char c = static_cast<unsigned char>(s_[at]);
    if (c >= 0x80) return true;  // UTF-8 letters (NBSP excluded above)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c == '~' || c == '-' || c == '#' || c == '.' || c == '^' || c == '_' || c == '\'';
  }
  // A '.' standing alone (the grouping separator, `a b . c d`).
  bool LoneDotAt(size_t at) const {
    if (at >= s_.size() || s_[at] != '.') return false;
    size_t n = at + 1;
    if (n >= s_.size() || WsAt(n)) return true;
    char c = s_[n];
    return c == ',' || c == '|' || c == ']' || c == '>' || c == '}' || c == ')';
  }
  bool SequenceEndAt(size_t at) const {
    if (at >= s_.size()) return true;
    char c = s_[at];
    return c == ',' || c == '|' || c == ']' || c == '>' || c == '}' || c == ')' || LoneDotAt(at);
  }

  struct DepthGuard {
    Parser* p;
    DepthGuard(Parser* parser, size_t at) : p(parser) {
      if (++p->depth_ > p->lim_.max_depth)
        p->Fail(at, "nesting deeper than " + std::to_string(p->lim_.max_depth) + " levels");
    }
    ~DepthGuard() { --p->depth_; }
  };

  // -- layers -----------------------------------------------------------------
  Built StackOrChoose(Ctx ctx) {
    const size_t start = pos_;
    std::vector<Layer> layers;
    layers.push_back(Sequence());
    char sep = 0;
    for (;;) {
      SkipWs();
      if (AtEnd()) break;
      char c = s_[pos_];
      bool dot = LoneDotAt(pos_);
      if (c != ',' && c != '|' && !dot) break;
      if (dot) c = '.';
      if (layers.front().steps.empty())
        Fail(pos_, std::string("expected a step before '") + c + "' (nothing before " + c + ")");
      if (ctx == Ctx::kAngle && c != ',')
        Fail(pos_, std::string("'") + c + "' is not allowed inside <...>" +
                       (c == '.' ? " ('.' grouping)" : ""));
      if (ctx == Ctx::kBrace && c != ',')
        Fail(pos_, std::string("'") + c + "' is not allowed inside {...}" +
                       (c == '.' ? " ('.' grouping)" : ""));
      if (sep && sep != c)
        Fail(pos_, std::string("'") + sep + "' and '" + c + "' cannot be mixed at one level");
      sep = c;
      const size_t at = pos_;
      ++pos_;
      layers.push_back(Sequence());
      if (layers.back().steps.empty())
        Fail(at, std::string("expected a step after '") + c + "' (nothing after " + c + ")");
    }
    if (layers.front().steps.empty()) {
      if (ctx == Ctx::kBracket) Fail(start, "expected a step inside [...] (empty sub-sequence)");
      if (ctx == Ctx::kAngle) Fail(start, "expected a step inside <...> (empty alternation)");
      if (ctx == Ctx::kBrace) Fail(start, "expected a step inside {...} (empty polymeter)");
      Fail(pos_, AtEnd() ? "expected a pattern" : std::string("unexpected '") + s_[pos_] + "'");
    }
    if (ctx == Ctx::kAngle) {
      std::vector<PatternRef> pats;
      for (auto& l : layers) {
        bool weighted = false;
        for (auto& s : l.steps) weighted |= s.weighted;
        if (!weighted) {
          std::vector<PatternRef> kids;
          for (auto& s : l.steps) kids.push_back(s.pat);
          pats.push_back(Slowcat(std::move(kids)));
        } else {
          Built b = BuildSequence(l);
          pats.push_back(Slow(b.pat, PureNumber(b.steps.ToDouble())));
        }
      }
      return Built{Stack(std::move(pats)), Rational(1)};
    }
    if (ctx == Ctx::kBrace) {
      brace_layers_.clear();
      for (auto& l : layers) brace_layers_.push_back(BuildSequence(l));
      return Built{nullptr, Rational(1)};
    }
    if (layers.size() == 1) return BuildSequence(layers[0]);
    std::vector<PatternRef> pats;
    for (auto& l : layers) pats.push_back(BuildSequence(l).pat);
    if (sep == ',') return Built{Stack(std::move(pats)), Rational(1)};
    if (sep == '|') return Built{ChooseCycle(std::move(pats), seed_++), Rational(1)};
    ++seed_;  // a '.' level takes a seed number without using it
    const auto n = static_cast<int64_t>(pats.size());
    return Built{Fastcat(std::move(pats)), Rational(n)};
  }

  Built BuildSequence(Layer& l) {
    bool weighted = false;
    for (auto& s : l.steps) weighted |= s.weighted;
    if (!weighted) {
      std::vector<PatternRef> kids;
      for (auto& s : l.steps) kids.push_back(s.pat);
      auto n = static_cast<int64_t>(kids.size());
      return Built{Fastcat(std::move(kids)), Rational(n)};
    }
    std::vector<std::pair<Rational, PatternRef>> w;
    Rational total(0);
    for (auto& s : l.steps) {
      Rational wt = s.weight.IsZero() ? Rational(1) : s.weight;  // weight 0 counts as 1
      w.emplace_back(wt, s.pat);
      total += wt;
    }
    if (total.IsZero())
      Fail(l.offset, "the weights of this sequence sum to zero (division by zero)");
    return Built{Timecat(std::move(w)), total};
  }

  Layer Sequence() {
    Layer l;
    SkipWs();
    l.offset = pos_;
    if (Peek() == '^') ++pos_;  // step-count marker: no effect on events
    for (;;) {
      SkipWs();
      if (SequenceEndAt(pos_)) break;
      if (s_[pos_] == '_' && !WordByteAt(pos_ + 1)) {
        if (l.steps.empty()) Fail(pos_, "'_' with no element to lengthen");
        l.steps.back().weight += Rational(1);
        l.steps.back().weighted = true;
        ++pos_;
        continue;
      }
      l.steps.push_back(SliceWithOps());
    }
    return l;
  }

  // -- steps and operators -------------------------------------------------------
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // Strudel's `number` for operator amounts: -?int(.digits)?(e[+-]?digits)?
  bool ReadNumberHere(double* out, Rational* exact) {
    size_t p = pos_;
    if (p < s_.size() && s_[p] == '-') ++p;
    if (p >= s_.size() || !IsDigit(s_[p])) return false;
    while (p < s_.size() && IsDigit(s_[p])) ++p;
    if (p + 1 < s_.size() && s_[p] == '.' && IsDigit(s_[p + 1])) {
      ++p;
      while (p < s_.size() && IsDigit(s_[p])) ++p;
    }
    if (p + 1 < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
      size_t q = p + 1;
      if (q < s_.size() && (s_[q] == '-' || s_[q] == '+')) ++q;
      if (q < s_.size() && IsDigit(s_[q])) {
        while (q < s_.size() && IsDigit(s_[q])) ++q;
        p = q;
      }
    }
    std::string_view text = s_.substr(pos_, p - pos_);
    auto r = Rational::ParseDecimal(text);
    if (!r) Fail(pos_, "number out of range: " + std::string(text));
    *exact = *r;
    *out = std::strtod(std::string(text).c_str(), nullptr);
    pos_ = p;
    return true;
  }

  void CheckMagnitude(size_t at, double x, const char* what) {
    if (!(std::fabs(x) <= lim_.max_factor))
      Fail(at, std::string(what) + " out of range (|x| <= " + std::to_string(static_cast<long long>(lim_.max_factor)) + ")");
  }

  void ApplyReps(Step& st) {
    if (st.pending_reps < 0) return;
    int64_t n = st.pending_reps;
    st.pending_reps = -1;
    st.pat = n <= 0 ? Silence() : FastConst(RepeatCycles(st.pat, n), Rational(n));
  }

  // Checks a constant factor argument: numbers pass, words fail as Strudel's
  // pattern building does.
  void CheckNumericArg(const PatternRef& p, size_t at, const char* what) {
    if (const Value* v = p->ConstValue()) {
      if (!v->is_number()) Fail(at, std::string("expected a number as ") + what + " (non-numeric factor)");
      CheckMagnitude(at, v->num, what);
    }
  }

  Step SliceWithOps() {
    Step st;
    st.offset = pos_;
    st.pat = Slice();
    for (;;) {
      const size_t save = pos_;
      SkipWs();
      if (AtEnd()) break;
      const size_t at = pos_;
      const char c = s_[pos_];
      if (c == '*' || c == '/') {
        ++pos_;
        if (Peek() == c) Fail(at, std::string(2, c) + " is not an operator");
        SkipWs();
        if (SequenceEndAt(pos_)) Fail(at, std::string("'") + c + "' without a factor");
        DepthGuard g(this, at);
        const size_t arg_at = pos_;
        PatternRef f = Slice();
        CheckNumericArg(f, arg_at, c == '*' ? "the '*' factor" : "the '/' divisor");
        ApplyReps(st);
        st.pat = c == '*' ? Fast(st.pat, f) : Slow(st.pat, f);
      } else if (c == '!') {
        ++pos_;
        double x;
        Rational r;
        if (ReadNumberHere(&x, &r)) {
          if (!r.IsInteger() || r < Rational(0)) Fail(at, "expected a whole number of repeats after '!'");
          CheckMagnitude(at, x, "the repeat count");
          st.pending_reps = r.num();
        } else {
          st.pending_reps = st.pending_reps >= 0 ? st.pending_reps + 1 : 2;
        }
        st.weight = Rational(st.pending_reps);
        st.weighted = true;
      } else if (c == '@') {
        ++pos_;
        double x;
        Rational r;
        if (ReadNumberHere(&x, &r)) {
          CheckMagnitude(at, x, "the weight");
          st.weight += r - Rational(1);
        } else {
          st.weight += Rational(1);
        }
        st.weighted = true;
      } else if (c == '?') {
        ++pos_;
        double x = 0.5;
        Rational r;
        ReadNumberHere(&x, &r);
        ApplyReps(st);
        st.pat = DegradeBy(st.pat, PureNumber(x), seed_++);
      } else if (c == ':') {
        ++pos_;
        if (Peek() == ':') Fail(at, "two colons in a row ('::')");
        if (AtEnd() || WsAt(pos_) || SequenceEndAt(pos_))
          Fail(at, "expected an element after ':' (':' without a following element)");
        DepthGuard g(this, at);
        PatternRef friend_pat = Slice();
        ApplyReps(st);
        st.pat = AppLeft(st.pat, friend_pat, BinOp::kTail);
      } else if (c == '(') {
        ++pos_;
        DepthGuard g(this, at);
        ApplyReps(st);
        st.pat = EuclidOp(st.pat, at);
      } else if (c == '%') {
        Fail(at, "'%' only follows {...}");
      } else if (c == '.' && pos_ > save && Peek(1) == '.' && WsAt(pos_ + 2)) {
        // `a .. b`: a range, if an element follows.
        size_t p = pos_ + 2;
        while (size_t n = WsLenAt(p)) p += n;
        if (p >= s_.size() || SequenceEndAt(p) || s_[p] == '_') {
          pos_ = save;
          break;
        }
        pos_ = p;
        DepthGuard g(this, at);
        PatternRef to = Slice();
        ApplyReps(st);
        st.pat = RangeSeq(st.pat, to);
      } else {
        pos_ = save;
        break;
      }
    }
    ApplyReps(st);
    return st;
  }

  PatternRef EuclidOp(PatternRef pat, size_t at) {
    std::vector<std::pair<PatternRef, size_t>> args;
    bool trailing_comma = false;
    for (;;) {
      SkipWs();
      if (AtEnd()) {
        Fail(at, trailing_comma ? "euclid (k,n,r) cut off after the comma"
                                : "unbalanced '(': euclid without ')'");
      }
      if (Peek() == ')') {
        ++pos_;
        break;
      }
      if (Peek() == ',') Fail(pos_, "empty euclid argument");
      const size_t arg_at = pos_;
      Step a = SliceWithOps();
      args.emplace_back(a.pat, arg_at);
      trailing_comma = false;
      SkipWs();
      if (Peek() == ',') {
        ++pos_;
        trailing_comma = true;
        continue;
      }
      if (Peek() == ')') {
        ++pos_;
        break;
      }
      if (AtEnd()) Fail(at, "unbalanced '(': euclid without ')'");
      Fail(pos_, "euclid arguments must be comma-separated");
    }
    if (args.size() < 2) Fail(at, "euclid needs at least pulses and steps: (k,n) or (k,n,r)");
    if (args.size() > 3) Fail(args[3].second, "euclid takes at most three arguments (k,n,r)");
    if (trailing_comma && args.size() == 3) Fail(at, "euclid takes at most three arguments");
    for (auto& [p, a] : args) CheckNumericArg(p, a, "a euclid argument");
    const Value* kv = args[0].first->ConstValue();
    const Value* nv = args[1].first->ConstValue();
    if (kv && nv && kv->is_number() && nv->is_number()) {
      double k = std::floor(kv->num), n = std::floor(nv->num);
      if (std::fabs(k) > n && n >= 0)
        Fail(args[0].second, "euclid has more pulses than steps (" + std::to_string(static_cast<long long>(k)) +
                                 " > " + std::to_string(static_cast<long long>(n)) + ")");
    }
    return Euclid(std::move(pat), args[0].first, args[1].first, args.size() > 2 ? args[2].first : nullptr);
  }

  PatternRef Slice() {
    if (AtEnd()) Fail(pos_, "expected an element but the string ended");
    const size_t at = pos_;
    const char c = s_[pos_];
    if (c == '[') {
      DepthGuard g(this, at);
      ++pos_;
      Built b = StackOrChoose(Ctx::kBracket);
      SkipWs();
      if (Peek() != ']') Fail(at, "unbalanced '[': missing ']'");
      ++pos_;
      return b.pat;
    }
    if (c == '<') {
      DepthGuard g(this, at);
      ++pos_;
      Built b = StackOrChoose(Ctx::kAngle);
      SkipWs();
      if (Peek() != '>') Fail(at, "unbalanced '<': missing '>'");
      ++pos_;
      return b.pat;
    }
    if (c == '{') {
      DepthGuard g(this, at);
      ++pos_;
      StackOrChoose(Ctx::kBrace);
      std::vector<Built> layers = std::move(brace_layers_);
      SkipWs();
      if (Peek() != '}') Fail(at, "unbalanced '{': missing '}'");
      ++pos_;
      PatternRef steps;
      if (Peek() == '%') {
        const size_t pat = pos_;
        ++pos_;
        SkipWs();
        if (SequenceEndAt(pos_)) Fail(pat, "'%' without a step count");
        const size_t arg_at = pos_;
        steps = Slice();
        CheckNumericArg(steps, arg_at, "the '%' step count");
      }
      std::vector<PatternRef> pats;
      const Value* sc = steps ? steps->ConstValue() : nullptr;
      for (const Built& l : layers) {
        if (!steps || sc) {
          Rational target = steps ? *Rational::FromDouble(sc->num) : layers[0].steps;
          pats.push_back(Fast(l.pat, PureNumber((target / l.steps).ToDouble())));
        } else {
          pats.push_back(Fast(l.pat, AppLeft(steps, PureNumber(l.steps.ToDouble()), BinOp::kDiv)));
        }
      }
      return Stack(std::move(pats));
    }
    if (WordByteAt(pos_)) {
      size_t p = pos_;
      while (WordByteAt(p)) ++p;
      std::string_view w = s_.substr(pos_, p - pos_);
      pos_ = p;
      if (w == "~" || w == "-") return Silence();
      words_.push_back(MiniWord{std::string(w), at});
      double x;
      if (JsNumber(w, &x)) return PureNumber(x);
      return Pure(store_->Str(w), store_);
    }
    switch (c) {
      case '"': Fail(at, "unexpected '\"': quotes inside the string");
      case ']': case '>': case '}': case ')':
        Fail(at, std::string("unbalanced '") + c + "': nothing to close");
      case ',': case '|': Fail(at, std::string("expected a step before '") + c + "'");
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          Fail(at, "unexpected control character");
        Fail(at, std::string("'") + c + "' is not a word character");
    }
  }

  std::string_view s_;
  MiniLimits lim_;
  size_t pos_ = 0;
  int seed_ = 0;
  int depth_ = 0;
  ValueStoreRef store_;
  std::vector<MiniWord> words_;
  std::vector<Built> brace_layers_;
};

}  // namespace

MiniResult ParseMini(std::string_view text, const MiniLimits& limits) {
  try {
    return Parser(text, limits).Run();
  } catch (const std::invalid_argument& e) {
    throw MiniError(0, e.what());
  }
}

}  // namespace gb::fw
