// The pattern algebra: immutable trees of pattern nodes, built on the control
// thread, queried (possibly on the audio thread) for the events in a time span.
//
// Semantics follow Strudel 1.2.6 (the JavaScript port of TidalCycles) node for
// node: a query returns haps with a `whole` (the event's full extent) and a
// `part` (the piece inside the query), exact rational times, and the same
// fragmenting, clipping and randomness rules; ../shared/reference/mini pins it.
//
// Real-time contract: Query() allocates only from the QueryContext's arena,
// takes no lock, never throws. Problems during a query (arena exhausted, event
// budget exceeded, a value of the wrong kind, time overflow) set ctx.error and
// the query returns what it has.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsp/arena.h"
#include "firmware/pattern/rational.h"
#include "firmware/pattern/value.h"

namespace gb::fw {

struct Span {
  Rational begin, end;
  bool operator==(const Span& o) const { return begin == o.begin && end == o.end; }
};

struct Hap {
  Span whole;  // meaningful only if has_whole
  Span part;
  Value value;
  bool has_whole = true;
  const Span& WholeOrPart() const { return has_whole ? whole : part; }
  // True iff this piece contains the event's start (what the engine plays).
  bool HasOnset() const { return has_whole && whole.begin == part.begin; }
};

struct QueryContext {
  explicit QueryContext(dsp::Arena& a, uint32_t max_haps = 1u << 20, uint32_t max_steps = 1u << 22)
      : arena(&a), hap_budget(max_haps), work_budget(max_steps) {}
  dsp::Arena* arena;
  const char* error = nullptr;  // first problem seen (static storage)
  uint32_t hap_budget;          // haps any list may still take in this query
  // Loop steps (cycle pieces, repetitions) the query may still take: a
  // pattern that makes no haps (`[~ ~]*1000000*1000000`) must still stop.
  uint32_t work_budget;
  bool failed() const { return error != nullptr; }
  void Fail(const char* msg) {
    if (!error) error = msg;
  }
};

// Growable list of haps living in the query arena.
class HapList {
 public:
  explicit HapList(QueryContext& ctx) : ctx_(&ctx) {}
  void Push(const Hap& h);
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Hap& operator[](uint32_t i) { return data_[i]; }
  const Hap& operator[](uint32_t i) const { return data_[i]; }
  Hap* begin() { return data_; }
  Hap* end() { return data_ + size_; }
  const Hap* begin() const { return data_; }
  const Hap* end() const { return data_ + size_; }
  void Clear() { size_ = 0; }
  void PopBack() { --size_; }

 private:
  QueryContext* ctx_;
  Hap* data_ = nullptr;
  uint32_t size_ = 0, cap_ = 0;
};

class Pattern {
 public:
  virtual ~Pattern() = default;
  // Appends the haps of this pattern in `span` to `out`.
  virtual void Query(QueryContext& ctx, const Span& span, HapList& out) const = 0;
  // pure(x): the value; lets patterned operators skip the join.
  virtual const Value* ConstValue() const { return nullptr; }
};
using PatternRef = std::shared_ptr<const Pattern>;

// Owns strings, lists and maps made at build time; shared by the nodes that
// point into it so values outlive every query.
class ValueStore {
 public:
  Value Str(std::string_view s);
  Value List(const std::vector<Value>& items);
  // Keys are interned; entries sorted by key.
  Value Map(std::vector<std::pair<std::string, Value>> entries);

