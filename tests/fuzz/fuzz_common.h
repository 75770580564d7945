// Shared checks for the pattern fuzzers: query a parsed pattern the way the
// engine does (small arena, event budget) and abort on a broken contract.
// Constraint: an abort here is a finding; expected failures (limits reached,
// wrong value kinds) are reported through ctx.error and are not findings.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "dsp/arena.h"
#include "firmware/pattern/events.h"
#include "firmware/pattern/pattern.h"

namespace gb::fw::fuzz {

constexpr size_t kArenaBytes = 1u << 20;  // the audio thread's arena is of this order
constexpr uint32_t kHapBudget = 20000;
// Loop steps per query. The engine's default (1 << 22) takes about a second
// to run out in a release build and several under ASan, and the harness makes
// 40-odd queries per input: with it, every pattern that merely hits the limit
// would read as a -timeout. 1 << 18 still dwarfs what a playable pattern
// needs over 4 cycles.
constexpr uint32_t kWorkBudget = 1u << 18;
constexpr int64_t kCycles = 4;

[[noreturn]] inline void Broken(const char* what) {
  std::fprintf(stderr, "fuzz: contract broken: %s\n", what);
  std::abort();
}

inline bool SameHap(const Hap& a, const Hap& b) {
  return a.has_whole == b.has_whole && a.whole == b.whole && a.part == b.part && a.value == b.value;
}

// An onset as the sequencer sees it: when, how long, what.
using OnsetKey = std::tuple<int64_t, int64_t, int64_t, int64_t, std::string>;

inline void AppendKeys(const HapList& haps, std::vector<OnsetKey>& keys) {
  for (const Hap& h : haps)
    keys.emplace_back(h.whole.begin.num(), h.whole.begin.den(), h.whole.end.num(), h.whole.end.den(),
                      ToJson(h.value));
}

// The audio thread queries block by block, the CLI in one go: both must see
// the same onsets. Splits [0, kCycles) at uneven points (inside and on cycle
// boundaries) and compares with the whole query's onsets.
inline void CheckSplitQueries(const Pattern& pat, const HapList& whole) {
  static dsp::Arena arena(kArenaBytes);
  static const Rational kCuts[] = {Rational(0),           Rational::Make(1, 3),    Rational(1),
                                   Rational::Make(7, 5),  Rational(2),             Rational::Make(2001, 1000),
                                   Rational::Make(11, 4), Rational(3),             Rational(kCycles)};
  std::vector<OnsetKey> a, b;
  AppendKeys(whole, a);
  for (size_t i = 0; i + 1 < std::size(kCuts); ++i) {
    arena.Reset();
    QueryContext ctx(arena, kHapBudget, kWorkBudget);
    HapList part(ctx);
    QueryOnsets(pat, ctx, Span{kCuts[i], kCuts[i + 1]}, part);
    if (ctx.failed()) return;  // a limit reached on one piece: nothing to compare
    AppendKeys(part, b);
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) Broken("onsets of a split query differ from the whole query's");
}

// The audio thread's own shape of query: one 128-frame block at 48 kHz and
// 0.5625 cps (3/2000 cycle), here at 32 places spread over [0, kCycles). Each
// block must return the whole query's onsets that start inside it; and since
// the engine pays this per block, a pattern slow per block (not just per
// cycle) is caught by libFuzzer's -timeout.
inline void CheckBlockQueries(const Pattern& pat, const HapList& whole) {
  static dsp::Arena arena(kArenaBytes);
  const Rational block = Rational::Make(3, 2000);
  for (int64_t k = 0; k < 8 * kCycles; ++k) {
    const Span span{Rational::Make(k, 8), Rational::Make(k, 8) + block};
    arena.Reset();
    QueryContext ctx(arena, kHapBudget, kWorkBudget);
    HapList got(ctx);
    QueryOnsets(pat, ctx, span, got);
    if (ctx.failed()) continue;
    std::vector<OnsetKey> a, b;
    for (const Hap& h : whole) {
      if (h.part.begin < span.begin || !(h.part.begin < span.end)) continue;
      a.emplace_back(h.whole.begin.num(), h.whole.begin.den(), h.whole.end.num(), h.whole.end.den(),
                     ToJson(h.value));
    }
    AppendKeys(got, b);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) Broken("onsets of a block query differ from the whole query's");
  }
}

// Queries [0, kCycles) twice with QueryOnsets (the audio thread's call) and
// once through CollectOnsets (the CLI's), checking what the sequencer relies
// on: only onsets come back, inside the span, the same ones every time and
// whether the span is queried whole, in pieces or block by block.
inline void QueryAndCheck(const Pattern& pat) {
  static dsp::Arena arena_a(kArenaBytes), arena_b(kArenaBytes);
  const Span span{Rational(0), Rational(kCycles)};
  arena_a.Reset();
  arena_b.Reset();
  QueryContext ca(arena_a, kHapBudget, kWorkBudget), cb(arena_b, kHapBudget, kWorkBudget);
  HapList a(ca), b(cb);
  QueryOnsets(pat, ca, span, a);
  QueryOnsets(pat, cb, span, b);
  if (ca.failed() != cb.failed()) Broken("a repeated query failed differently");
  if (ca.failed()) return;
  if (a.size() != b.size()) Broken("a repeated query returned a different number of events");
  for (uint32_t i = 0; i < a.size(); ++i) {
    const Hap& h = a[i];
    if (!SameHap(h, b[i])) Broken("a repeated query returned different events");
    if (!h.HasOnset()) Broken("QueryOnsets returned a hap without its onset");
    if (h.part.begin < span.begin || !(h.part.begin < span.end))
      Broken("an onset lies outside the query span");
    if (h.part.end < h.part.begin) Broken("a hap's part ends before it begins");
  }
  CheckSplitQueries(pat, a);
  CheckBlockQueries(pat, a);
  EventsResult r = CollectOnsets(pat, span.begin, span.end, kArenaBytes);
  if (r.error.empty()) {
    if (r.events.size() != a.size()) Broken("CollectOnsets disagrees with QueryOnsets");
    // What `groovebox events` prints and other tools parse: must be JSON
    // (nlohmann rejects ill-formed UTF-8 too, as any strict reader does).
    std::string json = FormatEventsJson(r.events);
    if (!nlohmann::json::accept(json)) Broken("FormatEventsJson printed invalid JSON");
  }
}

}  // namespace gb::fw::fuzz
