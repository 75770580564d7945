// Querying a compiled pattern must be usable on the audio thread: no heap
// allocation and no lock, only the caller's arena. This test replaces the
// global allocator and pthread_mutex_lock with counting versions and queries a
// dense, realistic pattern block after block.
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <gtest/gtest.h>

#include "firmware/pattern/mini.h"
#include "firmware/pattern/transforms.h"
#include "tests/support/rt_counter.h"

namespace gb::fw {
namespace {

// Counts on the querying thread only.
struct Counting {
  test_support::CountRtCalls counting{test_support::CountThreads::kThisThread};
};

TEST(QueryRealTime, CountersSeeAllocationsAndLocks) {
  // The instruments work: a vector growth and a mutex are counted.
  std::mutex mu;
  int allocs, locks;
  {
    Counting c;
    std::vector<int> v(100);
    std::lock_guard<std::mutex> l(mu);
    allocs = static_cast<int>(c.counting.allocs());
    locks = static_cast<int>(c.counting.locks());
  }
  EXPECT_GE(allocs, 1);
  EXPECT_GE(locks, 1);
}

TEST(QueryRealTime, DenseQueriesNeitherAllocateNorLock) {
  // A busy pattern using most node kinds: euclid, alternation, degrade,
  // random choice, polymeter, ranges, tails, and several transforms.
  PatternRef p = ParseMini(
      "[bd*4, hh*16?, ~ sn:3 ~ <sn cp>, {a b c}%8, bd(<3 5>,8,<0 2>)] "
      "[0 .. 7]*2 <c4 e4 [g4 | b4]>!2 [arpy:<0 1 2> . 808bd*3?0.2]")
                     .pattern;
  for (const char* t : {"s", "every 3 (fast 2)", "off 0.125 (add 1)", "jux rev", "chunk 4 (hurry 2)",
                        "sometimes (ply 2)", "echo 3 1/8 0.5", "iter 4", "swingBy 0.2 4"})
    p = ParseTransformExpr(t)(p);

  dsp::Arena arena(8u << 20);
  // 48 kHz, 128-frame blocks at 0.5625 cycles per second: a block is 3/2000 cycle.
  const Rational block = Rational::Make(128 * 9, 48000 * 16);
  Rational t(0);
  size_t events = 0;
  int allocs, locks;
  {
    Counting c;
    for (int i = 0; i < 20000; ++i) {
      arena.Reset();
      QueryContext ctx(arena);
      HapList out(ctx);
      QueryOnsets(*p, ctx, Span{t, t + block}, out);
      ASSERT_FALSE(ctx.failed()) << ctx.error;
      events += out.size();
      t = t + block;
    }
    allocs = static_cast<int>(c.counting.allocs());
    locks = static_cast<int>(c.counting.locks());
  }
  EXPECT_GT(events, 1000u) << "the pattern should be busy";
  EXPECT_EQ(allocs, 0) << "heap allocations during queries";
  EXPECT_EQ(locks, 0) << "mutex locks during queries";
}

TEST(QueryRealTime, ExhaustedArenaFailsCleanly) {
  PatternRef p = ParseMini("hh*64 bd*64").pattern;
  dsp::Arena arena(4096);
  QueryContext ctx(arena);
  HapList out(ctx);
  int allocs;
  {
    Counting c;
    QueryOnsets(*p, ctx, Span{Rational(0), Rational(4)}, out);
    allocs = static_cast<int>(c.counting.allocs());
  }
  EXPECT_TRUE(ctx.failed());
  EXPECT_EQ(allocs, 0);
}

}  // namespace
}  // namespace gb::fw
