// Pattern query cost in ns per event, measured the way the audio thread pays
// it: one arena reset + QueryOnsets per 128-frame block at 48 kHz, time
// advancing block by block on exact rationals (never the same span twice).
// Constraint: the timed loop must not allocate, so everything it touches
// (arena, parsed pattern) is built before the loop.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "dsp/arena.h"
#include "firmware/pattern/mini.h"
#include "firmware/pattern/pattern.h"
#include "firmware/pattern/rational.h"
#include "firmware/pattern/transforms.h"

namespace gb::fw {
namespace {

constexpr int64_t kSampleRateHz = 48000;
constexpr int64_t kBlockFrames = 128;
// 0.5625 cycles per second (135 BPM at four beats a cycle), as a fraction so
// that block edges are exact: a block is 128 * 9 / (48000 * 16) = 3/2000 cycle.
constexpr int64_t kCpsNum = 9;
constexpr int64_t kCpsDen = 16;
// Blocks per run of the untimed latency pass (about 8 cycles): long enough to
// meet every cycle of `every 4` and `<...>` twice.
constexpr int kLatencyBlocks = 5334;

struct Case {
  const char* name;
  const char* mini;
  std::vector<const char*> transforms;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // (a) drum and bass: three layers, a degraded 16th hat, a doubled cycle
      // every fourth cycle.
      {"dnb", "[bd*2 [~ bd] ~ , ~ sn ~ sn:3, hh*16?]", {"s", "every 4 (fast 2)"}},
      // (b) Euclidean polyrhythm whose pulse count and rotation are patterns.
      {"euclid", "bd(<3 5>,8,<0 2>), hh(7,16,3), 808lt(4,17,2)", {"s"}},
      // (c) chords and an arpeggio with the heavy stackers: off doubles the
      // events, jux doubles them again, echo triples that.
      {"chords",
       "<c4'min7 f3'min7>*4 [0 .. 7]*2",
       {"n", "off 0.125 (add 12)", "jux rev", "echo 3 1/8 0.5"}},
  };
  return cases;
}

PatternRef Build(const Case& c) {
  PatternRef p = ParseMini(c.mini).pattern;
  for (const char* t : c.transforms) p = ParseTransformExpr(t)(p);
  return p;
}

Rational BlockCycles() {
  return Rational::Make(kBlockFrames * kCpsNum, kSampleRateHz * kCpsDen);
}

// Start somewhere other than cycle 0, and elsewhere on every run, so repeated
// runs do not replay the same spans.
Rational StartCycle() {
  static int64_t run = 0;
  ++run;
  return Rational(1000 + 7 * run) + Rational::Make(run % 13, 13);
}

// One benchmark iteration = one query over `span_cycles`, then time moves on
// by exactly that span. Counters:
//   events_per_query  onsets returned per query (mean)
//   time_per_event    CPU time per onset (seconds; the console prints "123n")
//   span_ns           wall-clock length of the span at kCps, for the deadline share
//   worst_query_ns / p99_query_ns  from an untimed pass after the timed loop
void RunQueries(benchmark::State& state, const Case& c, Rational span_cycles, size_t arena_bytes,
                int latency_queries) {
  PatternRef pat;
  try {
    pat = Build(c);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  dsp::Arena arena(arena_bytes);
  Rational t = StartCycle();
  uint64_t events = 0;
  size_t arena_peak = 0;
  for (auto _ : state) {
    arena.Reset();
    QueryContext ctx(arena);
    HapList out(ctx);
    QueryOnsets(*pat, ctx, Span{t, t + span_cycles}, out);
    if (ctx.failed()) {
      state.SkipWithError(ctx.error);
      break;
    }
    events += out.size();
    arena_peak = std::max(arena_peak, arena.used());
    benchmark::DoNotOptimize(out.begin());
    t = t + span_cycles;
  }

  // Per-query latency, which is what the block deadline cares about; timed
  // one query at a time, so outside the loop above.
  std::vector<double> ns(static_cast<size_t>(latency_queries));
  for (double& q : ns) {
    auto t0 = std::chrono::steady_clock::now();
    arena.Reset();
    QueryContext ctx(arena);
    HapList out(ctx);
    QueryOnsets(*pat, ctx, Span{t, t + span_cycles}, out);
    benchmark::DoNotOptimize(out.begin());
    auto t1 = std::chrono::steady_clock::now();
    q = std::chrono::duration<double, std::nano>(t1 - t0).count();
    t = t + span_cycles;
  }
  std::sort(ns.begin(), ns.end());

  const double span_s = span_cycles.ToDouble() * static_cast<double>(kCpsDen) /
                        static_cast<double>(kCpsNum);
  const auto ev = static_cast<double>(events);
  state.counters["events_per_query"] = benchmark::Counter(ev, benchmark::Counter::kAvgIterations);
  state.counters["time_per_event"] =
      benchmark::Counter(ev, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["span_ns"] = span_s * 1e9;
  state.counters["arena_peak_bytes"] = static_cast<double>(arena_peak);
  if (!ns.empty()) {
    state.counters["worst_query_ns"] = ns.back();
    state.counters["p99_query_ns"] = ns[ns.size() * 99 / 100];
  }
}

// Console output plus one line per run that a script can read:
//   query_bench case=dnb span=block ns_per_event=... events_per_query=... ...
// No colour: escape codes would land at the start of the summary lines.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      // Per-run lines, and the mean/median of repetitions (not stddev/cv).
      if (r.run_type == Run::RT_Aggregate && r.aggregate_name != "mean" && r.aggregate_name != "median")
        continue;
      auto get = [&](const char* k) {
        auto it = r.counters.find(k);
        return it == r.counters.end() ? 0.0 : it->second.value;
      };
      const std::string& name = r.run_name.function_name;  // "query_block/dnb"
      const size_t slash = name.find('/');
      const bool block = name.rfind("query_block", 0) == 0;
      std::string case_name = slash == std::string::npos ? name : name.substr(slash + 1);
      if (!block) case_name += "_cycle";
      const double ns_per_query = r.GetAdjustedCPUTime();  // Unit(kNanosecond) below
      const double events = get("events_per_query");
      const double span_ns = get("span_ns");
      std::printf(
          "query_bench case=%s span=%s stat=%s ns_per_event=%.1f events_per_query=%.4f "
          "ns_per_query=%.1f deadline_pct=%.4f p99_query_ns=%.0f worst_query_ns=%.0f "
          "arena_peak_bytes=%.0f\n",
          case_name.c_str(), block ? "block" : "cycle",
          r.run_type == Run::RT_Aggregate ? r.aggregate_name.c_str() : "run",
          events > 0 ? get("time_per_event") * 1e9 : 0.0, events, ns_per_query,
          span_ns > 0 ? 100.0 * ns_per_query / span_ns : 0.0, get("p99_query_ns"),
          get("worst_query_ns"), get("arena_peak_bytes"));
      std::fflush(stdout);
    }
  }
};

}  // namespace
}  // namespace gb::fw

int main(int argc, char** argv) {
  using gb::fw::Case;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const gb::fw::Rational block = gb::fw::BlockCycles();
  for (const Case& c : gb::fw::Cases()) {
    benchmark::RegisterBenchmark(("query_block/" + std::string(c.name)).c_str(),
                                 [&c, block](benchmark::State& s) {
                                   gb::fw::RunQueries(s, c, block, 1u << 20, gb::fw::kLatencyBlocks);
                                 })
        ->Unit(benchmark::kNanosecond);
  }
  // (d) the same patterns a whole cycle per query, for comparison: the fixed
  // cost of a query is shared by many more events.
  for (const Case& c : gb::fw::Cases()) {
    benchmark::RegisterBenchmark(("query_cycle/" + std::string(c.name)).c_str(),
                                 [&c](benchmark::State& s) {
                                   gb::fw::RunQueries(s, c, gb::fw::Rational(1), 16u << 20, 64);
                                 })
        ->Unit(benchmark::kNanosecond);
  }
  gb::fw::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