 private:
  std::vector<std::unique_ptr<std::string>> strings_;
  std::vector<std::unique_ptr<Value[]>> lists_;
  std::vector<std::unique_ptr<MapEntry[]>> maps_;
};
using ValueStoreRef = std::shared_ptr<ValueStore>;

// ---- Constructors ----------------------------------------------------------
PatternRef Silence();
// `store` keeps the value's storage alive (may be null for plain numbers).
PatternRef Pure(Value v, ValueStoreRef store = nullptr);
PatternRef PureNumber(double x);
PatternRef PureBool(bool b);
enum class SignalKind { kRand, kSaw, kIsaw, kSine, kCosine, kTri, kSquare };
PatternRef Signal(SignalKind kind);

PatternRef Stack(std::vector<PatternRef> pats);
PatternRef Slowcat(std::vector<PatternRef> pats);       // with Strudel's cycle offset
PatternRef SlowcatPrime(std::vector<PatternRef> pats);  // queried at absolute time
PatternRef Fastcat(std::vector<PatternRef> pats);
PatternRef Timecat(std::vector<std::pair<Rational, PatternRef>> weighted);

// ---- Time ------------------------------------------------------------------
PatternRef Fast(PatternRef pat, PatternRef factor);
PatternRef Slow(PatternRef pat, PatternRef factor);
PatternRef Early(PatternRef pat, PatternRef t);
PatternRef Late(PatternRef pat, PatternRef t);
PatternRef FastConst(PatternRef pat, Rational factor);
PatternRef EarlyConst(PatternRef pat, Rational t);
PatternRef Compress(PatternRef pat, Rational b, Rational e);
PatternRef Rev(PatternRef pat);
PatternRef RepeatCycles(PatternRef pat, int64_t n);

// ---- Structure -------------------------------------------------------------
// Euclid: k pulses over n steps rotated by r steps (later), Strudel's rules.
PatternRef Euclid(PatternRef pat, PatternRef k, PatternRef n, PatternRef r /*nullable*/);
// Bjorklund as Strudel computes it; nullopt when |k| > n (an error there).
std::optional<std::vector<bool>> Bjorklund(int64_t k, int64_t n);
PatternRef Segment(PatternRef pat, PatternRef n);
PatternRef Struct(PatternRef pat, PatternRef bools);
PatternRef Ply(PatternRef pat, PatternRef n);
// Mini-notation `a .. b`: integers from a to b (either way), squeezed.
PatternRef RangeSeq(PatternRef a, PatternRef b);

// ---- Randomness (Strudel's xorshift of time) -------------------------------
double TimeToRand(double t);
double RandAt(const Rational& t);
// Keep an event iff rand(whole.begin + seed*3/10000) > amount (or, for
// undegrade, iff 1 - rand > amount).
PatternRef DegradeBy(PatternRef pat, PatternRef amount, int seed, bool undegrade = false);
// `a | b | c` with seed k: one option per cycle.
PatternRef ChooseCycle(std::vector<PatternRef> options, int seed);

// ---- Conditionals -----------------------------------------------------------
// In cycle c, `a` where c mod n == which (firstOf: 0, lastOf: n-1), else `b`;
// both queried at the same absolute time.
PatternRef EveryCycle(PatternRef n, bool last, PatternRef transformed, PatternRef plain);
// Strudel's iter/iterBack.
PatternRef Iter(PatternRef pat, PatternRef n, bool back);
// Where `bools` is true play `a`, else `b` (innerJoin over bools).
PatternRef When(PatternRef bools, PatternRef a, PatternRef b);
// In cycle c, `a` where c mod m >= k else `b`.
PatternRef WhenMod(PatternRef m, PatternRef k, PatternRef a, PatternRef b);
// Tidal's linger: repeat the first (t>0) or last (t<0) fraction of each cycle.
PatternRef Linger(PatternRef pat, PatternRef t);

// ---- Values ----------------------------------------------------------------
enum class BinOp { kAdd, kSub, kMul, kDiv, kMod, kPow, kSet, kTail, kKeepIfTrue };
// Structure from the left (Strudel's `.in` / appLeft).
PatternRef AppLeft(PatternRef left, PatternRef right, BinOp op);
// Structure from both (Tidal's plain `+`, appBoth).
PatternRef AppBoth(PatternRef left, PatternRef right, BinOp op);
// Wraps each value as {key: v}; for key "s", ["bd",3] becomes {s:"bd", n:3}.
PatternRef WrapControl(PatternRef pat, std::string_view key);
// Sets control `key` from `values` (structure from pat): pat # key values.
PatternRef SetControl(PatternRef pat, std::string_view key, PatternRef values);
// pan := (pan or 0.5) + offset; fails the query on a non-map value.
PatternRef OffsetPan(PatternRef pat, double offset);
// Number values v -> v * (hi - lo) + lo.
PatternRef RangeValues(PatternRef pat, PatternRef lo, PatternRef hi);
// Each event cut into n parts, begin/end controls subdivided (Tidal's chop).
PatternRef Chop(PatternRef pat, PatternRef n);

// ---- Querying helpers --------------------------------------------------------
// Queries `pat` over [begin, end), merges fragments (same whole and value,
// touching) and keeps only onsets, sorted as the reference data is.
void QueryOnsets(const Pattern& pat, QueryContext& ctx, const Span& span, HapList& out);

}  // namespace gb::fw
